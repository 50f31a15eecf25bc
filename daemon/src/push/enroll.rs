//! The second enrollment step: make the device key pair, register it with the server, keep the
//! server's public key.

use super::http::Http;
use super::keys::DeviceKey;
use super::store::PushToken;
use super::uri::EnrollUri;
use super::{PushError, protocol};

/// What a poll-only device sends as its Firebase token (the server stores it, never uses it).
pub const NO_FIREBASE_TOKEN: &str = "latchkey-poll-only";

/// Registers with the server named in `uri` and returns the enrolled token (not yet stored).
pub async fn enroll(http: &Http, uri: &EnrollUri) -> Result<PushToken, PushError> {
    super::http::check_url(&uri.url)?;
    if !uri.sslverify {
        tracing::warn!(event = "push-sslverify-off", serial = %uri.serial, "the server asked not to check its TLS certificate (sslverify=0): the connection to it is not authenticated");
    }
    if !uri.poll_only {
        tracing::info!(serial = %uri.serial, "the server is set up for Firebase push; Latchkey polls for challenges instead");
    }
    let key = tokio::task::spawn_blocking(DeviceKey::generate)
        .await
        .map_err(|_| super::keys::KeyError::Generate)??;
    let public = key.public_spki_base64()?;
    let form = [
        ("enrollment_credential", uri.enrollment_credential.as_str()),
        ("serial", uri.serial.as_str()),
        ("fbtoken", NO_FIREBASE_TOKEN),
        ("pubkey", public.as_str()),
    ];
    // The server waits `ttl` minutes for this step; never wait longer than that.
    let limit =
        std::time::Duration::from_secs(u64::from(uri.ttl_minutes) * 60).min(super::http::TIMEOUT);
    let body = tokio::time::timeout(limit, http.post(&uri.url, uri.sslverify, &form))
        .await
        .map_err(|_| super::http::HttpError::Request {
            host: uri.url.clone(),
            message: "timed out".into(),
        })??;
    let server_key = protocol::parse_enrollment(&body)?;
    Ok(PushToken::new(
        uri.serial.clone(),
        uri.issuer.clone(),
        uri.label.clone(),
        uri.url.clone(),
        uri.sslverify,
        &key,
        &server_key,
    )?)
}
