//! Codes: the window's one timer, fetching codes for visible rows only, copying.

use super::Window;
use crate::daemon;
use crate::i18n::{fill, gettext};
use crate::models::AccountObject;
use crate::widgets::{AccountDetails, AccountRow, NEXT_CODE_WINDOW};
use adw::subclass::prelude::*;
use gtk::glib;
use gtk::prelude::*;
use latchkey_dbus::Error;
#[cfg(any(debug_assertions, feature = "test-hooks"))]
use std::sync::atomic::{AtomicU64, Ordering};

/// Code requests sent so far (the scroll benchmark reports it: only visible rows fetch).
#[cfg(any(debug_assertions, feature = "test-hooks"))]
pub static CODE_FETCHES: AtomicU64 = AtomicU64::new(0);

impl Window {
    /// One timer per window: every second it redraws the bound rows and the unlock delay.
    pub(super) fn start_timer(&self) {
        glib::timeout_add_seconds_local(
            1,
            glib::clone!(
                #[weak(rename_to = win)]
                self,
                #[upgrade_or]
                glib::ControlFlow::Break,
                move || {
                    win.tick();
                    glib::ControlFlow::Continue
                }
            ),
        );
    }

    /// Redraws everything time-dependent (called by the timer and after changes).
    pub fn tick(&self) {
        let now = crate::now();
        self.imp().unlock_page.tick(now);
        let rows: Vec<AccountRow> = self
            .imp()
            .rows
            .borrow()
            .iter()
            .filter_map(|r| r.upgrade())
            .collect();
        for row in rows {
            self.refresh_row(&row, now);
        }
        for w in gtk::Window::list_toplevels() {
            if let Ok(details) = w.downcast::<AccountDetails>() {
                details.refresh(now);
            }
        }
    }

    /// Redraws one row and fetches its code if it is shown and stale.
    pub(super) fn refresh_row(&self, row: &AccountRow, now: u64) {
        let Some(account) = row.account() else { return };
        let hide = self.imp().prefs.borrow().hide_codes;
        let shown = !hide || account.revealed();
        if shown
            && !self.imp().locked.get()
            && !account.is_approval_only()
            && !account.is_counter_based()
            && account.code_stale(now)
            && !account.fetching()
        {
            self.fetch_code(&account);
        }
        let expiring = account.valid_until().saturating_sub(now) <= NEXT_CODE_WINDOW;
        if shown
            && expiring
            && !account.code_stale(now)
            && !account.is_counter_based()
            && account.upcoming_code().is_none()
            && !account.fetching()
        {
            self.fetch_next_code(&account);
        }
        row.refresh(now, hide, account.upcoming_code().as_deref());
    }

    /// Asks the daemon for an account's current code.
    pub fn fetch_code(&self, account: &AccountObject) {
        self.fetch(account, false);
    }

    /// Asks the daemon for the code after the current one (shown near expiry).
    fn fetch_next_code(&self, account: &AccountObject) {
        self.fetch(account, true);
    }

    fn fetch(&self, account: &AccountObject, next: bool) {
        #[cfg(any(debug_assertions, feature = "test-hooks"))]
        CODE_FETCHES.fetch_add(1, Ordering::Relaxed);
        account.set_fetching(true);
        let id = account.id();
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = win)]
            self,
            #[weak]
            account,
            async move {
                let result = if next {
                    daemon::next_code(id).await
                } else {
                    daemon::code(id).await
                };
                account.set_fetching(false);
                match result {
                    Ok((code, from, _)) if next => {
                        account.set_next_code(code);
                        account.set_next_valid_from(from);
                    }
                    Ok((code, _, until)) => {
                        account.set_code(code);
                        account.set_valid_until(until);
                        account.set_next_code("");
                    }
                    Err(e) if next => tracing::debug!("no next code: {}", e.message()),
                    Err(e) => win.call_failed(&e),
                }
                win.tick();
            }
        ));
    }

    /// Copies an account's code: a fresh one when the shown one is stale (and always for HOTP).
    pub fn copy_code(&self, id: String) {
        let Some(account) = self.imp().accounts.get(&id) else {
            return;
        };
        if account.is_approval_only() {
            self.toast(&gettext("This account approves sign-ins; it has no code"));
            return;
        }
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = win)]
            self,
            async move {
                let now = crate::now();
                let code = if account.is_counter_based() || account.code_stale(now + 1) {
                    match daemon::code(account.id()).await {
                        Ok((code, _, until)) => {
                            account.set_code(code.as_str());
                            account.set_valid_until(until);
                            code
                        }
                        Err(e) => return win.call_failed(&e),
                    }
                } else {
                    account.code()
                };
                let delay = win.imp().prefs.borrow().clipboard_clear_seconds;
                crate::clipboard::copy(&WidgetExt::display(&win), &code, delay);
                // Short enough for a toast at 360 px (libadwaita 1.2 cuts a longer one): the
                // row's heading, itself cut to a few words. How long the clipboard keeps the
                // code is in Preferences.
                let text = fill(
                    &gettext("{account}: code copied"),
                    &[("account", &short(&account.heading().0))],
                );
                win.toast(&text);
                win.tick();
            }
        ));
    }

    /// Reacts to a failed call: locked → unlock page; otherwise a toast with the message.
    pub fn call_failed(&self, e: &Error) {
        match e {
            Error::Locked(_) => self.reload_state(),
            other => self.toast(&other.message()),
        }
    }

    /// Conceals every code again and forgets fetched codes (on lock).
    pub(super) fn forget_codes(&self) {
        let store = self.imp().accounts.store();
        for i in 0..store.n_items() {
            if let Some(a) = store.item(i).and_downcast::<AccountObject>() {
                a.clear_code();
                a.set_revealed(false);
            }
        }
    }
}

/// `text` cut to 18 characters, with an ellipsis when it was longer.
fn short(text: &str) -> String {
    const MAX: usize = 18;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", text[..cut].trim_end()),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_headings_are_cut_for_a_toast() {
        assert_eq!(super::short("GitHub"), "GitHub");
        assert_eq!(
            super::short("The Very Long Example Corporation"),
            "The Very Long Exam…"
        );
    }
}
