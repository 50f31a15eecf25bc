//! `org.latchkey.Latchkey1.Browser`: a page's accounts and codes for the browser-fill host.
//!
//! Translation and the access decision only. The caller must be Latchkey's native-messaging
//! host; the browser is the process that started it (`access::browser`), the page's origin the
//! browser's claim, read by `sites`. A code goes only to a page the account belongs to, after the
//! consent gate asked about (browser, site, account); a locked vault asks the user to unlock and
//! waits. Every fill, given or refused, is a line in the activity log.

use super::Gate;
use super::consent::{Allowed, Asker};
use crate::access::browser::Browser;
use crate::activity::Entry;
use crate::approvals::Caller;
use crate::clock::unix_now;
use crate::events::{Event, Security, Urgency};
use crate::sites::{Match, Page};
use crate::state::{Service, StateError, lock_state};
use latchkey_dbus::limits::{self, check};
use latchkey_dbus::{Error, SiteAccount};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use zbus::message::Header;

/// Most accounts listed for one page (a reply stays far below the 1 MiB a browser accepts).
const MAX_LISTED: usize = 64;
/// How long a call waits for the user to unlock the vault.
const UNLOCK_WAIT: Duration = Duration::from_secs(60);
/// Calls that may wait for an unlock at once; more are told the vault is locked.
const MAX_WAITING: usize = 16;
/// Least time between two requests to unlock (notifications).
const ASK_AGAIN: Duration = Duration::from_secs(10);

/// The Browser interface object.
pub struct BrowserInterface {
    service: Arc<Service>,
    gate: Arc<Gate>,
    /// Calls waiting for an unlock now.
    waiting: AtomicUsize,
    /// When the user was last asked to unlock.
    asked: Mutex<Option<Instant>>,
}

