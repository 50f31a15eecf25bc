//! Adding an account: paste an `otpauth://` link, pick a QR code image, or fill in a form.

use crate::daemon::{self, NewAccount};
use crate::i18n::{fill, gettext, ngettext};
use crate::window::Window;
use adw::prelude::*;
use adw::subclass::prelude::*;
use gtk::{gio, glib};
use zeroize::Zeroizing;

mod imp {
    use super::*;

    #[derive(Default, gtk::CompositeTemplate)]
    #[template(file = "add_dialog.ui")]
    pub struct AddDialog {
        #[template_child]
        pub cancel_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub add_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub toasts: TemplateChild<adw::ToastOverlay>,
        #[template_child]
        pub uri_row: TemplateChild<adw::PasswordEntryRow>,
        #[template_child]
        pub qr_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub issuer_row: TemplateChild<adw::EntryRow>,
        #[template_child]
        pub account_row: TemplateChild<adw::EntryRow>,
        #[template_child]
        pub secret_row: TemplateChild<adw::PasswordEntryRow>,
        #[template_child]
        pub kind_row: TemplateChild<adw::ComboRow>,
        #[template_child]
        pub algorithm_row: TemplateChild<adw::ComboRow>,
        #[template_child]
        pub digits_spin: TemplateChild<gtk::SpinButton>,
        #[template_child]
        pub period_spin: TemplateChild<gtk::SpinButton>,
        #[template_child]
        pub period_row: TemplateChild<adw::ActionRow>,
        #[template_child]
        pub counter_row: TemplateChild<adw::ActionRow>,
        #[template_child]
        pub counter_spin: TemplateChild<gtk::SpinButton>,
        pub window: glib::WeakRef<Window>,
        /// The last error shown, for the automation hook.
        pub last_error: std::cell::RefCell<Option<String>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for AddDialog {
        const NAME: &'static str = "LatchkeyAddDialog";
        type Type = super::AddDialog;
        type ParentType = adw::Window;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for AddDialog {
        fn constructed(&self) {
            self.parent_constructed();
            let d = self.obj();
            super::super::close_on_escape(&*d);
            // A counter for HOTP, a period for the time-based kinds.
            self.kind_row.connect_selected_notify(glib::clone!(
                #[weak]
                d,
                move |row| {
                    let hotp = row.selected() == 1;
                    d.imp().counter_row.set_visible(hotp);
                    d.imp().period_row.set_visible(!hotp);
                }
            ));
            // Enter in the link field adds, as the Add button does.
            self.uri_row.connect_entry_activated(glib::clone!(
                #[weak]
                d,
                move |_| d.submit()
            ));
            self.cancel_button.connect_clicked(glib::clone!(
                #[weak]
                d,
                move |_| d.close()
            ));
            self.add_button.connect_clicked(glib::clone!(
                #[weak]
                d,
                move |_| d.submit()
            ));
            self.qr_button.connect_clicked(glib::clone!(
                #[weak]
                d,
                move |_| d.pick_qr_image()
            ));
        }
    }
    impl WidgetImpl for AddDialog {}
    impl WindowImpl for AddDialog {}
    impl AdwWindowImpl for AddDialog {}
}

glib::wrapper! {
    /// The add-account window.
    pub struct AddDialog(ObjectSubclass<imp::AddDialog>)
        @extends adw::Window, gtk::Window, gtk::Widget,
        @implements gtk::Buildable, gtk::ConstraintTarget, gtk::Native,
            gtk::Root, gtk::ShortcutManager;
}

impl AddDialog {
    /// An add dialog over `window`.
    pub fn new(window: &Window) -> Self {
        let d: Self = glib::Object::builder()
            .property("transient-for", window)
            .build();
        d.imp().window.set(Some(window));
        d
    }

    fn error(&self, text: &str) {
        self.imp().last_error.replace(Some(text.to_owned()));
        self.imp().toasts.add_toast(adw::Toast::new(text));
    }

