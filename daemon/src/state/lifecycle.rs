//! The vault's life cycle: creating it, unlocking and locking it, the passphrase and the keyring
//! slot.

use super::{StateError, Unlocked, VaultState};
use crate::accounts::Accounts;
use crate::clock::unix_now;
use crate::events::LockReason;
use crate::vault::{PassphraseChange, Rewrapped, Session, VaultError};

impl VaultState {
    /// Creates the vault and leaves it unlocked (runs the KDF: call from a blocking context).
    pub fn create(&mut self, passphrase: &[u8]) -> Result<(), StateError> {
        if self.initialized || self.store.exists() {
            return Err(StateError::AlreadyInitialized);
        }
        let accounts = Accounts::default();
        let session = self
            .store
            .create(passphrase, self.kdf, &accounts.to_body(), 0)?;
        self.initialized = true;
        self.account_count = 0;
        self.unlocked = Some(Unlocked {
            session,
            accounts,
            extra: Default::default(),
        });
        self.activity.set_unlocked(true);
        Ok(())
    }

    /// Installs the result of [`Store::unlock`], which the caller ran outside the state lock.
    pub fn finish_unlock(&mut self, session: Session, body: &[u8]) -> Result<(), StateError> {
        let (accounts, extra) = latchkey_core::body::read(body)?;
        // Still locked, so no write of ours is under way, and the bus name makes this daemon the
        // only writer: temp files next to the vault are what a crash mid-write left. Each is a
        // whole older copy of the vault (old seeds, old passphrase slot): do not let them pile up.
        match self.store.remove_leftovers() {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                event = "leftovers-removed",
                count = n,
                "removed {n} temp file(s) left by an interrupted write"
            ),
            Err(e) => tracing::warn!("cannot remove temp files left by an interrupted write: {e}"),
        }
        self.account_count = accounts.len() as u32;
        self.unlocked = Some(Unlocked {
            session,
            accounts,
            extra,
        });
        self.activity.set_unlocked(true);
        Ok(())
    }

    /// Checks that an unlock makes sense before the slow KDF runs (the brute-force delay is the
    /// bus layer's passphrase gate's).
    pub fn check_can_unlock(&self) -> Result<(), StateError> {
        if !self.initialized {
            return Err(StateError::NotInitialized);
        }
        if self.unlocked.is_some() {
            return Err(StateError::AlreadyUnlocked);
        }
        Ok(())
    }

    /// Checks that a keyring unlock makes sense (it is not subject to the passphrase delay).
    pub fn check_can_unlock_with_keyring(&self) -> Result<(), StateError> {
        if !self.initialized {
            return Err(StateError::NotInitialized);
        }
        if self.unlocked.is_some() {
            return Err(StateError::AlreadyUnlocked);
        }
        if !self.has_keyring_slot {
            return Err(StateError::Keyring(
                "keyring unlock is not enabled (latchkey keyring enable)".into(),
            ));
        }
        Ok(())
    }

    /// Whether the vault has a keyring slot.
    pub fn has_keyring_slot(&self) -> bool {
        self.has_keyring_slot
    }

    /// Adds (or replaces) the keyring slot wrapping the master key with `key`.
    pub fn enable_keyring(&mut self, key: &[u8; 32]) -> Result<(), StateError> {
        let store = self.store.clone();
        let u = self.unlocked_mut()?;
        let body = u.body();
        let count = u.accounts.len() as u32;
        store.add_keyring_slot(&mut u.session, key, &body, count)?;
        self.has_keyring_slot = true;
        Ok(())
    }

    /// Removes the keyring slot.
    pub fn disable_keyring(&mut self) -> Result<(), StateError> {
        let store = self.store.clone();
        let u = self.unlocked_mut()?;
        let body = u.body();
        let count = u.accounts.len() as u32;
        match store.remove_keyring_slot(&mut u.session, &body, count) {
            Ok(()) | Err(VaultError::NoKeyringSlot) => {}
            Err(e) => return Err(e.into()),
        }
        self.has_keyring_slot = false;
        Ok(())
    }

    /// Drops the session and every account; their key and seed buffers zeroize on drop.
    /// Returns whether the vault was unlocked.
    pub fn lock(&mut self, reason: LockReason) -> bool {
        let was_unlocked = self.unlocked.take().is_some();
        if was_unlocked {
            self.lock_reason = reason;
            self.locked_since = unix_now();
            self.activity.set_unlocked(false);
        }
        was_unlocked
    }

    /// What changing the passphrase needs, detached so both KDF runs happen without the state.
    pub fn passphrase_change(&self) -> Result<PassphraseChange, StateError> {
        let u = self.unlocked.as_ref().ok_or(StateError::Locked)?;
        Ok(u.session.passphrase_change(self.kdf)?)
    }

    /// Installs the passphrase slot [`PassphraseChange::rewrap`] made (one write, no KDF);
    /// refused if the passphrase changed since [`Self::passphrase_change`].
    pub fn install_passphrase(&mut self, rewrapped: Rewrapped) -> Result<(), StateError> {
        let store = self.store.clone();
        let u = self.unlocked_mut()?;
        let body = u.body();
        let count = u.accounts.len() as u32;
        store.install_passphrase(&mut u.session, rewrapped, &body, count)?;
        Ok(())
    }
}
