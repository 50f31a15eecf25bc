//! The approval hub: the request registry, verified callers, and who waits for which answer.

use crate::access::Identities;
use crate::activity::ActivityLog;
use crate::approvals::{Approvals, Caller, Decision, Outcome, Request, Requester};
use crate::bus::SharedState;
use crate::settings::Settings;
use latchkey_dbus::Error;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use zbus::message::Header;

/// Everything approvals need, shared by the interface, request objects and background tasks.
pub struct ApprovalHub {
    pub(in crate::bus) approvals: Mutex<Approvals>,
    pub(in crate::bus) identities: Identities,
    pub(super) state: SharedState,
    pub(super) settings: Arc<Settings>,
    pub(in crate::bus) activity: ActivityLog,
    /// Which notification shows which requests (one per requester).
    pub(in crate::bus) notes: Mutex<crate::bus::notes::Notes>,
    /// Taken while a requester's notification is brought up to date, one at a time.
    pub(in crate::bus) delivery: tokio::sync::Mutex<()>,
    /// Methods waiting for a consent answer: (outcome, remember "always").
    pub(super) waiters: Mutex<HashMap<String, tokio::sync::oneshot::Sender<(Outcome, bool)>>>,
    /// Consent requests answered "always allow", until they resolve.
    pub(super) always: Mutex<std::collections::HashSet<String>>,
    /// Tasks waiting for the whole resolved request (push answers need the user's pick).
    pub(super) request_waiters: Mutex<HashMap<String, tokio::sync::oneshot::Sender<Request>>>,
    /// Where security events about requests are published.
    pub(crate) events: crate::events::Events,
}

impl ApprovalHub {
    /// The hub over the vault state (for the unlock policy) and settings.
    pub fn new(
        state: SharedState,
        settings: Arc<Settings>,
        activity: ActivityLog,
        events: crate::events::Events,
    ) -> Arc<Self> {
        Arc::new(Self {
            approvals: Mutex::new(Approvals::default()),
            identities: Identities::default(),
            state,
            settings,
            activity,
            notes: Mutex::new(crate::bus::notes::Notes::default()),
            delivery: tokio::sync::Mutex::new(()),
            waiters: Mutex::new(HashMap::new()),
            always: Mutex::new(std::collections::HashSet::new()),
            request_waiters: Mutex::new(HashMap::new()),
            events,
        })
    }

    /// The request registry, even if a panic poisoned its lock.
    pub(in crate::bus) fn registry(&self) -> std::sync::MutexGuard<'_, Approvals> {
        self.approvals.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The verified identity of a message's sender; callers of another uid are refused.
    pub async fn caller_of(
        &self,
        conn: &zbus::Connection,
        header: &Header<'_>,
    ) -> Result<Caller, Error> {
        let sender = header
            .sender()
            .ok_or_else(|| Error::AccessDenied("no sender".into()))?;
        self.identities
            .identify(conn, sender)
            .await
            .map_err(|e| Error::AccessDenied(e.to_string()))
    }

    /// A future that resolves with the outcome of request `path` (for consent checks).
    pub fn wait_for(&self, path: &str) -> tokio::sync::oneshot::Receiver<(Outcome, bool)> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.waiters
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(path.to_string(), tx);
        rx
    }

    /// A future that resolves with request `path` as it ended (outcome and the user's pick).
    pub fn wait_for_request(&self, path: &str) -> tokio::sync::oneshot::Receiver<Request> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.request_waiters
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(path.to_string(), tx);
        rx
    }

    /// A path for a new request from `who`, its place taken, or `TooManyRequests`.
    pub fn admit(&self, who: Requester) -> Result<String, Error> {
        self.registry()
            .admit(who)
            .map_err(|e| Error::TooManyRequests(e.to_string()))
    }

    /// Answers a consent request: `once`, `always` or `deny`.
    pub async fn answer_consent(
        self: &Arc<Self>,
        conn: &zbus::Connection,
        path: &str,
        answer: &str,
        by: &str,
    ) -> Result<Outcome, Error> {
        let is_consent = self.registry().get(path).map(|r| r.kind == "consent");
        match is_consent {
            None => return Err(Error::NotFound(format!("no pending request {path}"))),
            Some(false) => {
                return Err(Error::InvalidArgument(
                    "not a consent request: use Approve or Deny".into(),
                ));
            }
            Some(true) => {}
        }
        let decision = match answer {
            "once" => Decision::Approve { number: None },
            "always" => {
                self.always
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(path.to_string());
                Decision::Approve { number: None }
            }
            "deny" => Decision::Deny,
            other => {
                return Err(Error::InvalidArgument(format!(
                    "answer must be once, always or deny, not {other:?}"
                )));
            }
        };
        let result = self.decide(conn, path, decision, by).await;
        if result.is_err() {
            self.always
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(path);
        }
        result.map_err(Error::from)
    }

    /// Pending requests, for listing.
    pub fn pending(&self) -> Vec<Request> {
        self.registry().pending().cloned().collect()
    }
}
