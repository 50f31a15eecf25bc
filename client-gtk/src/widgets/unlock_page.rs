//! The unlock screen: passphrase entry, error feedback, the brute-force delay, keyring unlock.
//!
//! The page only collects input and shows state; the window makes the D-Bus calls.

use crate::daemon::VaultState;
use crate::i18n::{fill, gettext, ngettext};
use gtk::glib;
use gtk::prelude::*;
use gtk::subclass::prelude::*;
use zeroize::Zeroizing;

mod imp {
    use super::*;
    use std::cell::Cell;

    #[derive(Default, gtk::CompositeTemplate)]
    #[template(file = "unlock_page.ui")]
    pub struct UnlockPage {
        #[template_child]
        pub status: TemplateChild<adw::StatusPage>,
        #[template_child]
        pub passphrase_entry: TemplateChild<gtk::PasswordEntry>,
        #[template_child]
        pub error_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub unlock_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub keyring_button: TemplateChild<gtk::Button>,
        /// Unix time before which the daemon refuses passphrases.
        pub retry_after: Cell<u64>,
        pub busy: Cell<bool>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for UnlockPage {
        const NAME: &'static str = "LatchkeyUnlockPage";
        type Type = super::UnlockPage;
        type ParentType = gtk::Box;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for UnlockPage {
        fn constructed(&self) {
            self.parent_constructed();
            let page = self.obj();
            let submit = glib::clone!(
                #[weak]
                page,
                move || {
                    let _ = page.activate_action("win.unlock", None);
                }
            );
            let s = submit.clone();
            self.passphrase_entry.connect_activate(move |_| s());
            self.unlock_button.connect_clicked(move |_| submit());
            self.keyring_button.connect_clicked(glib::clone!(
                #[weak]
                page,
                move |_| {
                    let _ = page.activate_action("win.unlock-keyring", None);
                }
            ));
        }
    }
    impl WidgetImpl for UnlockPage {}
    impl BoxImpl for UnlockPage {}
}

glib::wrapper! {
    /// The locked screen.
    pub struct UnlockPage(ObjectSubclass<imp::UnlockPage>)
        @extends gtk::Box, gtk::Widget,
        @implements gtk::Buildable, gtk::ConstraintTarget, gtk::Orientable;
}

impl Default for UnlockPage {
    fn default() -> Self {
        glib::Object::new()
    }
}

impl UnlockPage {
    /// Takes the typed passphrase and empties the entry.
    pub fn take_passphrase(&self) -> Zeroizing<String> {
        let entry = &self.imp().passphrase_entry;
        let text = Zeroizing::new(entry.text().to_string());
        entry.set_text("");
        text
    }

    /// Sets the passphrase as if typed (automation hook) .
    pub fn set_passphrase(&self, text: &str) {
        self.imp().passphrase_entry.set_text(text);
    }

    /// Shows the vault's state: keyring button, delay.
    pub fn show_state(&self, state: &VaultState) {
        let imp = self.imp();
        imp.keyring_button.set_visible(state.keyring_unlock);
        imp.retry_after.set(state.retry_after);
        self.tick(crate::now());
    }

    /// Disables input while a call runs.
    pub fn set_busy(&self, busy: bool) {
        let imp = self.imp();
        imp.busy.set(busy);
        imp.passphrase_entry.set_sensitive(!busy);
        self.tick(crate::now());
    }

    /// Shows an error under the entry ("" hides it).
    pub fn set_error(&self, message: &str) {
        let label = &self.imp().error_label;
        label.set_label(message);
        label.set_visible(!message.is_empty());
    }

    /// The error shown, for the automation hook.
    pub fn error(&self) -> String {
        let label = &self.imp().error_label;
        if label.is_visible() {
            label.label().to_string()
        } else {
            String::new()
        }
    }

    /// Updates the countdown of the brute-force delay (called every second by the window).
    pub fn tick(&self, now: u64) {
        let imp = self.imp();
        let wait = imp.retry_after.get().saturating_sub(now);
        let busy = imp.busy.get();
        imp.unlock_button.set_sensitive(wait == 0 && !busy);
        imp.keyring_button.set_sensitive(!busy);
        // No mnemonic: GTK 4.8 would read "_Unlock Unlock" (Enter in the entry unlocks).
        if wait > 0 {
            imp.unlock_button.set_label(&fill(
                &ngettext("Wait {n} second", "Wait {n} seconds", wait as u32),
                &[("n", &wait.to_string())],
            ));
        } else if busy {
            imp.unlock_button.set_label(&gettext("Unlocking…"));
        } else {
            imp.unlock_button.set_label(&gettext("Unlock"));
        }
    }

    /// Seconds until the daemon accepts another passphrase (the brute-force delay shown).
    pub fn wait_seconds(&self) -> u64 {
        self.imp().retry_after.get().saturating_sub(crate::now())
    }

    /// Puts the keyboard focus in the passphrase entry.
    pub fn focus_entry(&self) {
        self.imp().passphrase_entry.grab_focus();
    }
}
