//! The window's actions; keyboard shortcuts and buttons activate these, and so does the
//! automation hook, so tests drive the same code paths as people.

use super::Window;
use crate::daemon;
use crate::widgets::{AccountDetails, AddDialog, ExportDialog, ImportDialog, PreferencesWindow};
use adw::prelude::*;
use adw::subclass::prelude::*;
use gtk::{gio, glib};

impl Window {
    pub(super) fn setup_actions(&self) {
        let win = self;
        let simple = |name: &str, f: fn(&Window)| {
            let action = gio::SimpleAction::new(name, None);
            action.connect_activate(glib::clone!(
                #[weak]
                win,
                move |_, _| f(&win)
            ));
            win.add_action(&action);
        };
        simple("lock", |w| w.lock());
        simple("unlock", |w| w.unlock());
        simple("unlock-keyring", |w| w.unlock_keyring());
        simple("add", |w| AddDialog::new(w).present());
        simple("import", |w| ImportDialog::new(w).present());
        simple("export", |w| ExportDialog::new(w).present());
        simple("restore-file", |w| w.restore_file());
        simple("show-requests", |w| w.show_put_off());
        simple("create-vault", |w| w.create_vault());
        simple("setup-done", |w| w.setup_done());
        simple("retry", |w| w.reload_state());
        simple("search", |w| {
            let imp = w.imp();
            if !imp.locked.get() {
                imp.search_button.set_active(true);
                imp.search_entry.grab_focus();
            }
        });
        simple("show-help-overlay", show_shortcuts);
        let keyring = gio::SimpleAction::new("setup-keyring", Some(glib::VariantTy::BOOLEAN));
        keyring.connect_activate(glib::clone!(
            #[weak]
            win,
            move |_, param| {
                if let Some(on) = param.and_then(|p| p.get::<bool>()) {
                    win.setup_keyring(on);
                }
            }
        ));
        win.add_action(&keyring);
        simple("preferences", |w| PreferencesWindow::new(w).present());
        simple("copy-selected", |w| {
            if let Some(a) = w.selected_account() {
                w.copy_code(a.id());
            }
        });
        simple("details-selected", |w| {
            if let Some(a) = w.selected_account() {
                w.show_details(&a);
            }
        });
        let with_id = |name: &str, f: fn(&Window, String)| {
            let action = gio::SimpleAction::new(name, Some(glib::VariantTy::STRING));
            action.connect_activate(glib::clone!(
                #[weak]
                win,
                move |_, param| {
                    if let Some(id) = param.and_then(|p| p.get::<String>()) {
                        f(&win, id);
                    }
                }
            ));
            win.add_action(&action);
        };
        with_id("copy", |w, id| w.copy_code(id));
        with_id("toggle-reveal", |w, id| {
            if let Some(a) = w.imp().accounts.get(&id) {
                a.set_revealed(!a.revealed());
                w.tick();
            }
        });
        with_id("details", |w, id| {
            if let Some(a) = w.imp().accounts.get(&id) {
                w.show_details(&a);
            }
        });
    }

    /// Turns the actions that need an open vault (adding, copying, details) on or off, so
    /// their shortcuts do nothing while there is no vault or it is locked.
    pub(super) fn set_vault_open(&self, open: bool) {
        for name in [
            "add",
            "import",
            "export",
            "copy-selected",
            "details-selected",
            "copy",
            "details",
        ] {
            if let Some(a) = self.lookup_action(name).and_downcast::<gio::SimpleAction>() {
                a.set_enabled(open);
            }
        }
    }

