//! The approvals service: the request registry, the verified callers, who waits for which
//! answer, and a request's life from opened to resolved.
//!
//! It is a service, not part of the bus: consent checks, passphrase prompts and push challenges
//! open requests here alike. How a request is shown to the user (its D-Bus object, the signals,
//! the desktop notification) is the [`Surface`] the bus gives it, so this module never names
//! the bus.

use super::{Approvals, Caller, Decision, DecisionError, Full, Outcome, Request, Requester};
use crate::access::Identities;
use crate::activity::{ActivityLog, Entry};
use crate::clock::unix_now;
use crate::events::{Event, Events, Security};
use crate::settings::Settings;
use crate::state::{SharedState, lock_state};
use futures_util::future::BoxFuture;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use zbus::message::Header;

/// How requests are shown: the bus serves an object per request, signals clients and shows a
/// notification. The hub calls it at each step of a request's life.
pub trait Surface: Send + Sync {
    /// Serves `request`'s object before anyone learns its path.
    fn serve<'a>(
        self: Arc<Self>,
        conn: &'a zbus::Connection,
        hub: &'a Arc<ApprovalHub>,
        request: &'a Request,
    ) -> BoxFuture<'a, zbus::Result<()>>;
    /// Shows a request that is now registered (a notification, on a task of its own).
    fn announce(
        self: Arc<Self>,
        conn: &zbus::Connection,
        hub: &Arc<ApprovalHub>,
        request: &Request,
    );
    /// Tells the requester the outcome of `request` and takes its object and notification down.
    fn withdraw<'a>(
        self: Arc<Self>,
        conn: &'a zbus::Connection,
        hub: &'a Arc<ApprovalHub>,
        request: &'a Request,
    ) -> BoxFuture<'a, ()>;
}

/// A consent answer as a waiting method gets it: the outcome, and whether to remember it (an
/// approval answered "always", a denial not answered "not now").
pub type ConsentAnswer = (Outcome, bool);

/// Everything approvals need, shared by the bus interfaces, request objects and background tasks.
pub struct ApprovalHub {
    approvals: Mutex<Approvals>,
    /// The pinned identity of every connection on the bus.
    pub identities: Identities,
    state: SharedState,
    settings: Arc<Settings>,
    /// Where every resolved request is written down.
    pub activity: ActivityLog,
    surface: Arc<dyn Surface>,
    /// Methods waiting for a consent answer.
    waiters: Mutex<HashMap<String, tokio::sync::oneshot::Sender<ConsentAnswer>>>,
    /// Consent requests answered "always allow", until they resolve.
    always: Mutex<HashSet<String>>,
    /// Consent requests answered "not now": denied this time, nothing remembered.
    dismissed: Mutex<HashSet<String>>,
    /// Tasks waiting for the whole resolved request (push answers need the user's pick).
    request_waiters: Mutex<HashMap<String, tokio::sync::oneshot::Sender<Request>>>,
    /// Where security events about requests are published.
    pub events: Events,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl ApprovalHub {
    /// The hub over the vault state (for the unlock policy) and settings, shown through `surface`.
    pub fn new(
        state: SharedState,
        settings: Arc<Settings>,
        activity: ActivityLog,
        events: Events,
        surface: Arc<dyn Surface>,
    ) -> Arc<Self> {
        Arc::new(Self {
            approvals: Mutex::new(Approvals::default()),
            identities: Identities::default(),
            state,
            settings,
            activity,
            surface,
            waiters: Mutex::new(HashMap::new()),
            always: Mutex::new(HashSet::new()),
            dismissed: Mutex::new(HashSet::new()),
            request_waiters: Mutex::new(HashMap::new()),
            events,
        })
    }

    /// The request registry, even if a panic poisoned its lock.
    pub fn registry(&self) -> MutexGuard<'_, Approvals> {
        lock(&self.approvals)
    }

    /// The verified identity of a message's sender; callers of another uid are refused.
    pub async fn caller_of(
        &self,
        conn: &zbus::Connection,
        header: &Header<'_>,
    ) -> Result<Caller, crate::access::IdentityError> {
        let sender = header
            .sender()
            .ok_or(crate::access::IdentityError::NoSender)?;
        self.identities.identify(conn, sender).await
    }

