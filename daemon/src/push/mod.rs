//! privacyIDEA push tokens in poll-only mode: Latchkey acts as the push device.
//!
//! `uri` reads the enrollment URI, `keys` holds the RSA keys (aws-lc-rs), `protocol` builds and
//! checks the signed texts, `http` talks to the server (rustls, timeouts, size caps), `store`
//! keeps enrolled tokens in their own 0600 file (usable while the vault is locked), `enroll`
//! performs the second enrollment step and `poller` fetches challenges and answers them through
//! the approvals machinery. The wire format is privacyIDEA's `/ttype/push` endpoint.

pub mod enroll;
mod events;
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
