//! Importing another app's export: pick, drop or paste it; give its password if it is
//! encrypted; see what will be added, what is already there and what cannot be read; then
//! import, all or nothing.
//!
//! The daemon reads the file and names its format; every step before the last is its dry run,
//! so nothing is written until the user presses Import on the preview.

use crate::daemon::{self, Report};
use crate::i18n::{fill, gettext, ngettext};
use crate::window::Window;
use adw::prelude::*;
use adw::subclass::prelude::*;
use gtk::{gdk, gio, glib};
use latchkey_dbus::{Error, ImportEntry};
use zeroize::Zeroizing;

mod imp {
    use super::*;
    use std::cell::RefCell;

    #[derive(Default, gtk::CompositeTemplate)]
    #[template(file = "import_dialog.ui")]
    pub struct ImportDialog {
        #[template_child]
        pub cancel_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub import_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub stages: TemplateChild<gtk::Stack>,
        #[template_child]
        pub choose_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub paste_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub choose_error: TemplateChild<gtk::Label>,
        #[template_child]
        pub passphrase_page: TemplateChild<adw::StatusPage>,
        #[template_child]
        pub passphrase_entry: TemplateChild<gtk::PasswordEntry>,
        #[template_child]
        pub open_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub passphrase_error: TemplateChild<gtk::Label>,
        #[template_child]
        pub preview_box: TemplateChild<gtk::Box>,
        pub window: glib::WeakRef<Window>,
        /// The export's bytes, kept (and wiped on drop) between the preview and the import.
        pub data: RefCell<Option<Zeroizing<Vec<u8>>>>,
        /// The export's password, once given.
        pub passphrase: RefCell<Zeroizing<String>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for ImportDialog {
        const NAME: &'static str = "LatchkeyImportDialog";
        type Type = super::ImportDialog;
        type ParentType = adw::Window;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for ImportDialog {
        fn constructed(&self) {
            self.parent_constructed();
            let d = self.obj();
            super::super::close_on_escape(&*d);
            self.cancel_button.connect_clicked(glib::clone!(
                #[weak]
                d,
                move |_| d.close()
            ));
            self.choose_button.connect_clicked(glib::clone!(
                #[weak]
                d,
                move |_| d.choose()
            ));
            self.paste_button.connect_clicked(glib::clone!(
                #[weak]
                d,
                move |_| d.paste()
            ));
            self.passphrase_entry.connect_changed(glib::clone!(
                #[weak]
                d,
                move |e| d.imp().open_button.set_sensitive(!e.text().is_empty())
            ));
            self.passphrase_entry.connect_activate(glib::clone!(
                #[weak]
                d,
                move |_| d.open_encrypted()
            ));
            self.open_button.connect_clicked(glib::clone!(
                #[weak]
                d,
                move |_| d.open_encrypted()
            ));
            self.import_button.connect_clicked(glib::clone!(
                #[weak]
                d,
                move |_| d.commit()
            ));
            super::accept_drops(
                &*d,
                glib::clone!(
                    #[weak]
                    d,
                    move |file| d.load_file(file)
                ),
            );
        }
    }
    impl WidgetImpl for ImportDialog {}
    impl WindowImpl for ImportDialog {}
    impl AdwWindowImpl for ImportDialog {}
}

glib::wrapper! {
    /// The import window.
    pub struct ImportDialog(ObjectSubclass<imp::ImportDialog>)
        @extends adw::Window, gtk::Window, gtk::Widget,
        @implements gtk::Buildable, gtk::ConstraintTarget, gtk::Native,
            gtk::Root, gtk::ShortcutManager;
}

/// Lets `widget` take a file dropped on it (from a file manager): `take` gets its path.
pub fn accept_drops(widget: &impl IsA<gtk::Widget>, take: impl Fn(std::path::PathBuf) + 'static) {
    let target = gtk::DropTarget::new(gio::File::static_type(), gdk::DragAction::COPY);
    target.connect_drop(move |_, value, _, _| {
        match value.get::<gio::File>().ok().and_then(|f| f.path()) {
            Some(path) => {
                take(path);
                true
            }
            None => false,
        }
    });
    widget.add_controller(target);
}

impl ImportDialog {
    /// An import window over `window`, at its first step.
    pub fn new(window: &Window) -> Self {
        let d: Self = glib::Object::builder()
            .property("transient-for", window)
            .build();
        d.imp().window.set(Some(window));
        d
    }