    /// A future that resolves with the outcome of request `path` (for consent checks).
    pub fn wait_for(&self, path: &str) -> tokio::sync::oneshot::Receiver<ConsentAnswer> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        lock(&self.waiters).insert(path.to_string(), tx);
        rx
    }

    /// A future that resolves with request `path` as it ended (outcome and the user's pick).
    pub fn wait_for_request(&self, path: &str) -> tokio::sync::oneshot::Receiver<Request> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        lock(&self.request_waiters).insert(path.to_string(), tx);
        rx
    }

    /// A path for a new request from `who`, its place taken.
    pub fn admit(&self, who: Requester) -> Result<String, Full> {
        self.registry().admit(who)
    }

    /// Pending requests, for listing.
    pub fn pending(&self) -> Vec<Request> {
        self.registry().pending().cloned().collect()
    }

    /// Registers a request, has it shown, and arms its expiry.
    pub async fn open(
        self: &Arc<Self>,
        conn: &zbus::Connection,
        request: Request,
    ) -> zbus::Result<()> {
        let path = request.path.clone();
        if let Err(e) = self.surface.clone().serve(conn, self, &request).await {
            self.registry().release(&path);
            return Err(e);
        }
        self.registry().add(request.clone());
        tracing::info!(event = "approval-requested", request = %path, kind = %request.kind, caller = %request.caller.label(), "approval requested");
        self.count();
        self.events.publish(Event::RequestAdded {
            path: path.clone(),
            kind: request.kind.clone(),
            created: request.created,
            expires: request.expires,
        });
        self.surface.clone().announce(conn, self, &request);
        let hub = self.clone();
        let conn = conn.clone();
        tokio::spawn(async move {
            let wait = request.expires.saturating_sub(unix_now());
            tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
            hub.finish(&conn, &path, Outcome::Expired).await;
        });
        Ok(())
    }

    /// Applies a user's decision under the policy.
    pub async fn decide(
        self: &Arc<Self>,
        conn: &zbus::Connection,
        path: &str,
        decision: Decision,
        by: &str,
    ) -> Result<Outcome, DecisionError> {
        let unlocked = !lock_state(&self.state).locked();
        let needs_unlock = self.settings.current().approval_requires_unlock;
        let result = self
            .registry()
            .decide(path, decision, unix_now(), unlocked, needs_unlock);
        match result {
            Ok(request) => {
                let outcome = request.outcome.unwrap_or(Outcome::Denied);
                self.resolved(conn, request, by).await;
                Ok(outcome)
            }
            Err(DecisionError::Expired) => {
                self.finish(conn, path, Outcome::Expired).await;
                Err(DecisionError::Expired)
            }
            Err(e) => Err(e),
        }
    }

    /// Answers a consent request: `once`, `always` (remembered), `deny` (remembered) or
    /// `not-now` (denied this time only: what closing the question means).
    pub async fn answer_consent(
        self: &Arc<Self>,
        conn: &zbus::Connection,
        path: &str,
        answer: &str,
        by: &str,
    ) -> Result<Outcome, ConsentError> {
        match self.registry().get(path).map(|r| r.kind == "consent") {
            None => return Err(DecisionError::NotFound(path.to_string()).into()),
            Some(false) => return Err(ConsentError::NotConsent),
            Some(true) => {}
        }
        let decision = match answer {
            "once" => Decision::Approve { number: None },
            "always" => {
                lock(&self.always).insert(path.to_string());
                Decision::Approve { number: None }
            }
            "deny" => Decision::Deny,
            "not-now" => {
                lock(&self.dismissed).insert(path.to_string());
                Decision::Deny
            }
            other => return Err(ConsentError::Answer(other.to_string())),
        };
        let result = self.decide(conn, path, decision, by).await;
        if result.is_err() {
            lock(&self.always).remove(path);
            lock(&self.dismissed).remove(path);
        }
        Ok(result?)
    }

    /// Ends a request without a user decision (expiry, cancellation, requester gone).
    pub async fn finish(self: &Arc<Self>, conn: &zbus::Connection, path: &str, outcome: Outcome) {
        let ended = self.registry().finish(path, outcome);
        if let Some(request) = ended {
            self.resolved(conn, request, "latchkeyd").await;
        }
    }

    /// Cancels every request of a requester that left the bus.
    pub async fn caller_left(self: &Arc<Self>, conn: &zbus::Connection, bus_name: &str) {
        self.identities.forget(bus_name);
        let paths = self.registry().by_caller(bus_name);
        for path in paths {
            self.finish(conn, &path, Outcome::Cancelled).await;
        }
    }

    /// Hands a resolved request to its waiters, logs it and has it withdrawn.
    async fn resolved(self: &Arc<Self>, conn: &zbus::Connection, request: Request, by: &str) {
        let outcome = request.outcome.unwrap_or(Outcome::Cancelled);
        let path = request.path.as_str();
        let always = lock(&self.always).remove(path);
        let dismissed = lock(&self.dismissed).remove(path);
        let remember = match outcome {
            Outcome::Approved => always,
            Outcome::Denied => !dismissed,
            _ => false,
        };
        if let Some(waiter) = lock(&self.waiters).remove(path) {
            let _ = waiter.send((outcome, remember));
        }
        if let Some(waiter) = lock(&self.request_waiters).remove(path) {
            let _ = waiter.send(request.clone());
        }
        tracing::info!(event = "approval-resolved", request = %path, outcome = outcome.as_str(), by, caller = %request.caller.label(), "request resolved");
        self.activity.append(&Entry {
            time: unix_now(),
            event: &request.kind,
            outcome: outcome.as_str(),
            title: &request.claims.title,
            caller: &request.caller.label(),
            detail: by,
        });
        self.count();
        self.events.publish(Event::RequestResolved {
            path: path.to_string(),
            outcome: outcome.as_str(),
        });
        self.surface.clone().withdraw(conn, self, &request).await;
        if outcome == Outcome::WrongNumber {
            // Broadcast to every app: the request's path only, not what it was for.
            let msg = "A wrong number was picked for a sign-in request, so it was denied \
                       (the activity log says which)";
            self.events
                .security(Security::new("approval-wrong-number", msg).with("request", path));
        }
    }

    /// Records the pending count in the state, for its status line.
    fn count(&self) {
        let n = self.registry().len();
        lock_state(&self.state).set_pending_requests(n);
    }
}

/// Why a consent answer was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConsentError {
    #[error(transparent)]
    Decision(#[from] DecisionError),
    #[error("not a consent request: use Approve or Deny")]
    NotConsent,
    #[error("answer must be once, always, deny or not-now, not {0:?}")]
    Answer(String),
}
