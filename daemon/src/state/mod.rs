//! The daemon's vault state machine: absent, locked or unlocked, and every operation on it.
//!
//! Knows nothing of D-Bus. Each mutation is written to disk before it is acknowledged, and is
//! undone in memory if the write fails, so memory and disk never disagree: that is why there is
//! one write path (`VaultState::mutate`) and why everything that changes the vault — accounts,
//! codes that advance a counter, imports, restores, the passphrase and the keyring slot — is a
//! method of the state rather than of its callers.

mod accounts;
mod error;
pub mod export;
mod follow;
mod import;
pub mod keyring;
mod lifecycle;
pub mod restore;
pub mod service;
mod sync;
mod usage;

pub(crate) use accounts::check_labels;
pub use accounts::{AccountEdit, NewAccount};
pub use error::StateError;
pub use follow::FollowInfo;
pub use import::{Added, ImportReport, Skipped};
pub use service::{Imported, Service};
pub use sync::{DeviceInfo, JoinAnswer, Joined, SyncInfo, SyncMergeError, SyncOutcome};
pub use usage::Usage;

use crate::accounts::Accounts;
use crate::clock::unix_now;
use crate::events::LockReason;
use crate::vault::{KdfParams, Session, Store};
use std::sync::{Arc, Mutex, MutexGuard};

struct Unlocked {
    session: Session,
    accounts: Accounts,
    /// What the vault body holds beside the accounts: sync's state, the Aegis backups followed.
    extra: latchkey_core::body::Extra,
}

impl Unlocked {
    /// The vault body: the accounts and the rest.
    fn body(&self) -> zeroize::Zeroizing<Vec<u8>> {
        latchkey_core::body::write(&self.accounts, &self.extra)
    }
}

/// The state shared by every interface and background task.
pub type SharedState = Arc<Mutex<VaultState>>;

/// Locks the state; a panic elsewhere never wedges the daemon (the state stays consistent
/// because every mutation is undone when its write fails).
pub fn lock_state(state: &SharedState) -> MutexGuard<'_, VaultState> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs slow work (a KDF, a file write) on tokio's blocking pool. A panic there is a bug, not
/// the caller's fault: it comes back as [`StateError::Internal`] and the daemon keeps serving.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, StateError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StateError::Internal(e.to_string()))
}

/// The vault as the daemon holds it.
pub struct VaultState {
    store: Store,
    kdf: KdfParams,
    initialized: bool,
    account_count: u32,
    unlocked: Option<Unlocked>,
    lock_reason: LockReason,
    locked_since: u64,
    has_keyring_slot: bool,
    pending_requests: usize,
    activity: Arc<Usage>,
}

impl VaultState {
    /// Reads the vault header (if any) so status is known before the first unlock.
    pub fn open(store: Store, kdf: KdfParams, activity: Arc<Usage>) -> Result<Self, StateError> {
        let mut state = Self::unreadable(store, kdf, activity);
        if state.store.exists() {
            let header = state.store.inspect()?;
            state.account_count = header.account_count;
            state.has_keyring_slot = header.has_keyring_slot;
        } else {
            state.initialized = false;
        }
        Ok(state)
    }

    /// A vault whose header cannot be read: it counts as existing (so it is never overwritten)
    /// and every unlock reports why it cannot be read.
    pub fn unreadable(store: Store, kdf: KdfParams, activity: Arc<Usage>) -> Self {
        Self {
            store,
            kdf,
            initialized: true,
            account_count: 0,
            unlocked: None,
            lock_reason: LockReason::Startup,
            locked_since: unix_now(),
            has_keyring_slot: false,
            pending_requests: 0,
            activity,
        }
    }

    /// Why the vault is locked (meaningful while locked).
    pub fn lock_reason(&self) -> LockReason {
        self.lock_reason
    }

    /// Unix time the vault was last locked (or the daemon started).
    pub fn locked_since(&self) -> u64 {
        self.locked_since
    }

    /// The vault as written, sealed like a backup, for [`crate::events::Event::Saved`].
    pub fn sealed(&self) -> Result<crate::events::Sealed, StateError> {
        let (bytes, accounts) =
            self.with_body(|session, body, n| session.seal_copy(body, n).map(|bytes| (bytes, n)))??;
        Ok(crate::events::Sealed {
            bytes: Arc::new(bytes),
            accounts,
        })
    }

