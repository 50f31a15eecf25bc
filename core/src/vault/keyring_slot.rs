//! The keyring slot: the master key wrapped under a random 256-bit key kept in the Secret Service.
//!
//! wrapped_key = XChaCha20-Poly1305(keyring key, nonce, master key, AAD = keyring slot AAD). No KDF:
//! the keyring key is uniformly random, so it is used directly. The AAD binds the slot type (and
//! the optional `id`), so a wrapped key moved into another slot, or a slot relabelled, no longer
//! unwraps. Whoever can read the login keyring as this user can unlock the vault: that is the
//! opt-in trade-off (docs/vault-format.md §Keyring slot).

use super::VaultError;
use super::crypto::{self, KEY_LEN, MasterKey, NONCE_LEN};
use super::encoding::{MAGIC, VERSION, WRAPPED_KEY_LEN, decode_fixed, short};
use data_encoding::BASE64;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// The `type` of the keyring slot.
pub(crate) const KEYRING_SLOT: &str = "keyring";
/// Longest `id` accepted, so the AAD's one-byte length always fits.
const MAX_ID_LEN: usize = 64;

/// A random key for a keyring slot, from the OS generator, wiped on drop.
///
/// The daemon stores it in the Secret Service and passes it to [`super::Store::add_keyring_slot`].
pub fn new_keyring_key() -> Result<Zeroizing<[u8; KEY_LEN]>, VaultError> {
    crypto::new_master_key().map_err(VaultError::Random)
}

/// The master key wrapped under a random key that lives in the login keyring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyringSlot {
    /// Optional opaque label (printable ASCII, 1–64 bytes), bound into the AAD; Latchkey 1 writes none.
    pub(crate) id: Option<String>,
    pub(crate) nonce: [u8; NONCE_LEN],
    pub(crate) wrapped_key: [u8; WRAPPED_KEY_LEN],
}

/// A keyring slot as it appears in JSON.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct KeyringSlotJson {
    #[serde(rename = "type")]
    kind: String,
    nonce: String,
    wrapped_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
}

/// Associated data: `MAGIC || u16 BE version || u8 len || "keyring" || u8 len(id) || id` (len 0 if none).
pub(crate) fn keyring_slot_aad(id: Option<&str>) -> Vec<u8> {
    let id = id.unwrap_or("").as_bytes();
    let mut aad = Vec::with_capacity(8 + 2 + 1 + KEYRING_SLOT.len() + 1 + id.len());
    aad.extend_from_slice(MAGIC);
    aad.extend_from_slice(&VERSION.to_be_bytes());
    aad.push(KEYRING_SLOT.len() as u8);
    aad.extend_from_slice(KEYRING_SLOT.as_bytes());
    // Ids are at most 64 bytes (checked on parse; none is written), so this never truncates.
    aad.push(id.len() as u8);
    aad.extend_from_slice(id);
    aad
}

impl KeyringSlot {
    /// Wraps `master_key` under `key` with a fresh nonce; the new slot has no `id`.
    pub(crate) fn wrap(key: &[u8; KEY_LEN], master_key: &MasterKey) -> Result<Self, VaultError> {
        let nonce = crypto::random_array().map_err(VaultError::Random)?;
        let aad = keyring_slot_aad(None);
        let wrapped = crypto::seal(key, &nonce, &aad, master_key.as_ref())
            .ok_or(VaultError::Internal("could not wrap the master key"))?;
        let wrapped_key: [u8; WRAPPED_KEY_LEN] = wrapped
            .try_into()
            .map_err(|_| VaultError::Internal("wrapped key has an unexpected length"))?;
        Ok(Self {
            id: None,
            nonce,
            wrapped_key,
        })
    }

    /// The master key if `key` opens this slot, `None` if it does not.
    pub(crate) fn unwrap_key(&self, key: &[u8; KEY_LEN]) -> Option<MasterKey> {
        let aad = keyring_slot_aad(self.id.as_deref());
        let plain = crypto::open(key, &self.nonce, &aad, &self.wrapped_key)?;
        if plain.len() != KEY_LEN {
            return None;
        }
        let mut master = Zeroizing::new([0u8; KEY_LEN]);
        master.copy_from_slice(&plain);
        Some(master)
    }

    /// The slot's JSON object.
    pub(crate) fn to_json(&self) -> KeyringSlotJson {
        KeyringSlotJson {
            kind: KEYRING_SLOT.to_owned(),
            nonce: BASE64.encode(&self.nonce),
            wrapped_key: BASE64.encode(&self.wrapped_key),
            id: self.id.clone(),
        }
    }

    /// Parses a slot whose `type` is `"keyring"`, strictly (unknown fields, bad lengths refused).
    pub(crate) fn from_json(value: serde_json::Value) -> Result<Self, String> {
        let json: KeyringSlotJson = serde_json::from_value(value)
            .map_err(|e| short(&format!("keyring slot is not valid: {e}")))?;
        if let Some(id) = &json.id {
            let printable = id.bytes().all(|b| b.is_ascii_graphic() || b == b' ');
            if id.is_empty() || id.len() > MAX_ID_LEN || !printable {
                return Err(format!(
                    "keyring slot id must be 1 to {MAX_ID_LEN} printable ASCII characters"
                ));
            }
        }
        Ok(Self {
            id: json.id,
            nonce: decode_fixed("keyring slot nonce", &json.nonce)?,
            wrapped_key: decode_fixed("keyring slot wrapped_key", &json.wrapped_key)?,
        })
    }
}
