//! A request's life on the bus: served and announced when opened, decided or ended, then
//! handed to its waiters, logged, signalled and withdrawn.

use super::request::RequestObject;
use super::{ApprovalHub, ApprovalsInterface, announcement};
use crate::activity::Entry;
use crate::approvals::{Decision, DecisionError, Outcome, Request};
use crate::bus::{delivery, lock_state};
use crate::clock::unix_now;
use latchkey_dbus::{Error, OBJECT_PATH};
use std::collections::HashMap;
use std::sync::Arc;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::ObjectPath;

impl ApprovalHub {
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
        if let Err(e) = conn.object_server().at(path.as_str(), object).await {
            self.registry().release(&path);
            return Err(Error::ZBus(e));
        }
        self.registry().add(request.clone());
        tracing::info!(event = "approval-requested", request = %path, kind = %request.kind, caller = %request.caller.label(), "approval requested");
        let emitter = SignalEmitter::new(conn, OBJECT_PATH).map_err(Error::ZBus)?;
        let _ = ApprovalsInterface::request_added(
            &emitter,
            ObjectPath::from_str_unchecked(&path),
            announcement(&request),
        )
        .await;
        self.report(conn).await;
        delivery::show(conn, self.clone(), request.clone());
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

    /// Hands a resolved request to its waiters, logs it, signals it and takes its object down.
    async fn resolved(self: &Arc<Self>, conn: &zbus::Connection, request: Request, by: &str) {
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
                // Broadcast to every app: the request's path only, not what it was for.
                let msg = "A wrong number was picked for a sign-in request, so it was denied \
                           (the activity log says which)";
                self.events.security(
                    crate::events::Security::new("approval-wrong-number", msg)
                        .with("request", path),
                );
            }
        }
        let _ = conn.object_server().remove::<RequestObject, _>(path).await;
        // The notification is brought up to date on its own task: that waits its turn behind
        // other requesters' notifications (a few seconds each at worst), and the answer to the
        // decision must not.
        let (hub, conn_, path_) = (self.clone(), conn.clone(), path.to_owned());
        tokio::spawn(async move { delivery::withdraw(&conn_, &hub, &path_).await });
        self.report(conn).await;
    }

    /// Publishes the pending count on the bus and in systemd's status line.
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
