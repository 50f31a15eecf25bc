//! Proxy of `org.latchkey.Latchkey1.Access`: remembered consent decisions.

/// Remembered consent decisions.
#[zbus::proxy(
    interface = "org.latchkey.Latchkey1.Access",
    default_service = "org.latchkey.Latchkey1",
    default_path = "/org/latchkey/Latchkey1"
)]
pub trait Access {
    /// (identity, account id or "*", allow|deny, time).
    fn list_grants(&self) -> zbus::Result<Vec<crate::Grant>>;
    /// Allows an identity ahead of time (every account when `account_id` is empty).
    fn grant(&self, identity: &str, account_id: &str) -> zbus::Result<()>;
    /// Forgets decisions for an identity (all accounts when `account_id` is empty).
    fn revoke(&self, identity: &str, account_id: &str) -> zbus::Result<u32>;
}
