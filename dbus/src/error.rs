//! Named D-Bus errors, so clients can react to `Locked` or `NotFound` without parsing messages.

/// Every error the daemon returns; the name is `org.latchkey.Latchkey1.Error.<Variant>`.
#[derive(Debug, zbus::DBusError)]
#[zbus(prefix = "org.latchkey.Latchkey1.Error")]
pub enum Error {
    /// Transport or protocol failure talking to the daemon.
    #[zbus(error)]
    ZBus(zbus::Error),
    /// The vault is locked; unlock it first.
    Locked(String),
    /// No vault exists yet; create one first.
    NotInitialized(String),
    /// A vault already exists; it is never overwritten.
    AlreadyInitialized(String),
    /// No account with that id.
    NotFound(String),
    /// The otpauth URI could not be read.
    InvalidUri(String),
    /// An argument is out of range or malformed.
    InvalidArgument(String),
    /// The passphrase did not unlock the vault.
    BadPassphrase(String),
    /// Too many wrong passphrases: wait before trying again.
    RateLimited(String),
    /// The vault file could not be read or written; nothing was lost.
    Storage(String),
    /// The caller may not do this.
    AccessDenied(String),
    /// The request has expired and can no longer be answered.
    Expired(String),
    /// The login keyring could not unlock the vault (locked, missing, or not enabled).
    Keyring(String),
    /// The data to import is encrypted and no passphrase was given; ask for one and retry.
    PassphraseRequired(String),
    /// The data to import is no export Latchkey recognises; the message says what the file
    /// looks like and lists the apps it reads. Offer to name the format.
    UnknownFormat(String),
    /// A remote server (privacyIDEA) could not be reached or refused the request.
    Network(String),
    /// The account is already in the vault (same issuer, name and secret); nothing was added.
    AlreadyExists(String),
    /// Another app has added as many accounts as it may since the vault was unlocked; the user
    /// adds further ones in Latchkey itself.
    AddLimitReached(String),
    /// Another request changed the passphrase while this change was checking the old one;
    /// nothing was changed by this one.
    PassphraseChangedMeanwhile(String),
    /// Too many of the caller's requests are waiting for the user; wait for an answer first.
    TooManyRequests(String),
    /// Sync is not in the state the call needs (off, already on, not admitted yet).
    Sync(String),
}

impl Error {
    /// The human-readable message, without the D-Bus error name.
    pub fn message(&self) -> String {
        match self {
            Error::ZBus(e) => e.to_string(),
            Error::Locked(m)
            | Error::NotInitialized(m)
            | Error::AlreadyInitialized(m)
            | Error::NotFound(m)
            | Error::InvalidUri(m)
            | Error::InvalidArgument(m)
            | Error::BadPassphrase(m)
            | Error::RateLimited(m)
            | Error::Storage(m)
            | Error::AccessDenied(m)
            | Error::Expired(m)
            | Error::Keyring(m)
            | Error::PassphraseRequired(m)
            | Error::UnknownFormat(m)
            | Error::Network(m)
            | Error::AlreadyExists(m)
            | Error::AddLimitReached(m)
            | Error::PassphraseChangedMeanwhile(m)
            | Error::TooManyRequests(m)
            | Error::Sync(m) => m.clone(),
        }
    }
}