    /// The unlocked session, for exports and backups.
    pub fn session(&self) -> Result<&Session, StateError> {
        Ok(&self.unlocked.as_ref().ok_or(StateError::Locked)?.session)
    }

    /// Runs `f` on the session and the serialised accounts (for copies: exports, backups).
    pub fn with_body<T>(&self, f: impl FnOnce(&Session, &[u8], u32) -> T) -> Result<T, StateError> {
        let u = self.unlocked.as_ref().ok_or(StateError::Locked)?;
        Ok(f(
            &u.session,
            &u.accounts.to_body(),
            u.accounts.len() as u32,
        ))
    }

    /// A restored file became the vault: from now on the vault exists. (A backup has no keyring
    /// slot, but a plain copy of a vault file may.)
    pub(crate) fn mark_initialized(&mut self) {
        self.initialized = true;
        self.has_keyring_slot = self.store.inspect().is_ok_and(|h| h.has_keyring_slot);
    }

    /// Records activity of one of Latchkey's own clients for the inactivity timer (the bus layer
    /// calls it for them only).
    pub fn touch(&self) {
        self.activity.touch();
    }

    /// The number of the current unlocked session; it changes at every unlock (for per-unlock
    /// limits).
    pub fn unlock_session(&self) -> u64 {
        self.activity.unlock_session()
    }

    /// The store, so slow work (the KDF) can run without holding the state.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Whether a vault file exists.
    pub fn initialized(&self) -> bool {
        self.initialized
    }

    /// Whether the vault is locked.
    pub fn locked(&self) -> bool {
        self.unlocked.is_none()
    }

    /// Account count, known from the header while locked.
    pub fn account_count(&self) -> u32 {
        self.account_count
    }

    /// One line for `systemctl status` and diagnostics: lock state and account count.
    pub fn status_line(&self) -> String {
        if !self.initialized {
            return "No vault yet".into();
        }
        let state = if self.locked() {
            format!("Locked ({})", self.lock_reason.as_str())
        } else {
            "Unlocked".into()
        };
        let n = self.account_count;
        let mut line = format!("{state}, {n} account{}", if n == 1 { "" } else { "s" });
        if self.pending_requests > 0 {
            line.push_str(&format!(
                ", {} request(s) awaiting an answer",
                self.pending_requests
            ));
        }
        line
    }

    /// Records how many approval requests are pending, for the status line.
    pub fn set_pending_requests(&mut self, n: usize) {
        self.pending_requests = n;
    }

    fn unlocked_mut(&mut self) -> Result<&mut Unlocked, StateError> {
        self.unlocked.as_mut().ok_or(StateError::Locked)
    }

    /// Applies `change`, records it as this device's change for sync, writes the vault, and
    /// undoes both if the write fails.
    fn mutate(&mut self, change: impl FnOnce(&mut Accounts) -> Undo) -> Result<(), StateError> {
        // Not activity by itself: only own clients' calls count, and the bus layer knows the caller.
        let u = self.unlocked_mut()?;
        let undo = change(&mut u.accounts);
        self.save_changed(move |u| undo(&mut u.accounts))
    }

    /// After the caller changed the accounts (or more of the body): records the accounts as
    /// this device's change for sync and writes the vault; if the write fails, `undo` puts back
    /// what the caller changed and the sync record is undone too, so memory matches the disk.
    fn save_changed(&mut self, undo: impl FnOnce(&mut Unlocked)) -> Result<(), StateError> {
        let store = self.store.clone();
        let u = self.unlocked_mut()?;
        let observed = u
            .extra
            .sync
            .as_mut()
            .map(|s| s.observe(&u.accounts, crate::clock::unix_now_ms()));
        let count = u.accounts.len() as u32;
        let body = u.body();
        if let Err(e) = store.save(&mut u.session, &body, count) {
            undo(u);
            if let (Some(s), Some(observed)) = (u.extra.sync.as_mut(), observed) {
                s.undo(observed);
            }
            return Err(e.into());
        }
        self.account_count = count;
        Ok(())
    }
}

/// Reverts an in-memory change whose write to disk failed.
type Undo = Box<dyn FnOnce(&mut Accounts)>;
