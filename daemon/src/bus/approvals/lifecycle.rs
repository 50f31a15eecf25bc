//! How the bus shows a request through its life: an object the requester watches, the
//! `RequestAdded`/`RequestResolved` signals, the pending count, and the desktop notification.

use super::delivery;
use super::notes::Notes;
use super::request::RequestObject;
use super::{ApprovalsInterface, announcement};
use crate::approvals::{ApprovalHub, Outcome, Request, Surface};
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use latchkey_dbus::OBJECT_PATH;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use zbus::object_server::SignalEmitter;
use zbus::zvariant::ObjectPath;

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

    fn announce<'a>(
        self: Arc<Self>,
        conn: &'a zbus::Connection,
        hub: &'a Arc<ApprovalHub>,
        request: &'a Request,
    ) -> BoxFuture<'a, ()> {
        async move {
            if let Ok(emitter) = SignalEmitter::new(conn, OBJECT_PATH) {
                let _ = ApprovalsInterface::request_added(
                    &emitter,
                    ObjectPath::from_str_unchecked(&request.path),
                    announcement(request),
                )
                .await;
            }
            delivery::show(conn, self, hub.clone(), request.clone());
        }
        .boxed()
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
            if let Ok(emitter) = SignalEmitter::new(conn, OBJECT_PATH) {
                let _ = ApprovalsInterface::request_resolved(
                    &emitter,
                    ObjectPath::from_str_unchecked(path),
                    outcome.as_str(),
                )
                .await;
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

    fn count_changed<'a>(self: Arc<Self>, conn: &'a zbus::Connection) -> BoxFuture<'a, ()> {
        async move {
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
        .boxed()
    }
}
