//! The D-Bus face of the daemon: thin interface types that call into [`crate::state`].

mod access;
pub mod approvals;
mod backup;
mod consent;
mod convert;
mod delivery;
mod errors;
mod export;
mod import;
mod keyring_unlock;
mod notes;
mod notice;
mod passphrase;
mod push;
mod request;
mod settings;
#[cfg(any(debug_assertions, feature = "test-hooks"))]
pub mod testing;
mod vault;

pub use access::AccessInterface;
pub use approvals::{ApprovalHub, ApprovalsInterface};
pub use backup::BackupInterface;
pub use consent::Gate;
pub use delivery::{listen as listen_notification_actions, watch_requesters};
pub(crate) use errors::blocking;
pub use passphrase::PassphraseGate;
pub use settings::SettingsInterface;
pub use vault::VaultInterface;
pub use vault::events::relay as relay_events;

use crate::state::VaultState;
use std::sync::{Arc, Mutex, MutexGuard};

/// The state shared by every interface and background task.
pub type SharedState = Arc<Mutex<VaultState>>;

/// Locks the state; a panic elsewhere never wedges the daemon (the state stays consistent
/// because every mutation is undone when its write fails).
pub fn lock_state(state: &SharedState) -> MutexGuard<'_, VaultState> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Locks the vault for `reason` and publishes it (every client hears of it from the relay).
pub fn lock_vault(
    events: &crate::events::Events,
    state: &SharedState,
    reason: crate::lock::LockReason,
    caller: &str,
) {
    if !lock_state(state).lock(reason) {
        return;
    }
    tracing::info!(
        event = "locked",
        reason = reason.as_str(),
        caller,
        "vault locked"
    );
    events.publish(crate::events::Event::Locked { reason });
}
