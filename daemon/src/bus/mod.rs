//! The D-Bus face of the daemon: thin interface types that call into [`crate::state`].

mod access;
pub mod approvals;
mod backup;
mod browser;
mod consent;
mod convert;
mod errors;
mod passphrase;
mod settings;
pub(crate) mod sync;
#[cfg(any(debug_assertions, feature = "test-hooks"))]
pub mod testing;
mod vault;

pub use access::AccessInterface;
pub use approvals::delivery::{listen as listen_notification_actions, watch_requesters};
pub use approvals::{ApprovalsInterface, BusSurface};
pub use backup::BackupInterface;
pub use browser::BrowserInterface;
pub use consent::Gate;
pub(crate) use errors::blocking;
pub use passphrase::PassphraseGate;
pub use settings::SettingsInterface;
pub use sync::SyncInterface;
pub use vault::VaultInterface;
pub use vault::relay as relay_events;

pub use crate::state::{SharedState, lock_state};
