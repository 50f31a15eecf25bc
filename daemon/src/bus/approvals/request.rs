//! `org.latchkey.Latchkey1.Request`: one object per request (the portal "request" pattern).
//!
//! The requester gets the path at once and learns the outcome from the `Response` signal on it.

use crate::approvals::ApprovalHub;
use crate::approvals::Outcome;
use std::collections::HashMap;
use std::sync::Arc;
use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::Value;

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
