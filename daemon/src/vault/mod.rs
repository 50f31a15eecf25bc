//! The encrypted vault file: format, key wrapping and crash-safe storage (DESIGN §4, docs/vault-format.md).
//!
//! The vault body is opaque bytes here; `accounts` decides what goes in it.

mod error;
mod kdf;
mod store;

pub use error::VaultError;
pub use kdf::KdfParams;
pub use store::{HeaderInfo, Session, Store};