    /// Creates the vault with the passphrase typed on the setup page; it stays open there, on
    /// the page's next step.
    fn create_vault(&self) {
        let page = self.imp().setup_page.clone();
        let passphrase = page.take_passphrase();
        page.set_busy(true);
        page.set_error("");
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = win)]
            self,
            async move {
                win.imp().setting_up.set(true);
                let result = daemon::create(passphrase).await;
                page.set_busy(false);
                match result {
                    Ok(()) => {
                        page.show_ready(win.imp().keyring_unlock.get());
                        win.set_vault_open(true);
                    }
                    Err(e) => {
                        win.imp().setting_up.set(false);
                        page.set_error(&e.message());
                    }
                }
                win.reload_state();
            }
        ));
    }

    /// Restores a backup picked by the user as the vault (first run, no vault yet).
    fn restore_file(&self) {
        crate::widgets::files::open(
            self,
            &crate::i18n::gettext("Choose a Backup"),
            &[crate::widgets::files::backups()],
            glib::clone!(
                #[weak(rename_to = win)]
                self,
                move |path| {
                    let w = win.downgrade();
                    crate::widgets::restore_file(&win, path, false, move |sentence| {
                        if let Some(w) = w.upgrade() {
                            w.toast(&sentence);
                            w.reload_state();
                        }
                    });
                }
            ),
        );
    }

    /// A file dropped on the window: imported, after the preview.
    pub(super) fn import_dropped(&self, path: std::path::PathBuf) {
        if !self.imp().locked.get() {
            let d = ImportDialog::new(self);
            d.present();
            d.load_file(path);
        }
    }

    /// Switches keyring unlock from the setup page.
    fn setup_keyring(&self, on: bool) {
        let page = self.imp().setup_page.clone();
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = win)]
            self,
            async move {
                match daemon::set_keyring(on).await {
                    Ok(()) => page.show_keyring(on, ""),
                    Err(e) => page.show_keyring(!on, &e.message()),
                }
                win.reload_state();
            }
        ));
    }

    /// Leaves the setup page for the accounts.
    fn setup_done(&self) {
        self.imp().setting_up.set(false);
        self.reload_state();
    }

    fn lock(&self) {
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = win)]
            self,
            async move {
                if let Err(e) = daemon::lock().await {
                    win.toast(&e.message());
                }
                win.reload_state();
            }
        ));
    }

    fn unlock(&self) {
        let page = self.imp().unlock_page.clone();
        let passphrase = page.take_passphrase();
        if passphrase.is_empty() {
            page.set_error("Enter your passphrase.");
            return;
        }
        page.set_busy(true);
        page.set_error("");
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = win)]
            self,
            async move {
                let result = daemon::unlock(passphrase).await;
                page.set_busy(false);
                match result {
                    Ok(()) => {}
                    Err(latchkey_dbus::Error::BadPassphrase(_)) => {
                        page.set_error("Wrong passphrase. Try again.");
                        page.focus_entry();
                    }
                    Err(e) => {
                        page.set_error(&e.message());
                        page.focus_entry();
                    }
                }
                win.reload_state();
            }
        ));
    }

    fn unlock_keyring(&self) {
        let page = self.imp().unlock_page.clone();
        page.set_busy(true);
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = win)]
            self,
            async move {
                let result = daemon::unlock_with_keyring().await;
                page.set_busy(false);
                if let Err(e) = result {
                    page.set_error(&e.message());
                }
                win.reload_state();
            }
        ));
    }

    /// Opens the detail view of an account (large code, rename, remove).
    pub fn show_details(&self, account: &crate::models::AccountObject) {
        self.close_details();
        let details = AccountDetails::new(self, account);
        details.present();
    }

    /// Closes open detail windows (on lock: no code stays on screen).
    pub(super) fn close_details(&self) {
        for w in gtk::Window::list_toplevels() {
            if let Ok(d) = w.downcast::<AccountDetails>() {
                d.close();
            }
        }
    }
}

/// The Keyboard Shortcuts window (Ctrl+?).
fn show_shortcuts(parent: &Window) {
    let builder = gtk::Builder::from_string(SHORTCUTS_UI);
    if let Some(window) = builder.object::<gtk::ShortcutsWindow>("shortcuts") {
        window.set_transient_for(Some(parent));
        window.set_modal(true);
        window.present();
    }
}

const SHORTCUTS_UI: &str = include_str!("shortcuts.ui");
