//! The `org.latchkey.Latchkey1.Approvals` interface over the hub: RequestApproval, the answers,
//! the pending list and the activity log.

use super::options::{self, Asked};
use crate::approvals::ApprovalHub;
use crate::approvals::{Decision, Request};
use crate::clock::unix_now;
use latchkey_dbus::limits::{self, check};
use latchkey_dbus::{Error, RequestDetails};
use std::collections::HashMap;
use std::sync::Arc;
use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::Value;
use zbus::zvariant::{ObjectPath, OwnedObjectPath, OwnedValue};

/// The D-Bus interface over the hub.
pub struct ApprovalsInterface {
    hub: Arc<ApprovalHub>,
    gate: Arc<crate::bus::Gate>,
}

impl ApprovalsInterface {
    /// Serves `hub`; `gate` says which callers speak for the user.
    pub fn new(hub: Arc<ApprovalHub>, gate: Arc<crate::bus::Gate>) -> Self {
        Self { hub, gate }
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
        limits::check_entries("the options", options.keys())?;
        let caller = self.hub.caller_of(conn, &header).await?;
        let Asked {
            claims,
            timeout,
            number,
        } = options::parse(title, message, &options)?;
        let now = unix_now();
        let path = match self.hub.admit(self.gate.requester(&caller)) {
            Ok(path) => path,
            Err(e) => return Err(self.gate.refuse(&caller, "request-refused", e.into()).await),
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
    /// choices for number matching, expiry). Latchkey's own clients see every request; any other
    /// app only the ones its connection opened, or any app could read which accounts are asked
    /// for and by whom.
    async fn list_pending(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<Vec<(OwnedObjectPath, RequestDetails)>, Error> {
        let caller = self.hub.caller_of(conn, &header).await?;
        let all = self.gate.is_own_client(&caller);
        Ok(self
            .hub
            .pending()
            .iter()
            .filter(|r| all || r.caller.bus_name == caller.bus_name)
            .filter_map(|r| Some((OwnedObjectPath::try_from(r.path.clone()).ok()?, details(r))))
            .collect())
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
            .await?;
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
        check("the answer", answer.as_bytes(), limits::WORD)?;
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
            .await?;
        Ok(())
    }

    /// The last `limit` entries of the activity log (JSON lines, oldest first), for Latchkey's
    /// own clients: it names accounts and apps.
    async fn activity_log(
        &self,
        limit: u32,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<Vec<String>, Error> {
        self.gate
            .require_own_client(conn, &header, "read the activity log")
            .await?;
        Ok(self.hub.activity.tail(limit.min(10_000) as usize))
    }

    /// A new request to show: its path and only `kind`, `created` and `expires` (every app
    /// receives it); ListPending has the details.
    #[zbus(signal)]
    pub(super) async fn request_added(
        emitter: &SignalEmitter<'_>,
        request: ObjectPath<'_>,
        details: HashMap<String, OwnedValue>,
    ) -> zbus::Result<()>;

    /// A request ended (approved, denied, wrong-number, expired, cancelled): stop showing it.
    #[zbus(signal)]
    pub(super) async fn request_resolved(
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
    /// Identifies who answers: only Latchkey's own clients speak for the user (another app
    /// could otherwise approve a sign-in or grant itself access), and a requester may not answer
    /// its own request.
    async fn answerer(
        &self,
        conn: &zbus::Connection,
        header: &Header<'_>,
        path: &str,
    ) -> Result<String, Error> {
        check("the request path", path.as_bytes(), limits::PATH)?;
        let caller = self.hub.caller_of(conn, header).await?;
        let label = match self.gate.own_client(&caller, "answer requests") {
            Ok(label) => label,
            Err(e) => return Err(self.gate.refuse(&caller, "access-refused", e).await),
        };
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
        Ok(label)
    }
}

/// Everything a client shows about a request.
pub fn details(r: &Request) -> RequestDetails {
    let number = r.number.as_ref();
    RequestDetails {
        kind: r.kind.clone(),
        title: r.claims.title.clone(),
        message: r.claims.message.clone(),
        account_id: r.claims.account_id.clone(),
        app_name: r.claims.app_name.clone(),
        location: r.claims.location.clone(),
        ip_address: r.claims.ip_address.clone(),
        caller: r.caller.label(),
        caller_exe: r.caller.exe.clone(),
        caller_script: (!r.caller.script.is_empty()).then(|| r.caller.script.clone()),
        caller_pid: r.caller.pid,
        caller_uid: r.caller.uid,
        caller_flatpak: r.caller.flatpak_app.clone(),
        created: r.created,
        expires: r.expires,
        choices: number.map(|m| m.choices.clone()),
        choice_labels: number
            .filter(|m| !m.labels.is_empty())
            .map(|m| m.labels.clone()),
        site: (!r.claims.site.is_empty()).then(|| r.claims.site.clone()),
    }
}

/// What the broadcast RequestAdded signal carries: every app on the bus receives it, so it says
/// only that a request of this kind is waiting, never whose or for what (clients ask
/// ListPending, which shows an app only its own requests).
pub fn announcement(kind: &str, created: u64, expires: u64) -> HashMap<String, OwnedValue> {
    let mut d = HashMap::new();
    let mut put = |k: &str, v: Value<'_>| {
        if let Ok(v) = OwnedValue::try_from(v) {
            d.insert(k.to_string(), v);
        }
    };
    put("kind", Value::from(kind));
    put("created", Value::from(created));
    put("expires", Value::from(expires));
    d
}
