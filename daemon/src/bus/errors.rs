//! How every refusal of the layers below becomes a named D-Bus error of the contract.
//!
//! One `From` impl per error type, so a method body says `?` and the mapping lives here, in one
//! place a reviewer can read against `dbus/src/error.rs`. Messages are the errors' own: they
//! name the fault in words a person understands and never carry a secret.

use crate::access::IdentityError;
use crate::approvals::hub::ConsentError;
use crate::approvals::{DecisionError, Full};
use crate::catalog::CatalogError;
use crate::import::ImportError;
use crate::keyring::KeyringError;
use crate::push::PushError;
use crate::state::StateError;
use crate::state::keyring::KeyringUnlockError;
use crate::state::restore::RestoreError;
use crate::vault::CopyError;
use latchkey_dbus::Error;

impl From<StateError> for Error {
    fn from(e: StateError) -> Self {
        let msg = e.to_string();
        match e {
            StateError::Locked => Error::Locked(msg),
            StateError::NotInitialized => Error::NotInitialized(msg),
            StateError::AlreadyInitialized => Error::AlreadyInitialized(msg),
            StateError::AlreadyUnlocked => Error::InvalidArgument(msg),
            StateError::NotFound(_) => Error::NotFound(msg),
            StateError::AlreadyExists(_) => Error::AlreadyExists(msg),
            StateError::InvalidUri(_) => Error::InvalidUri(msg),
            StateError::InvalidArgument(_) => Error::InvalidArgument(msg),
            StateError::BadPassphrase => Error::BadPassphrase(msg),
            StateError::RateLimited(_) => Error::RateLimited(msg),
            StateError::PassphraseChangedMeanwhile => Error::PassphraseChangedMeanwhile(msg),
            StateError::Keyring(_) => Error::Keyring(msg),
            StateError::SyncOff | StateError::SyncOn | StateError::FollowOff => Error::Sync(msg),
            StateError::Vault(_) | StateError::Body(_) | StateError::Internal(_) => {
                Error::Storage(msg)
            }
            StateError::Import(
                ImportError::BadPassphrase(_) | ImportError::BadPassphraseOrCorrupted(_),
            ) => Error::BadPassphrase(msg),
            StateError::Import(ImportError::PassphraseRequired(_)) => {
                Error::PassphraseRequired(msg)
            }
            StateError::Import(ImportError::UnknownFormat(_)) => Error::UnknownFormat(msg),
            StateError::Import(_) | StateError::Export(_) => Error::InvalidArgument(msg),
        }
    }
}

impl From<KeyringUnlockError> for Error {
    fn from(e: KeyringUnlockError) -> Self {
        match e {
            KeyringUnlockError::Keyring(k) => k.into(),
            KeyringUnlockError::State(s) => s.into(),
        }
    }
}

impl From<RestoreError> for Error {
    fn from(e: RestoreError) -> Self {
        match e {
            RestoreError::Backup(CopyError::BadPassphrase) => Error::BadPassphrase(e.to_string()),
            RestoreError::Backup(_) | RestoreError::Contents(_) | RestoreError::Unaddable(_) => {
                Error::InvalidArgument(e.to_string())
            }
            RestoreError::State(StateError::AlreadyInitialized) => Error::AlreadyInitialized(
                "a vault appeared while restoring; it was not replaced".into(),
            ),
            RestoreError::State(s) => s.into(),
        }
    }
}

impl From<DecisionError> for Error {
    fn from(e: DecisionError) -> Self {
        match e {
            DecisionError::NotFound(_) => Error::NotFound(e.to_string()),
            DecisionError::Locked => Error::Locked(e.to_string()),
            DecisionError::Expired => Error::Expired(e.to_string()),
            DecisionError::NumberRequired => Error::InvalidArgument(e.to_string()),
        }
    }
}

impl From<CatalogError> for Error {
    fn from(e: CatalogError) -> Self {
        match e {
            CatalogError::State(s) => s.into(),
            CatalogError::Push(p) => p.into(),
            CatalogError::NoCodes { .. } => Error::InvalidArgument(e.to_string()),
        }
    }
}

impl From<IdentityError> for Error {
    fn from(e: IdentityError) -> Self {
        Error::AccessDenied(e.to_string())
    }
}

impl From<ConsentError> for Error {
    fn from(e: ConsentError) -> Self {
        match e {
            ConsentError::Decision(d) => d.into(),
            ConsentError::NotConsent | ConsentError::Answer(_) => {
                Error::InvalidArgument(e.to_string())
            }
        }
    }
}

impl From<Full> for Error {
    fn from(e: Full) -> Self {
        Error::TooManyRequests(e.to_string())
    }
}

impl From<KeyringError> for Error {
    /// A keyring failure is never a wrong passphrase: the passphrase still works.
    fn from(e: KeyringError) -> Self {
        Error::Keyring(format!("{e}; unlock with the passphrase instead"))
    }
}

impl From<PushError> for Error {
    fn from(e: PushError) -> Self {
        let msg = e.to_string();
        match e {
            PushError::Uri(_) => Error::InvalidUri(msg),
            PushError::Http(_) | PushError::Protocol(_) => Error::Network(msg),
            PushError::Store(_) | PushError::Keys(_) | PushError::Unavailable(_) => {
                Error::Storage(msg)
            }
            PushError::Duplicate(_) => Error::InvalidArgument(msg),
            PushError::NotFound(_) => Error::NotFound(msg),
        }
    }
}

/// Runs slow work (a KDF, a file write) on tokio's blocking pool; see [`crate::state::blocking`].
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Error> {
    Ok(crate::state::blocking(f).await?)
}
