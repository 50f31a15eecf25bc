//! The encrypted vault file: format, key wrapping and crash-safe storage (DESIGN §4, docs/vault-format.md).
//!
//! The vault body is opaque bytes here; `accounts` decides what goes in it.
//!
//! Files: `format` (byte layout, checksum, body sealing), `header` (JSON header and slots),
//! `slot` (passphrase slot key wrapping), `keyring_slot` (keyring slot key wrapping),
//! `kdf` (Argon2id), `crypto` (AEAD, randomness), `atomic` (temp file / fsync / rename / backup),
//! `store` (the public API gluing them), `store_keyring` (the keyring slot's part of that API),
//! `copy` (standalone copies for backups and exports), `rewrap` (changing the passphrase
//! without holding the session through the KDFs).

mod atomic;
mod copy;
mod crypto;
mod encoding;
mod error;
mod format;
mod header;
mod kdf;
mod keyring_slot;
mod rewrap;
mod slot;
mod store;
mod store_keyring;

pub use copy::{CopyError, OpenedCopy, PassphraseCheck, install_copy, open_copy};
pub use error::VaultError;
pub use kdf::{KdfParams, MAX_M_COST, MAX_P_COST, MAX_T_COST};
pub use keyring_slot::new_keyring_key;
pub use rewrap::{PassphraseChange, Rewrapped};
pub use store::{HeaderInfo, Session, Store};
