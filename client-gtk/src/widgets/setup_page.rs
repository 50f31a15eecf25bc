//! The first run: choose the vault's passphrase (twice, with a strength hint and the warning that
//! nobody can recover it), then offer keyring unlock and a first account.
//!
//! The page collects input and shows state; the window makes the D-Bus calls.

use crate::i18n::gettext;
use gtk::glib;
use gtk::prelude::*;
use gtk::subclass::prelude::*;
use zeroize::Zeroizing;

mod imp {
    use super::*;

    #[derive(Default, gtk::CompositeTemplate)]
    #[template(file = "setup_page.ui")]
    pub struct SetupPage {
        #[template_child]
        pub stages: TemplateChild<gtk::Stack>,
        #[template_child]
        pub passphrase_entry: TemplateChild<gtk::PasswordEntry>,
        #[template_child]
        pub repeat_entry: TemplateChild<gtk::PasswordEntry>,
        #[template_child]
        pub strength_bar: TemplateChild<gtk::LevelBar>,
        #[template_child]
        pub hint_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub error_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub create_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub keyring_switch: TemplateChild<gtk::Switch>,
        #[template_child]
        pub ready_error_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub add_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub done_button: TemplateChild<gtk::Button>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for SetupPage {
        const NAME: &'static str = "LatchkeySetupPage";
        type Type = super::SetupPage;
        type ParentType = gtk::Box;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for SetupPage {
        fn constructed(&self) {
            self.parent_constructed();
            let page = self.obj();
            let action = |name: &'static str| {
                glib::clone!(
                    #[weak]
                    page,
                    move || {
                        let _ = page.activate_action(name, None);
                    }
                )
            };
            let check = glib::clone!(
                #[weak]
                page,
                move || page.check()
            );
            let c = check.clone();
            self.passphrase_entry.connect_changed(move |_| c());
            self.repeat_entry.connect_changed(move |_| check());
            let create = action("win.create-vault");
            let c = create.clone();
            self.repeat_entry.connect_activate(glib::clone!(
                #[weak]
                page,
                move |_| {
                    if page.imp().create_button.is_sensitive() {
                        c();
                    }
                }
            ));
            self.passphrase_entry.connect_activate(glib::clone!(
                #[weak]
                page,
                move |_| {
                    page.imp().repeat_entry.grab_focus();
                }
            ));
            self.create_button.connect_clicked(move |_| create());
            let add = action("win.add");
            self.add_button.connect_clicked(move |_| add());
            let done = action("win.setup-done");
            self.done_button.connect_clicked(move |_| done());
            self.keyring_switch.connect_state_set(glib::clone!(
                #[weak]
                page,
                #[upgrade_or]
                glib::Propagation::Stop,
                move |_, on| {
                    let _ = page.activate_action("win.setup-keyring", Some(&on.to_variant()));
                    glib::Propagation::Stop
                }
            ));
        }
    }
    impl WidgetImpl for SetupPage {}
    impl BoxImpl for SetupPage {}
}

glib::wrapper! {
    /// The first-run page.
    pub struct SetupPage(ObjectSubclass<imp::SetupPage>)
        @extends gtk::Box, gtk::Widget,
        @implements gtk::Buildable, gtk::ConstraintTarget, gtk::Orientable;
}

impl Default for SetupPage {
    fn default() -> Self {
        glib::Object::new()
    }
}

impl SetupPage {
    /// Shows the passphrase stage, empty.
    pub fn start(&self) {
        let imp = self.imp();
        imp.passphrase_entry.set_text("");
        imp.repeat_entry.set_text("");
        self.set_error("");
        imp.stages.set_visible_child_name("create");
        imp.passphrase_entry.grab_focus();
    }

    /// Whether the page is past the passphrase, offering what comes next.
    pub fn is_ready_stage(&self) -> bool {
        self.imp().stages.visible_child_name().as_deref() == Some("ready")
    }

    /// The passphrase typed (twice, the same), emptying both entries.
    pub fn take_passphrase(&self) -> Zeroizing<String> {
        let imp = self.imp();
        let text = Zeroizing::new(imp.passphrase_entry.text().to_string());
        imp.passphrase_entry.set_text("");
        imp.repeat_entry.set_text("");
        text
    }

    /// Disables input while the vault is being created.
    pub fn set_busy(&self, busy: bool) {
        let imp = self.imp();
        imp.passphrase_entry.set_sensitive(!busy);
        imp.repeat_entry.set_sensitive(!busy);
        imp.create_button.set_label(&if busy {
            gettext("Creating…")
        } else {
            gettext("Create Vault")
        });
        if busy {
            imp.create_button.set_sensitive(false);
        } else {
            self.check();
        }
    }

    /// Shows an error under the entries ("" hides it).
    pub fn set_error(&self, message: &str) {
        let label = &self.imp().error_label;
        label.set_label(message);
        label.set_visible(!message.is_empty());
    }

    /// Moves on to what comes after the passphrase; `keyring` is whether keyring unlock is on.
    pub fn show_ready(&self, keyring: bool) {
        let imp = self.imp();
        imp.keyring_switch.set_state(keyring);
        imp.keyring_switch.set_active(keyring);
        imp.stages.set_visible_child_name("ready");
        imp.add_button.grab_focus();
    }

    /// Shows whether keyring unlock is on, and why switching it failed (`""`: it did not).
    pub fn show_keyring(&self, on: bool, error: &str) {
        let imp = self.imp();
        imp.keyring_switch.set_state(on);
        imp.keyring_switch.set_active(on);
        imp.ready_error_label.set_label(error);
        imp.ready_error_label.set_visible(!error.is_empty());
    }

    /// Updates the strength hint and whether the passphrase may be used.
    fn check(&self) {
        let imp = self.imp();
        let (first, second) = (imp.passphrase_entry.text(), imp.repeat_entry.text());
        let verdict = super::passphrase::judge(&first, &second);
        imp.strength_bar.set_value(verdict.level);
        imp.hint_label.set_label(&verdict.hint);
        imp.hint_label.set_visible(!verdict.hint.is_empty());
        imp.create_button.set_sensitive(verdict.usable);
    }
}
