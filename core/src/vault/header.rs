//! The JSON header: cipher, body nonce, account count and the list of key slots.
//!
//! Slots are a list with a `type` field so new ways of unwrapping the master key (the keyring
//! slot was the first) can be added without a format version bump: a Latchkey that does not know
//! a slot type keeps it verbatim and ignores it.

use super::KdfParams;
use super::crypto::NONCE_LEN;
use super::encoding::{WRAPPED_KEY_LEN, decode, decode_fixed, short};
use super::keyring_slot::{KEYRING_SLOT, KeyringSlot, KeyringSlotJson};
use data_encoding::BASE64;
use serde::{Deserialize, Serialize};

/// The only body cipher; named in the header so a future one can be told apart.
pub(crate) const CIPHER: &str = "xchacha20poly1305";
/// The `type` of the passphrase slot.
pub(crate) const PASSPHRASE_SLOT: &str = "passphrase";
/// Salt length for new passphrase slots (Argon2 recommends at least 16).
pub(crate) const SALT_LEN: usize = 32;
/// Shortest salt accepted when reading, so a tampered header cannot weaken the KDF input.
const MIN_SALT_LEN: usize = 16;
/// Longest salt accepted when reading, so the slot AAD's one-byte length always fits.
const MAX_SALT_LEN: usize = 64;
/// Most slots a header may list; a few per vault is all any design needs.
pub(crate) const MAX_SLOTS: usize = 16;

/// The header as read from JSON (binary fields as padded standard base64).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HeaderJson {
    cipher: String,
    body_nonce: String,
    account_count: u32,
    slots: Vec<serde_json::Value>,
}

/// The header as written: same fields, slots serialised in their own field order.
#[derive(Serialize)]
struct HeaderJsonOut<'a> {
    cipher: &'static str,
    body_nonce: String,
    account_count: u32,
    slots: Vec<SlotJsonOut<'a>>,
}

/// One slot as written: known types from their struct, unknown ones exactly as they were read.
#[derive(Serialize)]
#[serde(untagged)]
enum SlotJsonOut<'a> {
    Passphrase(PassphraseSlotJson),
    Keyring(KeyringSlotJson),
    Unknown(&'a serde_json::Value),
}

/// A passphrase slot as it appears in JSON.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PassphraseSlotJson {
    #[serde(rename = "type")]
    kind: String,
    kdf: KdfParams,
    salt: String,
    nonce: String,
    wrapped_key: String,
}

/// The master key wrapped under a key derived from a passphrase with Argon2id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PassphraseSlot {
    pub(crate) kdf: KdfParams,
    pub(crate) salt: Vec<u8>,
    pub(crate) nonce: [u8; NONCE_LEN],
    pub(crate) wrapped_key: [u8; WRAPPED_KEY_LEN],
}

/// One way to recover the master key. New types become new variants.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Slot {
    /// Argon2id(passphrase) unwraps the master key.
    Passphrase(PassphraseSlot),
    /// A random key kept in the login keyring unwraps the master key.
    Keyring(KeyringSlot),
    /// A slot type this Latchkey does not know: kept byte-for-byte in meaning, never used.
    Unknown(serde_json::Value),
}

/// Everything between the fixed prefix and the body ciphertext.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Header {
    pub(crate) body_nonce: [u8; NONCE_LEN],
    pub(crate) account_count: u32,
    pub(crate) slots: Vec<Slot>,
}