    fn choose(&self) {
        super::files::open(
            self,
            &gettext("Choose an Export"),
            &[super::files::exports()],
            glib::clone!(
                #[weak(rename_to = d)]
                self,
                move |path| d.load_file(path)
            ),
        );
    }

    /// Reads `path` and previews it.
    pub fn load_file(&self, path: std::path::PathBuf) {
        self.imp().stages.set_visible_child_name("busy");
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = d)]
            self,
            async move {
                match gio::spawn_blocking(move || daemon::read_file(&path)).await {
                    Ok(Ok(data)) => d.load(data),
                    Ok(Err(sentence)) => d.refuse(&sentence),
                    Err(_) => d.refuse(&gettext("Reading the file failed")),
                }
            }
        ));
    }

    /// Imports the clipboard's text (otpauth:// or otpauth-migration:// links).
    fn paste(&self) {
        let clipboard = WidgetExt::display(self).clipboard();
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = d)]
            self,
            async move {
                match clipboard.read_text_future().await {
                    Ok(Some(text)) if !text.trim().is_empty() => {
                        d.load(Zeroizing::new(text.as_bytes().to_vec()))
                    }
                    _ => d.refuse(&gettext(
                        "The clipboard holds no text. Copy the otpauth:// or \
                         otpauth-migration:// links first.",
                    )),
                }
            }
        ));
    }

    /// Reads what `data` is (the daemon names its app without decrypting anything), then asks
    /// for its password if it has one, or previews it.
    pub fn load(&self, data: Zeroizing<Vec<u8>>) {
        let imp = self.imp();
        imp.data.replace(Some(data.clone()));
        imp.passphrase.replace(Zeroizing::new(String::new()));
        imp.stages.set_visible_child_name("busy");
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = d)]
            self,
            async move {
                match daemon::inspect(data).await {
                    Ok(what) if what.encrypted => d.ask_passphrase(Some(&what.app), None),
                    Ok(_) => d.preview(),
                    Err(e) => d.refuse(&e.message()),
                }
            }
        ));
    }

    fn open_encrypted(&self) {
        let imp = self.imp();
        let text = Zeroizing::new(imp.passphrase_entry.text().to_string());
        if text.is_empty() {
            return;
        }
        imp.passphrase_entry.set_text("");
        imp.passphrase.replace(text);
        self.preview();
    }

    /// Asks the daemon what importing would do.
    fn preview(&self) {
        let imp = self.imp();
        let Some(data) = imp.data.borrow().clone() else {
            return;
        };
        let pass = imp.passphrase.borrow().clone();
        imp.stages.set_visible_child_name("busy");
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = d)]
            self,
            async move {
                match daemon::import(data, "auto", pass, true).await {
                    Ok(report) => d.show_preview(&report),
                    Err(Error::PassphraseRequired(_)) => d.ask_passphrase(None, None),
                    Err(Error::BadPassphrase(_)) => {
                        d.ask_passphrase(None, Some(&gettext("Wrong password. Try again.")))
                    }
                    Err(e) => d.refuse(&e.message()),
                }
            }
        ));
    }

    /// Back at the first step, saying why the file cannot be imported.
    fn refuse(&self, sentence: &str) {
        let imp = self.imp();
        imp.data.replace(None);
        imp.import_button.set_visible(false);
        imp.choose_error.set_label(sentence);
        imp.choose_error.set_visible(true);
        imp.stages.set_visible_child_name("choose");
    }

    /// The password step: `app` names the app that wrote the export (kept from the first time
    /// when the password was wrong), `error` what went wrong.
    fn ask_passphrase(&self, app: Option<&str>, error: Option<&str>) {
        let imp = self.imp();
        if let Some(app) = app {
            imp.passphrase_page.set_title(&fill(
                &gettext("This {app} Export Is Encrypted"),
                &[("app", app)],
            ));
            imp.passphrase_page
                .set_description(Some(&glib::markup_escape_text(&fill(
                    &gettext("Enter the password you chose when you exported it from {app}."),
                    &[("app", app)],
                ))));
        }
        imp.passphrase_error.set_label(error.unwrap_or_default());
        imp.passphrase_error.set_visible(error.is_some());
        imp.stages.set_visible_child_name("passphrase");
        imp.passphrase_entry.grab_focus();
    }

    fn show_preview(&self, report: &Report) {
        let imp = self.imp();
        while let Some(child) = imp.preview_box.first_child() {
            imp.preview_box.remove(&child);
        }
        let (added, failed) = (report.added.len(), report.failed.len());
        let summary = if failed > 0 {
            ngettext(
                "One entry cannot be imported, so nothing will be: an import is all or nothing. \
                 Fix it in the other app and export again.",
                "{n} entries cannot be imported, so nothing will be: an import is all or \
                 nothing. Fix them in the other app and export again.",
                failed as u32,
            )
        } else if added == 0 {
            gettext("Every account in this file is already in Latchkey.")
        } else {
            ngettext(
                "One account will be added.",
                "{n} accounts will be added.",
                added as u32,
            )
        };
        let n = if failed > 0 { failed } else { added };
        let label = gtk::Label::builder()
            .label(fill(&summary, &[("n", &n.to_string())]).as_str())
            .wrap(true)
            .xalign(0.0)
            .build();
        imp.preview_box.append(&label);
        let group =
            |title: String, entries: &[ImportEntry], why: &dyn Fn(&ImportEntry) -> String| {
                if entries.is_empty() {
                    return;
                }
                let g = adw::PreferencesGroup::new();
                g.set_title(&glib::markup_escape_text(&title));
                for e in entries {
                    let row = adw::ActionRow::new();
                    let name = match e.label() {
                        l if l.is_empty() => {
                            fill(&gettext("Entry {n}"), &[("n", &e.position.to_string())])
                        }
                        l => l,
                    };
                    row.set_title(&glib::markup_escape_text(&name));
                    let detail = why(e);
                    if !detail.is_empty() {
                        row.set_subtitle(&glib::markup_escape_text(&detail));
                    }
                    g.add(&row);
                }
                imp.preview_box.append(&g);
            };
        group(gettext("Cannot Be Imported"), &report.failed, &|e| {
            e.reason.clone().unwrap_or_default()
        });
        group(gettext("To Be Added"), &report.added, &|_| String::new());
        group(
            gettext("Already in Latchkey"),
            &report.skipped,
            &|e| match e.duplicate_of.as_deref() {
                Some(d) if d.starts_with("entry ") => fill(
                    &gettext("The same as {entry} in this file"),
                    &[("entry", d)],
                ),
                _ => gettext("Skipped: the vault has it"),
            },
        );
        if !report.notes.is_empty() {
            let g = adw::PreferencesGroup::new();
            g.set_title(&gettext("Not Carried Over"));
            for note in &report.notes {
                let row = adw::ActionRow::new();
                row.set_title(&glib::markup_escape_text(note));
                row.set_title_lines(0);
                g.add(&row);
            }
            imp.preview_box.append(&g);
        }
        imp.import_button.set_label(&fill(
            &ngettext("Import {n} Account", "Import {n} Accounts", added as u32),
            &[("n", &added.to_string())],
        ));
        imp.import_button.set_visible(true);
        imp.import_button.set_sensitive(failed == 0 && added > 0);
        imp.stages.set_visible_child_name("preview");
    }

    /// Imports what the preview showed.
    fn commit(&self) {
        let imp = self.imp();
        let Some(data) = imp.data.borrow().clone() else {
            return;
        };
        let pass = imp.passphrase.borrow().clone();
        imp.import_button.set_sensitive(false);
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = d)]
            self,
            async move {
                match daemon::import(data, "auto", pass, false).await {
                    Ok(report) if report.failed.is_empty() => {
                        let n = report.added.len();
                        if let Some(w) = d.imp().window.upgrade() {
                            w.toast(&fill(
                                &ngettext(
                                    "{n} account imported",
                                    "{n} accounts imported",
                                    n as u32,
                                ),
                                &[("n", &n.to_string())],
                            ));
                        }
                        d.close();
                    }
                    // Something changed since the preview (another client added an account):
                    // show what the daemon says now.
                    Ok(report) => d.show_preview(&report),
                    Err(e) => d.refuse(&e.message()),
                }
            }
        ));
    }
}
