//! Proxy of `org.latchkey.Latchkey1.Vault`: lifecycle, accounts and codes.

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
    /// Unlocks with the key kept in the login keyring.
    fn unlock_with_keyring(&self) -> zbus::Result<()>;
    /// Enables keyring unlock.
    fn enable_keyring(&self) -> zbus::Result<()>;
    /// Disables keyring unlock.
    fn disable_keyring(&self) -> zbus::Result<()>;
    /// Locks the vault, wiping keys and seeds from memory.
    fn lock(&self) -> zbus::Result<()>;
    /// Changes the passphrase after checking the old one.
    fn change_passphrase(&self, old: &str, new: &str) -> zbus::Result<()>;
    /// Lists account metadata (never secrets).
    fn list_accounts(&self) -> zbus::Result<Vec<AccountInfo>>;
    /// The current code of an account and its validity window `(code, valid_from, valid_until)`.
    fn get_code(&self, id: &str) -> zbus::Result<(String, u64, u64)>;
    /// The code of the next time window `(code, valid_from, valid_until)` (TOTP, Steam).
    fn get_next_code(&self, id: &str) -> zbus::Result<(String, u64, u64)>;
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
    /// Imports an export's bytes (`format`: auto or a name the Vault interface lists;
    /// `passphrase` empty when not encrypted); returns `(added, skipped, failed, notes)` and adds
    /// nothing if any failed.
    fn import(
        &self,
        data: &[u8],
        format: &str,
        passphrase: &str,
        dry_run: bool,
    ) -> zbus::Result<crate::ImportReply>;
    /// Which app's export `data` is and whether it needs a passphrase, before asking for one.
    fn inspect_import(&self, data: &[u8], format: &str) -> zbus::Result<crate::ImportInspection>;

    /// Emitted when accounts are added, removed or edited, so every client can refresh.
    #[zbus(signal)]
    fn accounts_changed(
        &self,
        added: Vec<String>,
        removed: Vec<String>,
        updated: Vec<String>,
    ) -> zbus::Result<()>;

    /// A security event (unlocked, locked, unlock-failed) with details.
    #[zbus(signal)]
    fn security_event(
        &self,
        event: String,
        message: String,
        details: HashMap<String, zbus::zvariant::OwnedValue>,
    ) -> zbus::Result<()>;

    /// Whether the vault is locked.
    #[zbus(property)]
    fn locked(&self) -> zbus::Result<bool>;
    /// Whether keyring unlock is enabled.
    #[zbus(property)]
    fn keyring_unlock(&self) -> zbus::Result<bool>;
    /// Unix time the vault was last locked.
    #[zbus(property)]
    fn locked_since(&self) -> zbus::Result<u64>;
    /// Why the vault is locked.
    #[zbus(property)]
    fn lock_reason(&self) -> zbus::Result<String>;
    /// Consecutive wrong passphrases.
    #[zbus(property)]
    fn unlock_failures(&self) -> zbus::Result<u32>;
    /// Unix time from which the next unlock attempt is allowed (0: now).
    #[zbus(property)]
    fn unlock_retry_after(&self) -> zbus::Result<u64>;
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
