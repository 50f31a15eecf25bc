//! The keyring slot's part of the [`Store`] API: add, remove, and unlock with the keyring key.
//!
//! Adding or removing the slot changes the header, so the body is re-sealed (the header is its
//! associated data) and the file rewritten with the same protocol as `save`: changed-on-disk
//! check, previous version kept as the backup, atomic rename.

use super::VaultError;
use super::crypto::KEY_LEN;
use super::header::MAX_SLOTS;
use super::keyring_slot::KeyringSlot;
use super::store::{Session, Store};
use zeroize::Zeroizing;

impl Store {
    /// Wraps the session's master key under `key` in a keyring slot (replacing any existing one)
    /// and rewrites the file with `body`.
    ///
    /// `key` should come from [`super::new_keyring_key`]; the caller keeps it in the Secret
    /// Service. The passphrase slot is untouched and keeps working.
    pub fn add_keyring_slot(
        &self,
        session: &mut Session,
        key: &[u8; KEY_LEN],
        body: &[u8],
        account_count: u32,
    ) -> Result<(), VaultError> {
        let mut header = session.header.clone();
        let replacing = header
            .keyring_slot()
            .map_err(|r| self.corrupted(r))?
            .is_some();
        if !replacing && header.slots.len() >= MAX_SLOTS {
            return Err(VaultError::TooLarge(format!(
                "the vault already has {MAX_SLOTS} slots, the most a header may list"
            )));
        }
        header.set_keyring_slot(Some(KeyringSlot::wrap(key, &session.master_key)?));
        self.write(session, header, body, account_count)
    }

    /// Removes the keyring slot and rewrites the file with `body`; after this the key that was
    /// in the keyring opens nothing, even if a copy of it survives.
    ///
    /// `Err(NoKeyringSlot)` (nothing written) if there was none.
    pub fn remove_keyring_slot(
        &self,
        session: &mut Session,
        body: &[u8],
        account_count: u32,
    ) -> Result<(), VaultError> {
        let mut header = session.header.clone();
        if header
            .keyring_slot()
            .map_err(|r| self.corrupted(r))?
            .is_none()
        {
            return Err(VaultError::NoKeyringSlot);
        }
        header.set_keyring_slot(None);
        self.write(session, header, body, account_count)
    }

    /// Unlocks with the key kept in the keyring; returns the session and the decrypted body.
    ///
    /// `NoKeyringSlot` if keyring unlock is not set up, `KeyringKeyRejected` if `key` does not
    /// open the slot. Neither is a wrong passphrase and neither should count as one.
    pub fn unlock_with_key(
        &self,
        key: &[u8; KEY_LEN],
    ) -> Result<(Session, Zeroizing<Vec<u8>>), VaultError> {
        self.open_with(|header| {
            let slot = header
                .keyring_slot()
                .map_err(|r| self.corrupted(r))?
                .ok_or(VaultError::NoKeyringSlot)?;
            slot.unwrap_key(key).ok_or(VaultError::KeyringKeyRejected)
        })
    }
}
