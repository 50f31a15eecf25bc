//! Vault errors, each worded for the person who has to act on it.

use std::path::PathBuf;

/// Why a vault operation failed. No variant carries key material or plaintext.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("no vault at {0}")]
    NotFound(PathBuf),
    #[error("a vault already exists at {0}; it is never overwritten")]
    AlreadyExists(PathBuf),
    #[error("{0} is not a Latchkey vault")]
    NotAVault(PathBuf),
    #[error("the vault at {path} has format version {version}, which this Latchkey does not know")]
    UnsupportedVersion { path: PathBuf, version: u16 },
    #[error("the vault at {path} is corrupted ({reason}); it was left untouched")]
    Corrupted { path: PathBuf, reason: String },
    #[error("wrong passphrase")]
    BadPassphrase,
    #[error("the vault at {0} was changed by something else since it was unlocked; not overwriting it")]
    ChangedOnDisk(PathBuf),
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}
