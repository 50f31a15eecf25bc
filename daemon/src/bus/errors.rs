//! Maps state errors to the named D-Bus errors of the contract.

use crate::state::StateError;
use latchkey_dbus::Error;

/// The named D-Bus error for a state error, with a message a person understands.
pub fn to_dbus_error(e: StateError) -> Error {
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
        StateError::Vault(_) | StateError::Body(_) => Error::Storage(msg),
    }
}
