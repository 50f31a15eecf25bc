//! Client proxies for the daemon's interfaces; clients use these and nothing else to reach it.

use crate::types::AccountInfo;
use std::collections::HashMap;
use zbus::zvariant::Value;

/// The vault: lifecycle, accounts and codes.
#[zbus::proxy(
    interface = "org.latchkey.Latchkey1.Vault",
    default_service = "org.latchkey.Latchkey1",
    default_path = "/org/latchkey/Latchkey1"
)]
pub trait Vault {
    /// Creates a new vault protected by `passphrase` and leaves it unlocked.
    fn create(&self, passphrase: &str) -> zbus::Result<()>;
    /// Unlocks the vault.
    fn unlock(&self, passphrase: &str) -> zbus::Result<()>;
    /// Locks the vault, wiping keys and seeds from memory.
    fn lock(&self) -> zbus::Result<()>;
    /// Changes the passphrase after checking the old one.
    fn change_passphrase(&self, old: &str, new: &str) -> zbus::Result<()>;
    /// Lists account metadata (never secrets).
    fn list_accounts(&self) -> zbus::Result<Vec<AccountInfo>>;
    /// The current code of an account and its validity window `(code, valid_from, valid_until)`.
    fn get_code(&self, id: &str) -> zbus::Result<(String, u64, u64)>;
    /// Adds an account from an `otpauth://` URI; returns its id.
    fn add_uri(&self, uri: &str) -> zbus::Result<String>;
    /// Adds an account from fields; returns its id.
    #[allow(clippy::too_many_arguments)]
    fn add_account(
        &self,
        issuer: &str,
        account: &str,
        secret: &str,
        kind: &str,
        algorithm: &str,
        digits: u32,
        period: u32,
        counter: u64,
    ) -> zbus::Result<String>;
    /// Edits an account (`issuer`, `account`, `algorithm`, `digits`, `period`).
    fn update_account(&self, id: &str, changes: HashMap<&str, Value<'_>>) -> zbus::Result<()>;
    /// Removes an account.
    fn remove_account(&self, id: &str) -> zbus::Result<()>;

    /// Emitted when accounts are added, removed or edited, so every client can refresh.
    #[zbus(signal)]
    fn accounts_changed(
        &self,
        added: Vec<String>,
        removed: Vec<String>,
        updated: Vec<String>,
    ) -> zbus::Result<()>;

    /// Whether the vault is locked.
    #[zbus(property)]
    fn locked(&self) -> zbus::Result<bool>;
    /// Whether a vault exists.
    #[zbus(property)]
    fn initialized(&self) -> zbus::Result<bool>;
    /// Number of accounts (known from the header even while locked).
    #[zbus(property)]
    fn account_count(&self) -> zbus::Result<u32>;
    /// Daemon version, for diagnostics.
    #[zbus(property)]
    fn version(&self) -> zbus::Result<String>;
}
