//! privacyIDEA push tokens in poll-only mode: Latchkey acts as the push device.
//!
//! Poll-only because a desktop has no push channel of its own: the daemon asks the server for
//! challenges, verifies the server's signature on each before the user sees it, shows it as an
//! approval request and signs the answer with the token's own key. Tokens live in their own 0600
//! file beside the vault, so they work while the vault is locked. The wire format is
//! privacyIDEA's `/ttype/push` endpoint; the HTTP client has timeouts and size caps because the
//! server is not trusted more than it must be.

pub mod enroll;
pub mod http;
pub mod keys;
pub mod poller;
pub mod protocol;
mod requests;
pub mod store;
pub mod uri;

pub use poller::Push;
pub use store::PushToken;

/// Why a push operation failed. Messages never carry keys or the enrollment credential.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("invalid push token URI: {0}")]
    Uri(#[from] uri::PushUriError),
    #[error("{0}")]
    Http(#[from] http::HttpError),
    #[error("{0}")]
    Protocol(#[from] protocol::ProtocolError),
    #[error("{0}")]
    Keys(#[from] keys::KeyError),
    #[error("{0}")]
    Store(#[from] store::StoreError),
    #[error("a push token with serial {0} is already enrolled")]
    Duplicate(String),
    #[error("no push token with id {0}")]
    NotFound(String),
    #[error("push tokens are unavailable: {0}")]
    Unavailable(String),
}

#[cfg(test)]
mod tests;
