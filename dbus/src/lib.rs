//! Latchkey's D-Bus contract, shared by the daemon and every client so names and types cannot drift.
//!
//! The introspection XML in `interfaces/` is the published contract; a daemon test checks the
//! running service against it.

pub mod display;
pub mod error;
pub mod limits;
pub mod proxy;
pub mod settings;
#[cfg(feature = "testing")]
pub mod testing;
pub mod types;

pub use error::Error;
pub use proxy::{
    AccessProxy, ApprovalsProxy, BackupProxy, BrowserProxy, RequestProxy, SettingsProxy, SyncProxy,
    VaultProxy,
};
pub use types::{
    AccountExtra, AccountInfo, AccountKind, ActivityEntry, Grant, ImportEntry, ImportInspection,
    ImportReply, RequestDetails, SiteAccount, SyncDevice,
};

/// Well-known bus name the daemon owns.
pub const BUS_NAME: &str = "org.latchkey.Latchkey1";
/// Root object path of the daemon.
pub const OBJECT_PATH: &str = "/org/latchkey/Latchkey1";
/// Vault interface: lifecycle, accounts and codes.
pub const VAULT_INTERFACE: &str = "org.latchkey.Latchkey1.Vault";
/// Settings interface: the daemon's configuration, live.
pub const SETTINGS_INTERFACE: &str = "org.latchkey.Latchkey1.Settings";
/// Approvals interface: sign-in approval requests.
pub const APPROVALS_INTERFACE: &str = "org.latchkey.Latchkey1.Approvals";
/// Interface of each request object.
pub const REQUEST_INTERFACE: &str = "org.latchkey.Latchkey1.Request";
/// Access interface: remembered consent decisions.
pub const ACCESS_INTERFACE: &str = "org.latchkey.Latchkey1.Access";
/// Backup interface: export, automatic backups, restore.
pub const BACKUP_INTERFACE: &str = "org.latchkey.Latchkey1.Backup";
/// Browser interface: accounts and codes for the native-messaging host of browser fill.
pub const BROWSER_INTERFACE: &str = "org.latchkey.Latchkey1.Browser";
/// Sync interface: pairing, devices and status of sync through a shared folder.
pub const SYNC_INTERFACE: &str = "org.latchkey.Latchkey1.Sync";
/// Prefix of every error name the daemon returns.
pub const ERROR_PREFIX: &str = "org.latchkey.Latchkey1.Error";

/// Introspection XML of the Vault interface, as published.
pub const VAULT_XML: &str = include_str!("../interfaces/org.latchkey.Latchkey1.Vault.xml");
/// Introspection XML of the Settings interface, as published.
pub const SETTINGS_XML: &str = include_str!("../interfaces/org.latchkey.Latchkey1.Settings.xml");
/// Introspection XML of the Approvals and Request interfaces, as published.
pub const APPROVALS_XML: &str = include_str!("../interfaces/org.latchkey.Latchkey1.Approvals.xml");
/// Introspection XML of the Access interface, as published.
pub const ACCESS_XML: &str = include_str!("../interfaces/org.latchkey.Latchkey1.Access.xml");
/// Introspection XML of the Backup interface, as published.
pub const BACKUP_XML: &str = include_str!("../interfaces/org.latchkey.Latchkey1.Backup.xml");
/// Introspection XML of the Browser interface, as published.
pub const BROWSER_XML: &str = include_str!("../interfaces/org.latchkey.Latchkey1.Browser.xml");
/// Introspection XML of the Sync interface, as published.
pub const SYNC_XML: &str = include_str!("../interfaces/org.latchkey.Latchkey1.Sync.xml");
/// D-Bus activation file template (`@bindir@` is replaced at install time).
pub const ACTIVATION_FILE: &str = include_str!("../org.latchkey.Latchkey1.service.in");
