//! `org.latchkey.Latchkey1.Approvals`: apps ask "is it really you?", every client may answer.

use super::request::RequestObject;
use super::{SharedState, lock_state};
use crate::access::Identities;
use crate::activity::{ActivityLog, Entry};
use crate::approvals::{
    Approvals, Caller, Claims, Decision, DecisionError, NumberMatch, Outcome, Request,
};
use crate::approvals::{DEFAULT_CHOICES, DEFAULT_TIMEOUT, MAX_TIMEOUT};
use crate::settings::Settings;
use crate::state::unix_now;
use latchkey_dbus::{Error, OBJECT_PATH};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::{ObjectPath, OwnedObjectPath, OwnedValue, Value};

/// Everything approvals need, shared by the interface, request objects and background tasks.
pub struct ApprovalHub {
    pub(super) approvals: Mutex<Approvals>,
    pub(super) identities: Identities,
    state: SharedState,
    settings: Arc<Settings>,
    activity: ActivityLog,
    /// Notification id of each pending request, to close it when resolved elsewhere.
    pub(super) notes: Mutex<HashMap<String, u32>>,
    /// Methods waiting for a consent answer: (outcome, remember "always").
    waiters: Mutex<HashMap<String, tokio::sync::oneshot::Sender<(Outcome, bool)>>>,
    /// Consent requests answered "always allow", until they resolve.
    always: Mutex<std::collections::HashSet<String>>,
    /// Tasks waiting for the whole resolved request (push answers need the user's pick).
    request_waiters: Mutex<HashMap<String, tokio::sync::oneshot::Sender<Request>>>,
}

impl ApprovalHub {
    /// The hub over the vault state (for the unlock policy) and settings.
    pub fn new(state: SharedState, settings: Arc<Settings>, activity: ActivityLog) -> Arc<Self> {
        Arc::new(Self {
            approvals: Mutex::new(Approvals::default()),
            identities: Identities::default(),
            state,
            settings,
            activity,
            notes: Mutex::new(HashMap::new()),
            waiters: Mutex::new(HashMap::new()),
            always: Mutex::new(std::collections::HashSet::new()),
            request_waiters: Mutex::new(HashMap::new()),
        })
    }

    fn registry(&self) -> std::sync::MutexGuard<'_, Approvals> {
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

    /// A path for a new request, or `None` when too many are pending.
    pub fn reserve_path(&self) -> Option<String> {
        let mut reg = self.registry();
        reg.has_room().then(|| reg.next_path())
    }

    /// Answers a consent request: `once`, `always` or `deny`.
    pub async fn answer_consent(
        &self,
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
        result.map_err(decision_error)
    }

    /// Pending requests, for listing.
    pub fn pending(&self) -> Vec<Request> {
        self.registry().pending().cloned().collect()
    }

