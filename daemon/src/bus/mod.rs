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
mod notes;
mod notice;
mod passphrase;
mod push;

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

pub use crate::state::{SharedState, lock_state};

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