#[zbus::interface(name = "org.latchkey.Latchkey1.Browser")]
impl BrowserInterface {
    /// The accounts with codes that belong to the page at `origin`; labels only.
    #[zbus(out_args("accounts"))]
    async fn accounts(
        &self,
        origin: &str,
        extension: &str,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<Vec<SiteAccount>, Error> {
        let (browser, page) = self.admit(origin, extension, &header, conn).await?;
        self.unlocked(&browser, &page).await?;
        let state = lock_state(self.service.state());
        Ok(state
            .belonging_to(&page)?
            .into_iter()
            .take(MAX_LISTED)
            .map(|(a, how)| SiteAccount {
                id: a.id.clone(),
                issuer: a.issuer.clone(),
                account: a.account.clone(),
                kind: a.kind_name().to_string(),
                guessed: how == Match::Guess,
                site: match how {
                    Match::Site(site) => site,
                    Match::Guess => page.site.clone(),
                },
            })
            .collect())
    }

    /// The code of account `id` for the page at `origin`, after consent for (browser, site,
    /// account); `(code, valid_from, valid_until)` as `Vault.GetCode`.
    #[zbus(out_args("code", "valid_from", "valid_until"))]
    async fn get_code(
        &self,
        origin: &str,
        extension: &str,
        id: &str,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<(String, u64, u64), Error> {
        check("the account id", id.as_bytes(), limits::ID)?;
        let (browser, page) = self.admit(origin, extension, &header, conn).await?;
        let result = self.fill(&browser, &page, id, conn).await;
        let (outcome, detail) = match &result {
            Ok((_, how)) => ("filled", how.as_str().to_string()),
            Err(e) => (refusal(e), e.message().to_string()),
        };
        let account = lock_state(self.service.state())
            .account(id)
            .map(crate::accounts::Account::label)
            .unwrap_or_else(|_| format!("account {id}"));
        self.gate.activity().append(&Entry {
            time: unix_now(),
            event: "fill",
            outcome,
            title: &format!("{}: the code for {account} on {}", browser.name, page.site),
            caller: &browser.caller.label(),
            detail: &detail,
        });
        result.map(|(code, _)| code)
    }
}

impl BrowserInterface {
    /// Serves codes for pages through the consent `gate`.
    pub fn new(service: Arc<Service>, gate: Arc<Gate>) -> Self {
        Self {
            service,
            gate,
            waiting: AtomicUsize::new(0),
            asked: Mutex::new(None),
        }
    }

    /// Checks the arguments and that the caller is the host; names the browser and the page.
    async fn admit(
        &self,
        origin: &str,
        extension: &str,
        header: &Header<'_>,
        conn: &zbus::Connection,
    ) -> Result<(Browser, Page), Error> {
        check("the origin", origin.as_bytes(), limits::ORIGIN)?;
        check("the extension", extension.as_bytes(), limits::EXTENSION)?;
        let host = self.gate.caller(conn, header).await?;
        if !self.gate.is_browser_host(&host) {
            let e = Error::AccessDenied(format!(
                "only Latchkey's browser host ({}) may ask for a page's codes; {} was refused",
                super::consent::HOST,
                host.label()
            ));
            return Err(self.gate.refuse(&host, "access-refused", e).await);
        }
        let browser = Browser::of(&host, self.gate.identities())
            .map_err(|e| Error::AccessDenied(e.to_string()))?;
        let page = Page::from_origin(origin).map_err(|e| Error::InvalidArgument(e.to_string()))?;
        tracing::debug!(browser = %browser.caller.label(), site = %page.site, extension, "browser call");
        Ok((browser, page))
    }

    /// The code for a page, and how the browser was let through.
    async fn fill(
        &self,
        browser: &Browser,
        page: &Page,
        id: &str,
        conn: &zbus::Connection,
    ) -> Result<((String, u64, u64), Allowed), Error> {
        self.unlocked(browser, page).await?;
        let (label, how) = {
            let state = lock_state(self.service.state());
            let account = state.account(id)?;
            let how = crate::sites::matches(&account.sites, &account.issuer, page)
                .ok_or_else(|| StateError::NotFound(id.to_string()))?;
            (account.label(), how)
        };
        let guessed = how == Match::Guess;
        let site = &page.site;
        let mut note = format!(
            "The site is what {} says; Latchkey found the browser itself.",
            browser.name
        );
        if guessed {
            note = format!(
                "Latchkey guessed from the issuer's name that this account belongs to {site}; \
                 allowing saves {site} as its site. {note}"
            );
        }
        let asker = Asker {
            identity: browser.identity(site),
            name: browser.name.clone(),
            caller: browser.caller.clone(),
            site: Some(site.clone()),
            note: Some(note),
            always_ask: guessed,
        };
        let what = format!("the code for {label} on {site}");
        let allowed = self.gate.ask(conn, asker, id, &what).await?;
        if guessed {
            let who = browser.caller.label();
            self.service
                .add_site(id.to_string(), site.clone(), &who)
                .await?;
        }
        let code = self.service.code(id).await?;
        let (from, until) = code.window.unwrap_or((0, 0));
        Ok(((code.code.to_string(), from, until), allowed))
    }

    /// Returns at once when the vault is unlocked; otherwise asks the user to unlock and waits
    /// for it (at most [`UNLOCK_WAIT`]).
    async fn unlocked(&self, browser: &Browser, page: &Page) -> Result<(), Error> {
        // Subscribed before looking, so an unlock in between is not missed.
        let mut events = self.service.events().subscribe();
        {
            let state = lock_state(self.service.state());
            if !state.initialized() {
                return Err(StateError::NotInitialized.into());
            }
            if !state.locked() {
                return Ok(());
            }
        }
        let still_locked = || {
            Error::Locked(format!(
                "the vault is locked: unlock Latchkey, then fill again (it waited {} s)",
                UNLOCK_WAIT.as_secs()
            ))
        };
        let waiting = Waiting::enter(&self.waiting).ok_or_else(still_locked)?;
        self.ask_to_unlock(&browser.caller, &browser.name, &page.site);
        let unlocked = async {
            while let Some(event) = events.next().await {
                if matches!(event, Event::Unlocked { .. }) {
                    return true;
                }
            }
            false
        };
        let result = tokio::time::timeout(UNLOCK_WAIT, unlocked).await;
        drop(waiting);
        match result {
            Ok(true) => Ok(()),
            _ => Err(still_locked()),
        }
    }

    /// Tells the user a browser waits for an unlock: a security event (for clients, which may
    /// show their unlock prompt) and a desktop notification, at most every [`ASK_AGAIN`]. The
    /// event every app hears names the browser, not the site.
    fn ask_to_unlock(&self, browser: &Caller, name: &str, site: &str) {
        {
            let mut asked = self.asked.lock().unwrap_or_else(|p| p.into_inner());
            if asked.is_some_and(|at| at.elapsed() < ASK_AGAIN) {
                return;
            }
            *asked = Some(Instant::now());
        }
        let event = Security::new(
            "unlock-requested",
            format!("{name} asks for a one-time code: unlock Latchkey to fill it"),
        )
        .with("app", browser.label())
        .notify(
            "Unlock Latchkey to fill a code",
            format!("{name} asks for a one-time code for {site}. Unlock Latchkey to fill it."),
            Urgency::Normal,
        );
        self.service.events().security(event);
    }
}

/// The activity log's word for a refused fill.
fn refusal(e: &Error) -> &'static str {
    match e {
        Error::Locked(_) => "locked",
        Error::AccessDenied(_) => "denied",
        Error::NotFound(_) => "not-found",
        _ => "failed",
    }
}

/// A place among the calls waiting for an unlock, given back on drop.
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn enter(count: &'a AtomicUsize) -> Option<Self> {
        let before = count.fetch_add(1, Ordering::SeqCst);
        let place = Self(count);
        (before < MAX_WAITING).then_some(place)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}