    /// Registers a request, serves its object, tells clients and the desktop, and arms its expiry.
    pub async fn open(
        self: &Arc<Self>,
        conn: &zbus::Connection,
        request: Request,
    ) -> Result<(), Error> {
        let path = request.path.clone();
        let object = RequestObject {
            hub: self.clone(),
            path: path.clone(),
            owner: request.caller.bus_name.clone(),
        };
        conn.object_server()
            .at(path.as_str(), object)
            .await
            .map_err(Error::ZBus)?;
        self.registry().add(request.clone());
        tracing::info!(event = "approval-requested", request = %path, kind = %request.kind, caller = %request.caller.label(), "approval requested");
        let emitter = SignalEmitter::new(conn, OBJECT_PATH).map_err(Error::ZBus)?;
        let _ = ApprovalsInterface::request_added(
            &emitter,
            ObjectPath::from_str_unchecked(&path),
            details(&request),
        )
        .await;
        self.report(conn).await;
        super::delivery::show(conn, self.clone(), request.clone());
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
        &self,
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

    /// Ends a request without a user decision (expiry, cancellation, requester gone).
    pub async fn finish(&self, conn: &zbus::Connection, path: &str, outcome: Outcome) {
        let ended = self.registry().finish(path, outcome);
        if let Some(request) = ended {
            self.resolved(conn, request, "latchkeyd").await;
        }
    }

    /// Cancels every request of a requester that left the bus.
    pub async fn caller_left(&self, conn: &zbus::Connection, bus_name: &str) {
        self.identities.forget(bus_name);
        let paths = self.registry().by_caller(bus_name);
        for path in paths {
            self.finish(conn, &path, Outcome::Cancelled).await;
        }
    }

    async fn resolved(&self, conn: &zbus::Connection, request: Request, by: &str) {
        let outcome = request.outcome.unwrap_or(Outcome::Cancelled);
        let path = request.path.as_str();
        let always = self
            .always
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(path);
        if let Some(waiter) = self
            .waiters
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(path)
        {
            let _ = waiter.send((outcome, always));
        }
        if let Some(waiter) = self
            .request_waiters
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(path)
        {
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
        if let Ok(emitter) = SignalEmitter::new(conn, path) {
            let _ = RequestObject::response(&emitter, outcome.as_str(), HashMap::new()).await;
        }
        if let Ok(emitter) = SignalEmitter::new(conn, OBJECT_PATH) {
            let _ = ApprovalsInterface::request_resolved(
                &emitter,
                ObjectPath::from_str_unchecked(path),
                outcome.as_str(),
            )
            .await;
            if outcome == Outcome::WrongNumber {
                let details = HashMap::from([
                    ("request", Value::from(path)),
                    ("title", Value::from(request.claims.title.as_str())),
                ]);
                let msg = format!(
                    "Wrong number picked for \"{}\": the request was denied",
                    request.claims.title
                );
                let _ = super::VaultInterface::security_event(
                    &emitter,
                    "approval-wrong-number",
                    &msg,
                    details,
                )
                .await;
            }
        }
        let _ = conn.object_server().remove::<RequestObject, _>(path).await;
        super::delivery::withdraw(conn, self, path).await;
        self.report(conn).await;
    }

    async fn report(&self, conn: &zbus::Connection) {
        if let Ok(iface) = conn
            .object_server()
            .interface::<_, ApprovalsInterface>(OBJECT_PATH)
            .await
        {
            let _ = iface
                .get()
                .await
                .pending_count_changed(iface.signal_emitter())
                .await;
        }
        let n = self.registry().len();
        let line = {
            let mut state = lock_state(&self.state);
            state.set_pending_requests(n);
            state.status_line()
        };
        crate::notify::status(&line);
    }
}

/// Everything a client shows about a request.
pub fn details(r: &Request) -> HashMap<String, OwnedValue> {
    let mut d: HashMap<String, OwnedValue> = HashMap::new();
    let mut put = |k: &str, v: Value<'_>| {
        if let Ok(v) = OwnedValue::try_from(v) {
            d.insert(k.to_string(), v);
        }
    };
    put("kind", Value::from(r.kind.as_str()));
    put("title", Value::from(r.claims.title.as_str()));
    put("message", Value::from(r.claims.message.as_str()));
    put("account_id", Value::from(r.claims.account_id.as_str()));
    put("app_name", Value::from(r.claims.app_name.as_str()));
    put("location", Value::from(r.claims.location.as_str()));
    put("ip_address", Value::from(r.claims.ip_address.as_str()));
    put("caller", Value::from(r.caller.label()));
    put("caller_exe", Value::from(r.caller.exe.as_str()));
    put("caller_pid", Value::from(r.caller.pid));
    put("caller_uid", Value::from(r.caller.uid));
    put("caller_flatpak", Value::from(r.caller.flatpak_app.as_str()));
    put("created", Value::from(r.created));
    put("expires", Value::from(r.expires));
    if let Some(m) = &r.number {
        put("choices", Value::from(m.choices.clone()));
        if !m.labels.is_empty() {
            put("choice_labels", Value::from(m.labels.clone()));
        }
    }
    d
}

/// The D-Bus interface over the hub.
pub struct ApprovalsInterface {
    hub: Arc<ApprovalHub>,
}

impl ApprovalsInterface {
    /// Serves `hub`.
    pub fn new(hub: Arc<ApprovalHub>) -> Self {
        Self { hub }
    }
}

fn opt_str(options: &HashMap<String, OwnedValue>, key: &str) -> Result<String, Error> {
    match options.get(key) {
        None => Ok(String::new()),
        Some(v) => String::try_from(
            v.try_clone()
                .map_err(|e| Error::InvalidArgument(e.to_string()))?,
        )
        .map_err(|_| Error::InvalidArgument(format!("option {key} must be a string"))),
    }
}

fn opt_u32(options: &HashMap<String, OwnedValue>, key: &str, default: u32) -> Result<u32, Error> {
    match options.get(key) {
        None => Ok(default),
        Some(v) => u32::try_from(v)
            .map_err(|_| Error::InvalidArgument(format!("option {key} must be a uint32"))),
    }
}

fn bounded(field: &str, value: String, max: usize) -> Result<String, Error> {
    if value.len() > max {
        return Err(Error::InvalidArgument(format!(
            "{field} is longer than {max} bytes"
        )));
    }
    Ok(value)
}

/// The named D-Bus error for a refused decision.
pub fn decision_error(e: DecisionError) -> Error {
    match e {
        DecisionError::NotFound(_) => Error::NotFound(e.to_string()),
        DecisionError::Locked => Error::Locked(e.to_string()),
        DecisionError::Expired => Error::Expired(e.to_string()),
        DecisionError::NumberRequired => Error::InvalidArgument(e.to_string()),
    }
}

#[zbus::interface(name = "org.latchkey.Latchkey1.Approvals")]
impl ApprovalsInterface {
    /// Asks the user to approve; returns the request path at once and, with number matching,
    /// the number the requester must show. The outcome arrives as `Response` on the path.
    #[zbus(out_args("request", "number"))]
    async fn request_approval(
        &self,
        title: String,
        message: String,
        options: HashMap<String, OwnedValue>,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<(OwnedObjectPath, u32), Error> {
        let caller = self.hub.caller_of(conn, &header).await?;
        let title = bounded("title", title, 200)?;
        if title.trim().is_empty() {
            return Err(Error::InvalidArgument("a request needs a title".into()));
        }
        for key in options.keys() {
            if ![
                "account_id",
                "app_name",
                "location",
                "ip_address",
                "number_matching",
                "choices",
                "timeout",
            ]
            .contains(&key.as_str())
            {
                return Err(Error::InvalidArgument(format!("unknown option {key:?}")));
            }
        }
        let claims = Claims {
            title,
            message: bounded("message", message, 2000)?,
            account_id: bounded("account_id", opt_str(&options, "account_id")?, 100)?,
            app_name: bounded("app_name", opt_str(&options, "app_name")?, 200)?,
            location: bounded("location", opt_str(&options, "location")?, 200)?,
            ip_address: bounded("ip_address", opt_str(&options, "ip_address")?, 100)?,
        };
        let timeout = opt_u32(&options, "timeout", DEFAULT_TIMEOUT)?;
        if !(1..=MAX_TIMEOUT).contains(&timeout) {
            return Err(Error::InvalidArgument(format!(
                "timeout must be between 1 and {MAX_TIMEOUT} seconds"
            )));
        }
        let matching = match options.get("number_matching") {
            None => false,
            Some(v) => bool::try_from(v)
                .map_err(|_| Error::InvalidArgument("number_matching must be a boolean".into()))?,
        };
        let choices = opt_u32(&options, "choices", DEFAULT_CHOICES)?;
        if !(2..=9).contains(&choices) {
            return Err(Error::InvalidArgument(
                "choices must be between 2 and 9".into(),
            ));
        }
        let number = matching.then(|| NumberMatch::generate(choices as usize));
        let now = unix_now();
        let path = {
            let mut reg = self.hub.registry();
            if !reg.has_room() {
                return Err(Error::InvalidArgument("too many pending requests".into()));
            }
            reg.next_path()
        };
        let shown = number.as_ref().map(|m| m.number).unwrap_or(0);
        let request = Request {
            path: path.clone(),
            kind: "approval".into(),
            claims,
            caller,
            number,
            created: now,
            expires: now + u64::from(timeout),
            outcome: None,
        };
        self.hub.open(conn, request).await?;
        let path =
            OwnedObjectPath::try_from(path).map_err(|e| Error::InvalidArgument(e.to_string()))?;
        Ok((path, shown))
    }

    /// Pending requests with everything a client shows (title, message, claims, verified caller,
    /// choices for number matching, expiry).
    async fn list_pending(&self) -> Vec<(OwnedObjectPath, HashMap<String, OwnedValue>)> {
        self.hub
            .pending()
            .iter()
            .filter_map(|r| Some((OwnedObjectPath::try_from(r.path.clone()).ok()?, details(r))))
            .collect()
    }

    /// Approves a request; `number` is the one the user picked (0 without number matching).
    async fn approve(
        &self,
        request: OwnedObjectPath,
        number: u32,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<String, Error> {
        let by = self.answerer(conn, &header, request.as_str()).await?;
        let decision = Decision::Approve {
            number: (number != 0).then_some(number),
        };
        let outcome = self
            .hub
            .decide(conn, request.as_str(), decision, &by)
            .await
            .map_err(decision_error)?;
        Ok(outcome.as_str().to_string())
    }

    /// Answers a consent request ("app X wants a code"): `once`, `always` or `deny`.
    async fn answer_consent(
        &self,
        request: OwnedObjectPath,
        answer: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<String, Error> {
        let by = self.answerer(conn, &header, request.as_str()).await?;
        Ok(self
            .hub
            .answer_consent(conn, request.as_str(), &answer, &by)
            .await?
            .as_str()
            .to_string())
    }

    /// Denies a request.
    async fn deny(
        &self,
        request: OwnedObjectPath,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<(), Error> {
        let by = self.answerer(conn, &header, request.as_str()).await?;
        self.hub
            .decide(conn, request.as_str(), Decision::Deny, &by)
            .await
            .map_err(decision_error)?;
        Ok(())
    }

    /// The last `limit` entries of the activity log (JSON lines, oldest first).
    async fn activity_log(&self, limit: u32) -> Vec<String> {
        self.hub.activity.tail(limit.min(10_000) as usize)
    }

    /// A new request to show.
    #[zbus(signal)]
    async fn request_added(
        emitter: &SignalEmitter<'_>,
        request: ObjectPath<'_>,
        details: HashMap<String, OwnedValue>,
    ) -> zbus::Result<()>;

    /// A request ended (approved, denied, wrong-number, expired, cancelled): stop showing it.
    #[zbus(signal)]
    async fn request_resolved(
        emitter: &SignalEmitter<'_>,
        request: ObjectPath<'_>,
        result: &str,
    ) -> zbus::Result<()>;

    /// Number of pending requests.
    #[zbus(property)]
    async fn pending_count(&self) -> u32 {
        self.hub.registry().len() as u32
    }
}

impl ApprovalsInterface {
    /// Identifies who answers; a requester may not answer its own request.
    async fn answerer(
        &self,
        conn: &zbus::Connection,
        header: &Header<'_>,
        path: &str,
    ) -> Result<String, Error> {
        let caller = self.hub.caller_of(conn, header).await?;
        if self
            .hub
            .registry()
            .get(path)
            .is_some_and(|r| r.caller.bus_name == caller.bus_name)
        {
            return Err(Error::AccessDenied(
                "a requester cannot answer its own request".into(),
            ));
        }
        Ok(caller.label())
    }
}
