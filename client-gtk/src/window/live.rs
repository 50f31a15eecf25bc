//! Live state: daemon signals, lock state, and reconnecting when latchkeyd restarts.

use super::Window;
use crate::daemon::{self, Event};
use crate::i18n::{fill, gettext};
use adw::subclass::prelude::*;
use gtk::glib;
use gtk::prelude::*;
use std::time::Duration;

impl Window {
    /// Starts listening to the daemon and shows the first page.
    pub fn connect_daemon(&self) {
        let events = daemon::watch();
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = win)]
            self,
            async move {
                while let Ok(event) = events.recv().await {
                    win.handle(event);
                }
            }
        ));
        self.reload_state();
    }

    fn handle(&self, event: Event) {
        tracing::debug!("event {event:?}");
        match event {
            Event::Daemon(true) | Event::StateChanged => self.reload_state(),
            Event::Daemon(false) => self.daemon_gone(
                &gettext("Latchkey Stopped"),
                &gettext("Latchkey's background service stopped. Reconnecting…"),
                "",
            ),
            // The unlock call reports its own failure; the event only refreshes the delay.
            Event::Security => self.reload_state(),
            Event::AccountsChanged => {
                if !self.imp().locked.get() {
                    self.reload_accounts();
                }
            }
            Event::RequestAdded => self.show_pending(),
            Event::RequestResolved(path, result) => self.request_resolved(&path, &result),
            Event::SyncChanged => crate::widgets::sync_changed(),
        }
    }

    /// Re-reads lock state and shows the matching page (and pending requests).
    pub fn reload_state(&self) {
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = win)]
            self,
            async move {
                match daemon::state().await {
                    Ok(state) => win.apply_state(state),
                    Err(e) => win.daemon_gone(
                        &gettext("Cannot Reach Latchkey"),
                        &gettext(
                            "Latchkey keeps your accounts in a background service, and it did \
                             not answer. It starts by itself when Latchkey is installed \
                             completely; logging out and back in starts it too. This window \
                             keeps trying.",
                        ),
                        &fill(&gettext("Details: {reason}"), &[("reason", &e.message())]),
                    ),
                }
            }
        ));
    }

    fn apply_state(&self, state: daemon::VaultState) {
        let imp = self.imp();
        let was_connected = imp.connected.replace(true);
        let was_locked = imp.locked.replace(state.locked || !state.initialized);
        if was_locked != imp.locked.get() {
            self.dialogs_locked(imp.locked.get());
        }
        imp.keyring_unlock.set(state.keyring_unlock);
        imp.retry_button.set_visible(false);
        imp.problem_label.set_visible(false);
        self.set_vault_open(state.initialized && !state.locked);
        if !state.initialized {
            imp.accounts.clear();
            imp.setting_up.set(false);
            if self.page() != "setup" {
                self.close_details();
                imp.setup_page.start();
                imp.stack.set_visible_child_name("setup");
            }
            return;
        }
        if imp.setting_up.get() && !state.locked {
            // Just created here: the setup page offers what comes next until the user moves on.
            self.show_pending();
            return;
        }
        imp.setting_up.set(false);
        imp.unlock_page.show_state(&state);
        if state.locked {
            if !was_locked || !was_connected || self.page() != "unlock" {
                self.forget_codes();
                imp.accounts.clear();
                self.close_details();
                imp.stack.set_visible_child_name("unlock");
                imp.unlock_page.focus_entry();
            }
        } else {
            if was_locked || !was_connected || self.page() != "accounts" {
                imp.unlock_page.set_error("");
                imp.stack.set_visible_child_name("accounts");
                imp.list_view.grab_focus();
            }
            self.reload_accounts();
        }
        self.show_pending();
    }

    /// Fetches account metadata again (another client changed something).
    pub fn reload_accounts(&self) {
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = win)]
            self,
            async move {
                match daemon::list_accounts().await {
                    Ok(list) => {
                        win.imp().accounts.replace(list);
                        win.update_list_page();
                        win.tick();
                    }
                    Err(e) => win.call_failed(&e),
                }
            }
        ));
    }

    /// The daemon is not there: say so in words (`problem` is the technical reason, shown small)
    /// and retry every two seconds until it answers; Try Again retries at once.
    fn daemon_gone(&self, title: &str, text: &str, problem: &str) {
        let imp = self.imp();
        imp.connected.set(false);
        imp.locked.set(true);
        imp.setting_up.set(false);
        self.set_vault_open(false);
        self.forget_codes();
        imp.accounts.clear();
        self.close_details();
        imp.status_page.set_title(title);
        imp.status_page
            .set_description(Some(&glib::markup_escape_text(text)));
        imp.retry_button.set_visible(!problem.is_empty());
        imp.problem_label.set_label(problem);
        imp.problem_label.set_visible(!problem.is_empty());
        imp.stack.set_visible_child_name("loading");
        if imp.reconnecting.replace(true) {
            return;
        }
        glib::timeout_add_local(
            Duration::from_secs(2),
            glib::clone!(
                #[weak(rename_to = win)]
                self,
                #[upgrade_or]
                glib::ControlFlow::Break,
                move || {
                    if win.imp().connected.get() {
                        win.imp().reconnecting.set(false);
                        return glib::ControlFlow::Break;
                    }
                    win.reload_state();
                    glib::ControlFlow::Continue
                }
            ),
        );
    }
}
