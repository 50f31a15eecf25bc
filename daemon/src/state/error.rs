//! Why a vault operation was refused, with the conversions from the layers below.

use crate::accounts::BodyError;
use crate::export::ExportError;
use crate::import::ImportError;
use crate::otp::{ParamError, SecretError, UriError};
use crate::vault::VaultError;

/// Why an operation was refused; the bus layer maps each to a named D-Bus error.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("the vault is locked")]
    Locked,
    #[error("there is no vault yet")]
    NotInitialized,
    #[error("a vault already exists; it is never overwritten")]
    AlreadyInitialized,
    #[error("the vault is already unlocked")]
    AlreadyUnlocked,
    #[error("no account with id {0}")]
    NotFound(String),
    #[error("this account (same issuer, name and secret) is already in Latchkey, id {0}")]
    AlreadyExists(String),
    #[error("invalid otpauth URI: {0}")]
    InvalidUri(#[from] UriError),
    #[error("{0}")]
    InvalidArgument(String),
    #[error("wrong passphrase")]
    BadPassphrase,
    #[error("too many wrong passphrases: try again in {0} s")]
    RateLimited(u64),
    #[error(
        "the passphrase was changed meanwhile by another request; nothing was changed, try again with the current passphrase"
    )]
    PassphraseChangedMeanwhile,
    #[error("{0}")]
    Keyring(String),
    #[error(transparent)]
    Vault(VaultError),
    #[error(transparent)]
    Body(#[from] BodyError),
    /// Another app's export cannot be read (the file's fault, named).
    #[error(transparent)]
    Import(#[from] ImportError),
    /// The export asked for cannot be written as asked.
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error("sync is not on (latchkey sync enable FOLDER, or join FOLDER CODE)")]
    SyncOff,
    #[error("sync is already on; disable it first to start over")]
    SyncOn,
    #[error("no Aegis backups are followed (latchkey sync follow-aegis FOLDER)")]
    FollowOff,
    /// Blocking work panicked: a bug, reported as a storage failure; nothing was changed.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<VaultError> for StateError {
    fn from(e: VaultError) -> Self {
        match e {
            VaultError::BadPassphrase => StateError::BadPassphrase,
            VaultError::AlreadyExists(_) => StateError::AlreadyInitialized,
            VaultError::PassphraseChangedMeanwhile => StateError::PassphraseChangedMeanwhile,
            e @ (VaultError::KeyringKeyRejected | VaultError::NoKeyringSlot) => {
                StateError::Keyring(e.to_string())
            }
            other => StateError::Vault(other),
        }
    }
}

impl From<ParamError> for StateError {
    fn from(e: ParamError) -> Self {
        StateError::InvalidArgument(e.to_string())
    }
}

impl From<SecretError> for StateError {
    fn from(e: SecretError) -> Self {
        StateError::InvalidArgument(e.to_string())
    }
}
