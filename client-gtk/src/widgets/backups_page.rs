//! The Backups page of Preferences: the folder and the backups in it, a backup made now, and a
//! restore from one of them or from any Latchkey file. Whether and where backups are made is
//! on the Security page, with the other service settings.

use super::prompt::{self, Words};
use crate::daemon::{self, BackupFile};
use crate::i18n::{fill, gettext, ngettext};
use adw::prelude::*;
use gtk::{gio, glib};
use std::path::PathBuf;
use std::rc::Rc;

/// The page and what it refreshes.
pub struct BackupsPage {
    page: adw::PreferencesPage,
    actions: adw::PreferencesGroup,
    folder_group: adw::PreferencesGroup,
    list: gtk::ListBox,
    folder: std::cell::RefCell<String>,
    parent: glib::WeakRef<gtk::Window>,
}

impl BackupsPage {
    /// The page, in the window `parent`; call [`Self::refresh`] to fill it.
    pub fn new(parent: &gtk::Window) -> Rc<Self> {
        let page = adw::PreferencesPage::builder()
            .title(gettext("Backups"))
            .icon_name("document-save-symbolic")
            .build();
        let actions = adw::PreferencesGroup::new();
        let row = |title: String, subtitle: String, button: String| {
            let b = gtk::Button::builder()
                .label(button)
                .valign(gtk::Align::Center)
                .build();
            let row = adw::ActionRow::builder()
                .title(title)
                .subtitle(subtitle)
                .activatable_widget(&b)
                .build();
            row.add_suffix(&b);
            actions.add(&row);
            b
        };
        let now = row(
            gettext("Back Up Now"),
            gettext("Write an encrypted backup to the folder"),
            gettext("Back Up"),
        );
        let from_file = row(
            gettext("Restore From a File"),
            gettext("A Latchkey backup or export, from anywhere"),
            gettext("Choose…"),
        );
        page.add(&actions);
        let folder_group = adw::PreferencesGroup::builder()
            .title(gettext("In the Folder"))
            .build();
        let list = gtk::ListBox::new();
        list.add_css_class("boxed-list");
        list.set_selection_mode(gtk::SelectionMode::None);
        crate::a11y::name(&list, &gettext("Backups in the folder"));
        folder_group.add(&list);
        page.add(&folder_group);
        let this = Rc::new(Self {
            page,
            actions,
            folder_group,
            list,
            folder: Default::default(),
            parent: parent.downgrade(),
        });
        let t = Rc::downgrade(&this);
        now.connect_clicked(move |_| {
            if let Some(t) = t.upgrade() {
                t.back_up_now();
            }
        });
        let t = Rc::downgrade(&this);
        from_file.connect_clicked(move |_| {
            if let Some(t) = t.upgrade() {
                t.choose_file();
            }
        });
        this
    }

    /// The page widget.
    pub fn page(&self) -> &adw::PreferencesPage {
        &self.page
    }

    /// Lists the folder again; `open` says whether the vault is unlocked (backing up and
    /// restoring need it).
    pub fn refresh(self: &Rc<Self>, open: bool) {
        self.actions.set_sensitive(open);
        self.actions.set_description(
            (!open)
                .then(|| gettext("Unlock the vault to back up or restore."))
                .as_deref(),
        );
        let this = self.clone();
        glib::spawn_future_local(async move {
            match daemon::backups().await {
                Ok((folder, list)) => this.show(folder, &list, open),
                Err(e) => this.toast(&e.message()),
            }
        });
    }

