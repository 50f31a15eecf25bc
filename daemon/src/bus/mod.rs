//! The D-Bus face of the daemon: thin interface types that call into [`crate::state`].

mod errors;
pub mod testing;
mod vault;

pub use errors::to_dbus_error;
pub use vault::VaultInterface;

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
