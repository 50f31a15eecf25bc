//! The desktop's search (GNOME Shell's search provider, KDE's KRunner) finds accounts and copies
//! their codes through the app.
//!
//! GNOME Authenticator puts the live code into the result's `clipboardText`, which any process
//! on the bus can read by asking. Here a search is hardened: results only while the vault is
//! unlocked; a result carries the issuer and account, never a code; activating one copies the
//! code the way the app does (marked secret for clipboard managers, cleared after the delay,
//! a notification naming the account) and counts as use; every caller is rate-limited, and a
//! caller may activate only a result it was given by a search of its own. Same-user processes
//! can still call the search as the shell does: the notification is what makes a copy visible.

mod krunner;
mod shell;

use crate::daemon;
use crate::i18n::{fill, gettext};
use adw::prelude::*;
use gtk::{gdk, gio, glib};
use latchkey_dbus::AccountInfo;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// Searches a caller may run in [`WINDOW`] (a person types a few letters a second).
const SEARCHES: u32 = 60;
/// Codes a caller may have copied in [`WINDOW`].
const COPIES: u32 = 6;
const WINDOW: Duration = Duration::from_secs(60);
/// How long a result stays activatable after it was given.
const OFFER: Duration = Duration::from_secs(120);
/// Most results one search returns.
const MAX_RESULTS: usize = 20;

/// One account found: its id, and the two lines a result shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: String,
    pub title: String,
    pub subtitle: String,
}

/// What is kept about one caller (a unique bus name).
struct Caller {
    since: Instant,
    searches: u32,
    copies: u32,
    /// Result ids given to this caller, and when.
    offered: HashMap<String, Instant>,
}

impl Caller {
    fn new() -> Self {
        Self {
            since: Instant::now(),
            searches: 0,
            copies: 0,
            offered: HashMap::new(),
        }
    }

    /// Starts a new window when the last one is over.
    fn roll(&mut self) {
        if self.since.elapsed() >= WINDOW {
            self.since = Instant::now();
            self.searches = 0;
            self.copies = 0;
        }
        self.offered.retain(|_, at| at.elapsed() < OFFER);
    }
}

/// Why a search or an activation was refused (the caller gets a D-Bus error or no results).
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("too many searches; try again in a minute")]
    TooMany,
    #[error("that result was not given to this caller by a search")]
    NotOffered,
    #[error("{0}")]
    Daemon(String),
}

/// The search service of one application.
pub struct Search {
    app: glib::WeakRef<adw::Application>,
    callers: RefCell<HashMap<String, Caller>>,
    /// The accounts as last listed, by id, for the results' metas.
    known: RefCell<HashMap<String, Hit>>,
}

impl Search {
    fn new(app: &adw::Application) -> Rc<Self> {
        Rc::new(Self {
            app: app.downgrade(),
            callers: RefCell::default(),
            known: RefCell::default(),
        })
    }

    /// Counts a search by `sender`; false past its limit.
    fn admit_search(&self, sender: &str) -> bool {
        let mut callers = self.callers.borrow_mut();
        let c = callers
            .entry(sender.to_string())
            .or_insert_with(Caller::new);
        c.roll();
        c.searches += 1;
        c.searches <= SEARCHES
    }

    /// The accounts matching every term (case-insensitive, in the issuer or the account name),
    /// with codes; none while the vault is locked or the caller is over its limit.
    pub async fn find(&self, sender: &str, terms: &[String]) -> Vec<Hit> {
        if !self.admit_search(sender) {
            tracing::info!(sender, "desktop search: too many searches, none answered");
            return Vec::new();
        }
        let terms: Vec<String> = terms
            .iter()
            .map(|t| t.trim().to_lowercase())
            .filter(|t| !t.is_empty())
            .collect();
        if terms.is_empty() {
            return Vec::new();
        }
        let accounts = match daemon::state().await {
            Ok(s) if s.initialized && !s.locked => match daemon::list_accounts().await {
                Ok(list) => list,
                Err(_) => return Vec::new(),
            },
            _ => return Vec::new(),
        };
        let hits: Vec<Hit> = accounts
            .iter()
            .filter(|a| a.kind.has_codes() && matches(a, &terms))
            .take(MAX_RESULTS)
            .map(hit)
            .collect();
        let mut known = self.known.borrow_mut();
        known.clear();
        known.extend(accounts.iter().map(|a| (a.id.clone(), hit(a))));
        let mut callers = self.callers.borrow_mut();
        if let Some(c) = callers.get_mut(sender) {
            for h in &hits {
                c.offered.insert(h.id.clone(), Instant::now());
            }
        }
        hits
    }

    /// The results' two lines, for ids this caller was given.
    pub fn metas(&self, sender: &str, ids: &[String]) -> Vec<Hit> {
        let callers = self.callers.borrow();
        let Some(c) = callers.get(sender) else {
            return Vec::new();
        };
        let known = self.known.borrow();
        ids.iter()
            .filter(|id| c.offered.contains_key(*id))
            .filter_map(|id| known.get(id).cloned())
            .collect()
    }

