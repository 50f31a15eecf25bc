//! Proxy of `org.latchkey.Latchkey1.Browser`: accounts and codes for the browser fill host.

use crate::types::SiteAccount;

/// Accounts and codes for a page, as the native-messaging host asks for them.
#[zbus::proxy(
    interface = "org.latchkey.Latchkey1.Browser",
    default_service = "org.latchkey.Latchkey1",
    default_path = "/org/latchkey/Latchkey1"
)]
pub trait Browser {
    /// The accounts with codes that belong to the page at `origin`.
    fn accounts(&self, origin: &str, extension: &str) -> zbus::Result<Vec<SiteAccount>>;
    /// The code of account `id` for the page at `origin`: `(code, valid_from, valid_until)`.
    fn get_code(&self, origin: &str, extension: &str, id: &str)
    -> zbus::Result<(String, u64, u64)>;
}
