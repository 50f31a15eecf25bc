//! Wrapping and unwrapping the master key in a passphrase slot.
//!
//! KEK = Argon2id(passphrase, salt, kdf); wrapped_key = XChaCha20-Poly1305(KEK, nonce, master key,
//! AAD = slot AAD). The AAD binds the slot's type, KDF parameters and salt, so lowering the cost
//! or moving the wrapped key into another slot makes unwrapping fail.

use super::crypto::{self, KEY_LEN, MasterKey};
use super::encoding::{MAGIC, VERSION, WRAPPED_KEY_LEN};
use super::header::{PASSPHRASE_SLOT, PassphraseSlot, SALT_LEN};
use super::{KdfParams, VaultError};
use zeroize::Zeroizing;

/// Associated data of a slot: `MAGIC || u16 BE version || u8 len || type || params... || u8 len || salt`.
pub(crate) fn passphrase_slot_aad(kdf: &KdfParams, salt: &[u8]) -> Vec<u8> {
    let mut aad = Vec::with_capacity(8 + 2 + 1 + PASSPHRASE_SLOT.len() + 12 + 1 + salt.len());
    aad.extend_from_slice(MAGIC);
    aad.extend_from_slice(&VERSION.to_be_bytes());
    aad.push(PASSPHRASE_SLOT.len() as u8);
    aad.extend_from_slice(PASSPHRASE_SLOT.as_bytes());
    aad.extend_from_slice(&kdf.m_cost.to_be_bytes());
    aad.extend_from_slice(&kdf.t_cost.to_be_bytes());
    aad.extend_from_slice(&kdf.p_cost.to_be_bytes());
    // Salts are at most 64 bytes (checked on parse, fixed at creation), so this never truncates.
    aad.push(salt.len() as u8);
    aad.extend_from_slice(salt);
    aad
}

impl PassphraseSlot {
    /// Wraps `master_key` under `passphrase` with a fresh salt and nonce.
    pub(crate) fn wrap(
        passphrase: &[u8],
        kdf: KdfParams,
        master_key: &MasterKey,
    ) -> Result<Self, VaultError> {
        kdf.check_for_new_vault()?;
        let salt: [u8; SALT_LEN] = crypto::random_array().map_err(VaultError::Random)?;
        let nonce = crypto::random_array().map_err(VaultError::Random)?;
        let kek = kdf
            .derive_kek(passphrase, &salt)
            .map_err(VaultError::InvalidKdfParams)?;
        let aad = passphrase_slot_aad(&kdf, &salt);
        let wrapped = crypto::seal(&kek, &nonce, &aad, master_key.as_ref())
            .ok_or(VaultError::Internal("could not wrap the master key"))?;
        let wrapped_key: [u8; WRAPPED_KEY_LEN] = wrapped
            .try_into()
            .map_err(|_| VaultError::Internal("wrapped key has an unexpected length"))?;
        Ok(Self {
            kdf,
            salt: salt.to_vec(),
            nonce,
            wrapped_key,
        })
    }

    /// The master key if `passphrase` opens this slot, `Ok(None)` if it does not.
    ///
    /// `Err` only if the KDF itself cannot run (parameters were validated on parse, so in practice never).
    pub(crate) fn unwrap_key(&self, passphrase: &[u8]) -> Result<Option<MasterKey>, String> {
        let kek = self.kdf.derive_kek(passphrase, &self.salt)?;
        let aad = passphrase_slot_aad(&self.kdf, &self.salt);
        let Some(plain) = crypto::open(&kek, &self.nonce, &aad, &self.wrapped_key) else {
            return Ok(None);
        };
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        if plain.len() != KEY_LEN {
            return Ok(None);
        }
        key.copy_from_slice(&plain);
        Ok(Some(key))
    }
}