    /// Copies the code of result `id` for `sender`, as the app copies one.
    pub async fn activate(&self, sender: &str, id: &str) -> Result<(), SearchError> {
        {
            let mut callers = self.callers.borrow_mut();
            let c = callers.get_mut(sender).ok_or(SearchError::NotOffered)?;
            c.roll();
            if !c.offered.contains_key(id) {
                return Err(SearchError::NotOffered);
            }
            c.copies += 1;
            if c.copies > COPIES {
                return Err(SearchError::TooMany);
            }
        }
        let Some(app) = self.app.upgrade() else {
            return Ok(());
        };
        let (code, _, _) = match daemon::code(id.to_string()).await {
            Ok(c) => c,
            Err(latchkey_dbus::Error::Locked(_)) => {
                // Locked since the search: the window asks for the passphrase.
                app.activate();
                return Ok(());
            }
            Err(e) => return Err(SearchError::Daemon(e.message())),
        };
        let label = self
            .known
            .borrow()
            .get(id)
            .map(|h| {
                if h.subtitle.is_empty() {
                    h.title.clone()
                } else {
                    format!("{} ({})", h.title, h.subtitle)
                }
            })
            .unwrap_or_default();
        let delay = crate::prefs::Prefs::load().clipboard_clear_seconds;
        let Some(display) = gdk::Display::default() else {
            return Err(SearchError::Daemon(gettext("no display to copy to")));
        };
        crate::clipboard::copy(&display, &code, delay);
        // The clipboard lives as long as the app: stay until it is cleared (or a while when
        // it is never cleared, so a paste can still happen).
        let guard = app.hold();
        let keep = if delay == 0 { 60 } else { delay + 1 };
        glib::timeout_add_seconds_local_once(keep, move || drop(guard));
        let body = if delay > 0 {
            fill(
                &gettext("Copied from the desktop's search; cleared from the clipboard in {n} s."),
                &[("n", &delay.to_string())],
            )
        } else {
            gettext("Copied from the desktop's search.")
        };
        let n = gio::Notification::new(&fill(
            &gettext("Code for {account} copied"),
            &[("account", &label)],
        ));
        n.set_body(Some(&body));
        n.set_priority(gio::NotificationPriority::High);
        app.send_notification(Some("search-copy"), &n);
        tracing::info!(sender, "desktop search copied a code");
        Ok(())
    }

    /// Opens the app's window searching for `terms`.
    pub fn launch(&self, terms: &[String]) {
        if let Some(app) = self.app.upgrade() {
            app.activate();
            if let Some(w) = app
                .active_window()
                .and_then(|w| w.downcast::<crate::window::Window>().ok())
            {
                w.set_search(&terms.join(" "));
            }
        }
    }
}

fn matches(a: &AccountInfo, terms: &[String]) -> bool {
    let (issuer, account) = (a.issuer.to_lowercase(), a.account.to_lowercase());
    terms
        .iter()
        .all(|t| issuer.contains(t.as_str()) || account.contains(t.as_str()))
}

fn hit(a: &AccountInfo) -> Hit {
    let (title, subtitle) = if a.issuer.trim().is_empty() {
        (a.account.clone(), String::new())
    } else {
        (a.issuer.clone(), a.account.clone())
    };
    Hit {
        id: a.id.clone(),
        title,
        subtitle,
    }
}

/// The search objects exported on the application's connection.
pub struct Registration {
    ids: Vec<gio::RegistrationId>,
}

impl Registration {
    /// Removes the objects from `connection`.
    pub fn unregister(self, connection: &gio::DBusConnection) {
        for id in self.ids {
            let _ = connection.unregister_object(id);
        }
    }
}

/// Exports GNOME Shell's and KRunner's search interfaces for `app` on `connection`.
pub fn register(
    app: &adw::Application,
    connection: &gio::DBusConnection,
) -> Result<Registration, glib::Error> {
    let search = Search::new(app);
    Ok(Registration {
        ids: vec![
            shell::register(connection, search.clone())?,
            krunner::register(connection, search)?,
        ],
    })
}

/// Answers an invocation from a future on the main context: its value, or a D-Bus error.
fn reply<F>(invocation: gio::DBusMethodInvocation, call: F)
where
    F: std::future::Future<Output = Result<Option<glib::Variant>, SearchError>> + 'static,
{
    glib::spawn_future_local(async move {
        match call.await {
            Ok(value) => invocation.return_value(value.as_ref()),
            Err(e) => {
                invocation.return_dbus_error("org.freedesktop.DBus.Error.Failed", &e.to_string())
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use latchkey_dbus::{AccountExtra, AccountKind};

    fn account(issuer: &str, account: &str, kind: AccountKind) -> AccountInfo {
        AccountInfo {
            id: format!("{issuer}-{account}"),
            issuer: issuer.into(),
            account: account.into(),
            kind,
            algorithm: "sha1".into(),
            digits: 6,
            period: 30,
            extra: AccountExtra::default(),
        }
    }

    #[test]
    fn every_term_must_match_the_issuer_or_the_account() {
        let a = account("GitHub", "alice@example.com", AccountKind::Totp);
        assert!(matches(&a, &["git".into()]));
        assert!(matches(&a, &["git".into(), "alice".into()]));
        assert!(!matches(&a, &["git".into(), "bob".into()]));
        assert_eq!(hit(&account("", "root", AccountKind::Hotp)).title, "root");
    }

    #[test]
    fn a_caller_past_its_limit_is_refused() {
        let mut c = Caller::new();
        c.searches = SEARCHES;
        c.roll();
        assert_eq!(c.searches, SEARCHES, "the window is not over");
        c.since = Instant::now() - WINDOW;
        c.roll();
        assert_eq!(c.searches, 0);
    }
}
