//! How the bus shows a request through its life: an object the requester watches, the
//! `RequestAdded`/`RequestResolved` signals, the pending count, and the desktop notification.
//!
//! The object is `org.latchkey.Latchkey1.Request` (the portal "request" pattern): the
//! requester gets the path at once and learns the outcome from the `Response` signal on it.

use super::delivery;
use super::notes::Notes;
use super::{ApprovalsInterface, announcement};
use crate::approvals::{ApprovalHub, Outcome, Request, Surface};
use crate::events::Event;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use latchkey_dbus::OBJECT_PATH;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::ObjectPath;
use zbus::zvariant::Value;

/// Tells clients of a request event: `RequestAdded`/`RequestResolved` (to every app: the path,
/// kind and times, or the outcome) and the pending count.
pub async fn relay(conn: &zbus::Connection, event: &Event) {
    let Ok(emitter) = SignalEmitter::new(conn, OBJECT_PATH) else {
        return;
    };
    match event {
        Event::RequestAdded {
            path,
            kind,
            created,
            expires,
        } => {
            let _ = ApprovalsInterface::request_added(
                &emitter,
                ObjectPath::from_str_unchecked(path),
                announcement(kind, *created, *expires),
            )
            .await;
        }
        Event::RequestResolved { path, outcome } => {
            let _ = ApprovalsInterface::request_resolved(
                &emitter,
                ObjectPath::from_str_unchecked(path),
                outcome,
            )
            .await;
        }
        _ => return,
    }
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
}

/// The bus's side of requests: which notification shows which requests.
#[derive(Default)]
pub struct BusSurface {
    /// Which notification shows which requests (one per requester).
    pub(in crate::bus) notes: Mutex<Notes>,
    /// Taken while a requester's notification is brought up to date, one at a time.
    pub(in crate::bus) delivery: tokio::sync::Mutex<()>,
}

impl Surface for BusSurface {
    fn serve<'a>(
        self: Arc<Self>,
        conn: &'a zbus::Connection,
        hub: &'a Arc<ApprovalHub>,
        request: &'a Request,
    ) -> BoxFuture<'a, zbus::Result<()>> {
        async move {
            let object = RequestObject {
                hub: hub.clone(),
                path: request.path.clone(),
                owner: request.caller.bus_name.clone(),
            };
            conn.object_server()
                .at(request.path.as_str(), object)
                .await
                .map(|_| ())
        }
        .boxed()
    }

    fn announce(
        self: Arc<Self>,
        conn: &zbus::Connection,
        hub: &Arc<ApprovalHub>,
        request: &Request,
    ) {
        delivery::show(conn, self, hub.clone(), request.clone());
    }

    fn withdraw<'a>(
        self: Arc<Self>,
        conn: &'a zbus::Connection,
        hub: &'a Arc<ApprovalHub>,
        request: &'a Request,
    ) -> BoxFuture<'a, ()> {
        async move {
            let outcome = request.outcome.unwrap_or(Outcome::Cancelled);
            let path = request.path.as_str();
            if let Ok(emitter) = SignalEmitter::new(conn, path) {
                let _ = RequestObject::response(&emitter, outcome.as_str(), HashMap::new()).await;
            }
            let _ = conn.object_server().remove::<RequestObject, _>(path).await;
            // The notification is brought up to date on its own task: that waits its turn behind
            // other requesters' notifications (a few seconds each at worst), and the answer to the
            // decision must not.
            let (hub, conn, path) = (hub.clone(), conn.clone(), path.to_owned());
            tokio::spawn(async move { delivery::withdraw(&conn, &self, &hub, &path).await });
        }
        .boxed()
    }
}

/// The object at a request's path.
pub struct RequestObject {
    pub(super) hub: Arc<ApprovalHub>,
    pub(super) path: String,
    pub(super) owner: String,
}

#[zbus::interface(name = "org.latchkey.Latchkey1.Request")]
impl RequestObject {
    /// Withdraws the request; only the application that made it may.
    async fn cancel(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> zbus::fdo::Result<()> {
        let sender = header.sender().map(|s| s.to_string()).unwrap_or_default();
        if sender != self.owner {
            return Err(zbus::fdo::Error::AccessDenied(
                "only the requester may cancel its request".into(),
            ));
        }
        self.hub.finish(conn, &self.path, Outcome::Cancelled).await;
        Ok(())
    }

    /// The outcome: approved, denied, wrong-number, expired or cancelled.
    #[zbus(signal)]
    pub async fn response(
        emitter: &SignalEmitter<'_>,
        result: &str,
        details: HashMap<&str, Value<'_>>,
    ) -> zbus::Result<()>;
}