impl Header {
    /// Compact JSON, the exact bytes that go into the file (and into the body's AAD).
    pub(crate) fn to_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        serde_json::to_vec(&HeaderJsonOut {
            cipher: CIPHER,
            body_nonce: BASE64.encode(&self.body_nonce),
            account_count: self.account_count,
            slots: self.slots.iter().map(Slot::to_json).collect(),
        })
    }

    /// Parses and validates header bytes; the error is a short reason with no secret in it.
    pub(crate) fn from_json(bytes: &[u8]) -> Result<Self, String> {
        let json: HeaderJson = serde_json::from_slice(bytes)
            .map_err(|e| short(&format!("header is not valid: {e}")))?;
        if json.cipher != CIPHER {
            return Err(short(&format!("unknown body cipher {:?}", json.cipher)));
        }
        let body_nonce = decode_fixed("body_nonce", &json.body_nonce)?;
        if json.slots.is_empty() || json.slots.len() > MAX_SLOTS {
            return Err(format!(
                "header lists {} slots, expected 1 to {MAX_SLOTS}",
                json.slots.len()
            ));
        }
        let slots = json
            .slots
            .into_iter()
            .map(Slot::from_json)
            .collect::<Result<Vec<_>, _>>()?;
        let header = Self {
            body_nonce,
            account_count: json.account_count,
            slots,
        };
        header.passphrase_slot()?;
        header.keyring_slot()?;
        Ok(header)
    }

    /// The single passphrase slot every version-1 vault has.
    pub(crate) fn passphrase_slot(&self) -> Result<&PassphraseSlot, String> {
        let mut found = self.slots.iter().filter_map(|s| match s {
            Slot::Passphrase(p) => Some(p),
            Slot::Keyring(_) | Slot::Unknown(_) => None,
        });
        match (found.next(), found.next()) {
            (Some(p), None) => Ok(p),
            (None, _) => Err("header has no passphrase slot".to_owned()),
            (Some(_), Some(_)) => Err("header has more than one passphrase slot".to_owned()),
        }
    }

    /// Replaces the passphrase slot (keeping its position), for a passphrase change.
    pub(crate) fn set_passphrase_slot(&mut self, slot: PassphraseSlot) {
        for s in &mut self.slots {
            if let Slot::Passphrase(p) = s {
                *p = slot;
                return;
            }
        }
        self.slots.push(Slot::Passphrase(slot));
    }

    /// The keyring slot, if any; more than one makes the header invalid.
    pub(crate) fn keyring_slot(&self) -> Result<Option<&KeyringSlot>, String> {
        let mut found = self.slots.iter().filter_map(|s| match s {
            Slot::Keyring(k) => Some(k),
            Slot::Passphrase(_) | Slot::Unknown(_) => None,
        });
        match (found.next(), found.next()) {
            (None, _) => Ok(None),
            (Some(k), None) => Ok(Some(k)),
            (Some(_), Some(_)) => Err("header has more than one keyring slot".to_owned()),
        }
    }

    /// Replaces the keyring slot in place, adds it at the end, or (with `None`) removes it.
    pub(crate) fn set_keyring_slot(&mut self, slot: Option<KeyringSlot>) {
        let at = self
            .slots
            .iter()
            .position(|s| matches!(s, Slot::Keyring(_)));
        self.slots.retain(|s| !matches!(s, Slot::Keyring(_)));
        if let Some(slot) = slot {
            let at = at.unwrap_or(self.slots.len()).min(self.slots.len());
            self.slots.insert(at, Slot::Keyring(slot));
        }
    }
}

impl Slot {
    /// The slot's JSON object.
    fn to_json(&self) -> SlotJsonOut<'_> {
        match self {
            Slot::Passphrase(p) => SlotJsonOut::Passphrase(PassphraseSlotJson {
                kind: PASSPHRASE_SLOT.to_owned(),
                kdf: p.kdf,
                salt: BASE64.encode(&p.salt),
                nonce: BASE64.encode(&p.nonce),
                wrapped_key: BASE64.encode(&p.wrapped_key),
            }),
            Slot::Keyring(k) => SlotJsonOut::Keyring(k.to_json()),
            Slot::Unknown(v) => SlotJsonOut::Unknown(v),
        }
    }

    /// Parses one slot: known types strictly, unknown types only as "an object with a string type".
    fn from_json(value: serde_json::Value) -> Result<Self, String> {
        let kind = value.get("type").and_then(serde_json::Value::as_str);
        match kind {
            None => Err("a slot has no string \"type\" field".to_owned()),
            Some(PASSPHRASE_SLOT) => {
                let json: PassphraseSlotJson = serde_json::from_value(value)
                    .map_err(|e| short(&format!("passphrase slot is not valid: {e}")))?;
                json.kdf
                    .validate()
                    .map_err(|e| format!("passphrase slot: {e}"))?;
                let salt = decode("salt", &json.salt)?;
                if !(MIN_SALT_LEN..=MAX_SALT_LEN).contains(&salt.len()) {
                    return Err(format!(
                        "salt is {} bytes, expected {MIN_SALT_LEN} to {MAX_SALT_LEN}",
                        salt.len()
                    ));
                }
                Ok(Slot::Passphrase(PassphraseSlot {
                    kdf: json.kdf,
                    salt,
                    nonce: decode_fixed("nonce", &json.nonce)?,
                    wrapped_key: decode_fixed("wrapped_key", &json.wrapped_key)?,
                }))
            }
            Some(KEYRING_SLOT) => KeyringSlot::from_json(value).map(Slot::Keyring),
            Some(_) => Ok(Slot::Unknown(value)),
        }
    }
}