    /// The last error the dialog showed (automation hook).
    #[cfg(any(debug_assertions, feature = "test-hooks"))]
    pub fn last_error(&self) -> Option<String> {
        self.imp().last_error.borrow().clone()
    }

    /// Fills the link field as if pasted (automation hook).
    pub fn set_link(&self, text: &str) {
        self.imp().uri_row.set_text(text);
    }

    /// Adds what the dialog holds: the link if any, else the form (the Add button).
    pub fn submit(&self) {
        let imp = self.imp();
        let uri = Zeroizing::new(imp.uri_row.text().trim().to_string());
        if !uri.is_empty() {
            return self.add_text(uri);
        }
        let secret = Zeroizing::new(imp.secret_row.text().replace(' ', ""));
        if secret.is_empty() {
            return self.error(&gettext(
                "Paste a link, pick a QR code image, or enter the secret key",
            ));
        }
        let kind = ["totp", "hotp", "steam"][imp.kind_row.selected().min(2) as usize];
        let algorithm = ["sha1", "sha256", "sha512"][imp.algorithm_row.selected().min(2) as usize];
        let account = NewAccount {
            issuer: imp.issuer_row.text().trim().to_string(),
            account: imp.account_row.text().trim().to_string(),
            secret,
            kind: kind.to_string(),
            algorithm: algorithm.to_string(),
            digits: imp.digits_spin.value_as_int().max(0) as u32,
            period: if kind == "hotp" {
                0
            } else {
                imp.period_spin.value_as_int().max(1) as u32
            },
            counter: if kind == "hotp" {
                imp.counter_spin.value().max(0.0) as u64
            } else {
                0
            },
        };
        self.finish(async move { daemon::add_account(account).await.map(|_| 1) });
    }

    /// Adds from text: an `otpauth://` link, or anything the daemon's import understands
    /// (e.g. a Google Authenticator `otpauth-migration://` export).
    fn add_text(&self, text: Zeroizing<String>) {
        if text.starts_with("otpauth://") {
            self.finish(async move { daemon::add_uri(text).await.map(|_| 1) });
        } else {
            let bytes = Zeroizing::new(text.as_bytes().to_vec());
            self.finish(async move { daemon::import_now(bytes, "auto").await });
        }
    }

    fn finish(
        &self,
        call: impl std::future::Future<Output = Result<usize, latchkey_dbus::Error>> + 'static,
    ) {
        self.imp().add_button.set_sensitive(false);
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = d)]
            self,
            async move {
                let result = call.await;
                d.imp().add_button.set_sensitive(true);
                match result {
                    Ok(n) => {
                        if let Some(w) = d.imp().window.upgrade() {
                            w.toast(&fill(
                                &ngettext("Account added", "{n} accounts added", n as u32),
                                &[("n", &n.to_string())],
                            ));
                        }
                        d.close();
                    }
                    Err(e) => d.error(&e.message()),
                }
            }
        ));
    }

    fn pick_qr_image(&self) {
        super::files::open(
            self,
            &gettext("Pick a QR Code Image"),
            &[super::files::images()],
            glib::clone!(
                #[weak(rename_to = d)]
                self,
                move |path| d.scan(path)
            ),
        );
    }

    /// Sends a QR code image to the daemon, which reads every code in it and adds what they
    /// hold (after the file chooser, or from tests). The app decodes no image itself.
    pub fn scan(&self, path: std::path::PathBuf) {
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = d)]
            self,
            async move {
                let read = gio::spawn_blocking(move || daemon::read_file(&path)).await;
                match read {
                    Ok(Ok(bytes)) => d.finish(async move { daemon::import_now(bytes, "qr").await }),
                    Ok(Err(message)) => d.error(&message),
                    Err(_) => d.error(&gettext("Reading the image failed")),
                }
            }
        ));
    }
}
