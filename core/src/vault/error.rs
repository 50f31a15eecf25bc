//! Vault errors, each worded for the person who has to act on it.

use std::path::PathBuf;

/// Why a vault operation failed. No variant carries key material or plaintext.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// Nothing at the path: the caller probably wants `create`.
    #[error("no vault at {0}")]
    NotFound(PathBuf),
    /// `create` never replaces a file, whatever it contains.
    #[error("a vault already exists at {0}; it is never overwritten")]
    AlreadyExists(PathBuf),
    /// The file does not start with the Latchkey magic: the wrong file was given.
    #[error("{0} is not a Latchkey vault")]
    NotAVault(PathBuf),
    /// Written by a newer (or unknown) Latchkey; refusing is safer than guessing.
    #[error("the vault at {path} has format version {version}, which this Latchkey does not know")]
    UnsupportedVersion { path: PathBuf, version: u16 },
    /// Damaged or tampered with; `reason` says which check failed (never secret data).
    #[error("the vault at {path} is corrupted ({reason}); it was left untouched")]
    Corrupted { path: PathBuf, reason: String },
    /// The passphrase did not open the passphrase slot.
    #[error("wrong passphrase")]
    BadPassphrase,
    /// Keyring unlock was asked for, but the vault has no keyring slot (it was never set up or was removed).
    #[error("keyring unlock is not set up for this vault; unlock it with the passphrase")]
    NoKeyringSlot,
    /// The key from the login keyring does not open the keyring slot. Not a wrong passphrase:
    /// callers must not count it as a failed passphrase attempt.
    #[error(
        "the key in the login keyring does not open this vault (it was replaced or belongs to another vault); unlock it with the passphrase"
    )]
    KeyringKeyRejected,
    /// Someone else rewrote (or removed) the file since this session read it; we don't clobber it.
    #[error(
        "the vault at {0} was changed by something else since it was unlocked; not overwriting it"
    )]
    ChangedOnDisk(PathBuf),
    /// The passphrase was changed by another call while this change ran its KDFs: nothing was
    /// changed by this one.
    #[error(
        "the passphrase was changed meanwhile by another request; nothing was changed, try again with the current passphrase"
    )]
    PassphraseChangedMeanwhile,
    /// KDF parameters a caller asked for are outside what Latchkey accepts in a vault.
    #[error("unusable key-derivation parameters: {0}")]
    InvalidKdfParams(String),
    /// The body or header would not fit the format's limits.
    #[error("the vault would be too large: {0}")]
    TooLarge(String),
    /// The operating system could not give us random bytes for keys, salts or nonces.
    #[error("the system random number generator failed: {0}")]
    Random(#[source] std::io::Error),
    /// A "cannot happen" condition, reported rather than panicking; please file a bug.
    #[error("internal error in the vault code: {0}")]
    Internal(&'static str),
    /// The operating system refused a file operation.
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl VaultError {
    /// Shorthand used by the storage code to attach the action and path to an I/O error.
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
