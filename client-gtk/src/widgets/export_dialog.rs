//! Exporting every account: encrypted by default; an unencrypted format only after the user
//! has said they understand what such a file is. The file is chosen first, then the vault
//! passphrase is asked, so an export is never made for a file that is not written.

use super::prompt::{self, Words};
use crate::daemon;
use crate::i18n::{fill, gettext};
use crate::window::Window;
use adw::prelude::*;
use adw::subclass::prelude::*;
use gtk::{gio, glib};

/// The formats offered, in the order of the template's list.
struct Format {
    /// The daemon's name for it.
    name: &'static str,
    plaintext: bool,
    /// The suggested file name's ending.
    suffix: &'static str,
}

const FORMATS: [Format; 5] = [
    Format {
        name: "latchkey",
        plaintext: false,
        suffix: ".latchkey",
    },
    Format {
        name: "aegis",
        plaintext: false,
        suffix: "-aegis.json",
    },
    Format {
        name: "aegis",
        plaintext: true,
        suffix: "-aegis-unencrypted.json",
    },
    Format {
        name: "uris",
        plaintext: true,
        suffix: "-links.txt",
    },
    Format {
        name: "qr",
        plaintext: true,
        suffix: "-qr-codes.png",
    },
];

/// What each format is for, in the order of [`FORMATS`].
fn hint(i: usize) -> String {
    match i {
        0 => gettext(
            "Restores into Latchkey on this or another computer, with your vault passphrase.",
        ),
        1 => gettext(
            "Opens in Aegis and most authenticators that read Aegis files, with your vault passphrase as its password.",
        ),
        2 => gettext("For apps that read Aegis files but not encrypted ones."),
        3 => gettext("One otpauth:// link per line, which nearly every authenticator reads."),
        _ => gettext("One QR code per account, to scan with a phone."),
    }
}

mod imp {
    use super::*;

    #[derive(Default, gtk::CompositeTemplate)]
    #[template(file = "export_dialog.ui")]
    pub struct ExportDialog {
        #[template_child]
        pub cancel_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub export_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub format_row: TemplateChild<adw::ComboRow>,
        #[template_child]
        pub format_hint: TemplateChild<adw::ActionRow>,
        #[template_child]
        pub plaintext_group: TemplateChild<adw::PreferencesGroup>,
        #[template_child]
        pub plaintext_check: TemplateChild<gtk::CheckButton>,
        pub window: glib::WeakRef<Window>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for ExportDialog {
        const NAME: &'static str = "LatchkeyExportDialog";
        type Type = super::ExportDialog;
        type ParentType = adw::Window;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for ExportDialog {
        fn constructed(&self) {
            self.parent_constructed();
            let d = self.obj();
            super::super::close_on_escape(&*d);
            self.cancel_button.connect_clicked(glib::clone!(
                #[weak]
                d,
                move |_| d.close()
            ));
            self.format_row.connect_selected_notify(glib::clone!(
                #[weak]
                d,
                move |_| d.update()
            ));
            self.plaintext_check.connect_toggled(glib::clone!(
                #[weak]
                d,
                move |_| d.update()
            ));
            self.export_button.connect_clicked(glib::clone!(
                #[weak]
                d,
                move |_| d.choose_file()
            ));
            d.update();
        }
    }
    impl WidgetImpl for ExportDialog {}
    impl WindowImpl for ExportDialog {}
    impl AdwWindowImpl for ExportDialog {}
}

glib::wrapper! {
    /// The export window.
    pub struct ExportDialog(ObjectSubclass<imp::ExportDialog>)
        @extends adw::Window, gtk::Window, gtk::Widget,
        @implements gtk::Buildable, gtk::ConstraintTarget, gtk::Native,
            gtk::Root, gtk::ShortcutManager;
}

impl ExportDialog {
    /// An export window over `window`.
    pub fn new(window: &Window) -> Self {
        let d: Self = glib::Object::builder()
            .property("transient-for", window)
            .build();
        d.imp().window.set(Some(window));
        d
    }

    fn format(&self) -> (usize, &'static Format) {
        let i = (self.imp().format_row.selected() as usize).min(FORMATS.len() - 1);
        (i, &FORMATS[i])
    }

    /// Shows the chosen format's hint and, for an unencrypted one, the confirmation it needs.
    fn update(&self) {
        let imp = self.imp();
        let (i, format) = self.format();
        imp.format_hint
            .set_title(&glib::markup_escape_text(&hint(i)));
        imp.plaintext_group.set_visible(format.plaintext);
        imp.export_button
            .set_sensitive(!format.plaintext || imp.plaintext_check.is_active());
    }

    fn choose_file(&self) {
        let (_, format) = self.format();
        let name = format!("latchkey-export-{}{}", today(), format.suffix);
        super::files::save(
            self,
            &gettext("Export To"),
            &name,
            glib::clone!(
                #[weak(rename_to = d)]
                self,
                move |path| d.ask_and_write(path)
            ),
        );
    }

    fn ask_and_write(&self, path: std::path::PathBuf) {
        let (_, format) = self.format();
        let (name, plaintext) = (format.name, format.plaintext);
        let words = Words {
            title: gettext("Export Accounts"),
            body: gettext("Enter your vault passphrase to export every account."),
            entry: gettext("Vault passphrase"),
            button: gettext("Export"),
        };
        let dialog = self.downgrade();
        prompt::ask(self, words, move |passphrase| {
            let (dialog, path) = (dialog.clone(), path.clone());
            async move {
                let data = daemon::export(name, passphrase, plaintext)
                    .await
                    .map_err(|e| prompt::failure(&e))?;
                let target = path.clone();
                gio::spawn_blocking(move || daemon::write_private_file(&target, &data))
                    .await
                    .map_err(|_| gettext("Writing the file failed"))?
                    .map_err(|e| e.to_string())?;
                if let Some(d) = dialog.upgrade() {
                    if let Some(w) = d.imp().window.upgrade() {
                        let file = path.file_name().unwrap_or_default().to_string_lossy();
                        w.toast(&fill(&gettext("Exported to {file}"), &[("file", &file)]));
                    }
                    d.close();
                }
                Ok(())
            }
        });
    }
}

/// Today's date as YYYY-MM-DD (local time), for file names.
pub fn today() -> String {
    glib::DateTime::now_local()
        .and_then(|t| t.format("%Y-%m-%d"))
        .map(|s| s.to_string())
        .unwrap_or_default()
}
