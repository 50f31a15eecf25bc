//! The encrypted vault file: format, key wrapping and crash-safe storage (DESIGN §4,
//! docs/vault-format.md, which is the specification this code follows).
//!
//! The vault body is opaque bytes here; `accounts` decides what goes in it. The file is read
//! in the order the specification gives — prefix, checksum, header, then cryptography — so a
//! damaged file is reported as damaged before a slow KDF runs, and nothing is ever written over
//! a file that could not be read.

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