    fn show(self: &Rc<Self>, folder: String, list: &[BackupFile], open: bool) {
        while let Some(row) = self.list.first_child() {
            self.list.remove(&row);
        }
        self.folder_group
            .set_description(Some(&glib::markup_escape_text(&fill(
                &gettext("Backups go to {folder}."),
                &[("folder", &folder)],
            ))));
        self.folder.replace(folder);
        if list.is_empty() {
            let row = adw::ActionRow::builder()
                .title(gettext("No backups yet"))
                .build();
            self.list.append(&row);
        }
        for b in list {
            let when = glib::DateTime::from_unix_local(b.time as i64)
                .and_then(|t| t.format("%x %X"))
                .map(|s| s.to_string())
                .unwrap_or_else(|_| b.file.clone());
            let whose = if b.ours {
                gettext("this computer")
            } else {
                gettext("another computer")
            };
            let row = adw::ActionRow::builder()
                .title(glib::markup_escape_text(&when).as_str())
                .subtitle(
                    glib::markup_escape_text(&format!(
                        "{} · {} · {whose}",
                        b.file,
                        glib::format_size(b.size)
                    ))
                    .as_str(),
                )
                .build();
            let restore = gtk::Button::builder()
                .label(gettext("Restore…"))
                .valign(gtk::Align::Center)
                .sensitive(open)
                .build();
            crate::a11y::name(
                &restore,
                &fill(&gettext("Restore the backup of {when}"), &[("when", &when)]),
            );
            let path = PathBuf::from(&*self.folder.borrow()).join(&b.file);
            let t = Rc::downgrade(self);
            restore.connect_clicked(move |_| {
                if let Some(t) = t.upgrade() {
                    t.restore(path.clone());
                }
            });
            row.add_suffix(&restore);
            self.list.append(&row);
        }
    }

    fn toast(&self, text: &str) {
        super::preferences::toast(&self.parent, text);
    }

    fn back_up_now(self: &Rc<Self>) {
        let this = self.clone();
        glib::spawn_future_local(async move {
            match daemon::backup_now().await {
                Ok(file) => {
                    this.toast(&fill(&gettext("Backed up to {file}"), &[("file", &file)]));
                    this.refresh(true);
                }
                Err(e) => this.toast(&e.message()),
            }
        });
    }

    fn choose_file(self: &Rc<Self>) {
        let Some(parent) = self.parent.upgrade() else {
            return;
        };
        let t = Rc::downgrade(self);
        super::files::open(
            &parent,
            &gettext("Choose a Backup"),
            &[super::files::backups()],
            move |path| {
                if let Some(t) = t.upgrade() {
                    t.restore(path);
                }
            },
        );
    }

    /// Restores the backup at `path` after asking the passphrase it was made with.
    fn restore(self: &Rc<Self>, path: PathBuf) {
        let Some(parent) = self.parent.upgrade() else {
            return;
        };
        let this = Rc::downgrade(self);
        restore_file(&parent, path, true, move |sentence| {
            if let Some(t) = this.upgrade() {
                t.toast(&sentence);
                t.refresh(true);
            }
        });
    }
}

/// Asks for the passphrase a backup at `path` was made with and restores it: into the vault,
/// or as the vault when there is none. `done` gets a sentence saying what happened.
pub fn restore_file(
    parent: &impl IsA<gtk::Window>,
    path: PathBuf,
    into_vault: bool,
    done: impl Fn(String) + 'static,
) {
    let file = path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let words = Words {
        title: gettext("Restore a Backup"),
        body: fill(
            &if into_vault {
                gettext(
                    "Enter the passphrase the vault had when {file} was made. Accounts already \
                     in the vault are kept; the backup's other accounts are added.",
                )
            } else {
                gettext(
                    "Enter the passphrase the vault had when {file} was made. The backup becomes \
                     your vault, with that passphrase.",
                )
            },
            &[("file", &file)],
        ),
        entry: gettext("The backup's passphrase"),
        button: gettext("Restore"),
    };
    let done = Rc::new(done);
    prompt::ask(parent, words, move |passphrase| {
        let (path, done) = (path.clone(), done.clone());
        async move {
            let data = gio::spawn_blocking(move || daemon::read_file(&path))
                .await
                .map_err(|_| gettext("Reading the file failed"))??;
            let r = daemon::restore(data, passphrase)
                .await
                .map_err(|e| prompt::failure(&e))?;
            let sentence = if r.created {
                fill(
                    &ngettext(
                        "Vault restored with {n} account",
                        "Vault restored with {n} accounts",
                        r.added,
                    ),
                    &[("n", &r.added.to_string())],
                )
            } else {
                fill(
                    &gettext("Restored: {added} added, {skipped} already in the vault"),
                    &[
                        ("added", &r.added.to_string()),
                        ("skipped", &r.skipped.to_string()),
                    ],
                )
            };
            done(sentence);
            Ok(())
        }
    });
}
