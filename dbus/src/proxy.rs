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
    /// Imports an export's bytes (`format`: auto, aegis, google, uris; `passphrase` empty when
    /// not encrypted); returns `(added, skipped, failed, notes)` and adds nothing if any failed.
    #[allow(clippy::type_complexity)]
    fn import(
        &self,
        data: &[u8],
        format: &str,
        passphrase: &str,
        dry_run: bool,
    ) -> zbus::Result<(
        Vec<HashMap<String, zbus::zvariant::OwnedValue>>,
        Vec<HashMap<String, zbus::zvariant::OwnedValue>>,
        Vec<HashMap<String, zbus::zvariant::OwnedValue>>,
        Vec<String>,
    )>;

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

/// The daemon's settings (config.toml), read and written live.
#[zbus::proxy(
    interface = "org.latchkey.Latchkey1.Settings",
    default_service = "org.latchkey.Latchkey1",
    default_path = "/org/latchkey/Latchkey1"
)]
pub trait Settings {
    /// Seconds of inactivity before locking; 0 = never.
    #[zbus(property)]
    fn auto_lock_timeout(&self) -> zbus::Result<u32>;
    /// Sets the inactivity timeout.
    #[zbus(property)]
    fn set_auto_lock_timeout(&self, value: u32) -> zbus::Result<()>;
    /// Lock on screen lock.
    #[zbus(property)]
    fn lock_on_screen_lock(&self) -> zbus::Result<bool>;
    /// Sets lock on screen lock.
    #[zbus(property)]
    fn set_lock_on_screen_lock(&self, value: bool) -> zbus::Result<()>;
    /// Lock before suspend.
    #[zbus(property)]
    fn lock_on_suspend(&self) -> zbus::Result<bool>;
    /// Sets lock before suspend.
    #[zbus(property)]
    fn set_lock_on_suspend(&self, value: bool) -> zbus::Result<()>;
    /// Lock when the session is idle.
    #[zbus(property)]
    fn lock_on_session_idle(&self) -> zbus::Result<bool>;
    /// Sets lock when idle.
    #[zbus(property)]
    fn set_lock_on_session_idle(&self, value: bool) -> zbus::Result<()>;
    /// Approving needs an unlocked vault.
    #[zbus(property)]
    fn approval_requires_unlock(&self) -> zbus::Result<bool>;
    /// Sets whether approving needs an unlocked vault.
    #[zbus(property)]
    fn set_approval_requires_unlock(&self, value: bool) -> zbus::Result<()>;
    /// Whether other apps need consent for codes.
    #[zbus(property)]
    fn require_app_consent(&self) -> zbus::Result<bool>;
    /// Sets whether other apps need consent.
    #[zbus(property)]
    fn set_require_app_consent(&self, value: bool) -> zbus::Result<()>;
    /// Automatic backups after every change.
    #[zbus(property)]
    fn automatic_backups(&self) -> zbus::Result<bool>;
    /// Turns automatic backups on or off.
    #[zbus(property)]
    fn set_automatic_backups(&self, value: bool) -> zbus::Result<()>;
    /// Backup folder ("" = default).
    #[zbus(property)]
    fn backup_folder(&self) -> zbus::Result<String>;
    /// Sets the backup folder (absolute, or "" for the default).
    #[zbus(property)]
    fn set_backup_folder(&self, value: &str) -> zbus::Result<()>;
    /// Backups kept.
    #[zbus(property)]
    fn backup_keep(&self) -> zbus::Result<u32>;
    /// Sets how many backups are kept.
    #[zbus(property)]
    fn set_backup_keep(&self, value: u32) -> zbus::Result<()>;
    /// Seconds between push polls.
    #[zbus(property)]
    fn push_poll_interval(&self) -> zbus::Result<u32>;
    /// Sets the seconds between push polls.
    #[zbus(property)]
    fn set_push_poll_interval(&self, value: u32) -> zbus::Result<()>;
    /// Log filter.
    #[zbus(property)]
    fn log_level(&self) -> zbus::Result<String>;
    /// Sets the log filter.
    #[zbus(property)]
    fn set_log_level(&self, value: String) -> zbus::Result<()>;
}

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
    /// Pending requests with their details.
    fn list_pending(
        &self,
    ) -> zbus::Result<
        Vec<(
            zbus::zvariant::OwnedObjectPath,
            HashMap<String, zbus::zvariant::OwnedValue>,
        )>,
    >;
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
    /// The last entries of the activity log (JSON lines).
    fn activity_log(&self, limit: u32) -> zbus::Result<Vec<String>>;
    /// A new request.
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

/// Remembered consent decisions.
#[zbus::proxy(
    interface = "org.latchkey.Latchkey1.Access",
    default_service = "org.latchkey.Latchkey1",
    default_path = "/org/latchkey/Latchkey1"
)]
pub trait Access {
    /// (identity, account id or "*", allow|deny, time).
    fn list_grants(&self) -> zbus::Result<Vec<(String, String, String, u64)>>;
    /// Allows an identity ahead of time (every account when `account_id` is empty).
    fn grant(&self, identity: &str, account_id: &str) -> zbus::Result<()>;
    /// Forgets decisions for an identity (all accounts when `account_id` is empty).
    fn revoke(&self, identity: &str, account_id: &str) -> zbus::Result<u32>;
}

/// One backup as `ListBackups` lists it: (file name, unix time, size, written by this machine).
pub type BackupFile = (String, u64, u64, bool);

/// Export, automatic backups and restore.
#[zbus::proxy(
    interface = "org.latchkey.Latchkey1.Backup",
    default_service = "org.latchkey.Latchkey1",
    default_path = "/org/latchkey/Latchkey1"
)]
pub trait Backup {
    /// Every account in `format` after the vault passphrase; plaintext formats need `plaintext`.
    fn export(&self, format: &str, passphrase: &str, plaintext: bool) -> zbus::Result<Vec<u8>>;
    /// The folder and its backups `(file, unix time, size, written by this machine)`.
    fn list_backups(&self) -> zbus::Result<(String, Vec<BackupFile>)>;
    /// Writes a backup now; returns its file name.
    fn backup_now(&self) -> zbus::Result<String>;
    /// Restores a backup's bytes: `("created" | "merged", added, skipped)`.
    fn restore(&self, data: &[u8], passphrase: &str) -> zbus::Result<(String, u32, u32)>;
    /// The folder backups go to.
    #[zbus(property)]
    fn folder(&self) -> zbus::Result<String>;
    /// Unix time of the last backup written (0: none since the daemon started).
    #[zbus(property)]
    fn last_backup_time(&self) -> zbus::Result<u64>;
    /// File name of the last backup written.
    #[zbus(property)]
    fn last_backup_file(&self) -> zbus::Result<String>;
    /// Why the last backup failed ("" after a success).
    #[zbus(property)]
    fn last_backup_error(&self) -> zbus::Result<String>;
}
