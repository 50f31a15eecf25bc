//! Proxies of `org.latchkey.Latchkey1.Approvals` and of each request object
//! (`org.latchkey.Latchkey1.Request`).

use std::collections::HashMap;
use zbus::zvariant::Value;

/// Sign-in approval requests.
#[zbus::proxy(
    interface = "org.latchkey.Latchkey1.Approvals",
    default_service = "org.latchkey.Latchkey1",
    default_path = "/org/latchkey/Latchkey1"
)]
pub trait Approvals {
    /// Asks the user; returns the request path and the number to show (0 without matching).
    fn request_approval(
        &self,
        title: &str,
        message: &str,
        options: HashMap<&str, Value<'_>>,
    ) -> zbus::Result<(zbus::zvariant::OwnedObjectPath, u32)>;
    /// Pending requests with their details: all of them for Latchkey's own clients, only the
    /// caller's own for any other app.
    fn list_pending(
        &self,
    ) -> zbus::Result<Vec<(zbus::zvariant::OwnedObjectPath, crate::RequestDetails)>>;
    /// Approves with the picked number (0 without matching); returns the outcome.
    fn approve(
        &self,
        request: &zbus::zvariant::ObjectPath<'_>,
        number: u32,
    ) -> zbus::Result<String>;
    /// Answers a consent request: once, always or deny; returns the outcome.
    fn answer_consent(
        &self,
        request: &zbus::zvariant::ObjectPath<'_>,
        answer: &str,
    ) -> zbus::Result<String>;
    /// Denies.
    fn deny(&self, request: &zbus::zvariant::ObjectPath<'_>) -> zbus::Result<()>;
    /// The last entries of the activity log (JSON lines); Latchkey's own clients only.
    fn activity_log(&self, limit: u32) -> zbus::Result<Vec<String>>;
    /// A new request: its path, and in `details` only `kind`, `created` and `expires`.
    #[zbus(signal)]
    fn request_added(
        &self,
        request: zbus::zvariant::OwnedObjectPath,
        details: HashMap<String, zbus::zvariant::OwnedValue>,
    ) -> zbus::Result<()>;
    /// A request ended.
    #[zbus(signal)]
    fn request_resolved(
        &self,
        request: zbus::zvariant::OwnedObjectPath,
        result: String,
    ) -> zbus::Result<()>;
    /// Pending requests.
    #[zbus(property)]
    fn pending_count(&self) -> zbus::Result<u32>;
}

/// One request object (the portal request pattern).
#[zbus::proxy(
    interface = "org.latchkey.Latchkey1.Request",
    default_service = "org.latchkey.Latchkey1"
)]
pub trait Request {
    /// Withdraws the request.
    fn cancel(&self) -> zbus::Result<()>;
    /// The outcome.
    #[zbus(signal)]
    fn response(
        &self,
        result: String,
        details: HashMap<String, zbus::zvariant::OwnedValue>,
    ) -> zbus::Result<()>;
}
