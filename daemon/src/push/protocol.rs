//! privacyIDEA's `/ttype/push` wire format (as in privacyIDEA 3.14 `lib/tokens/pushtoken.py`):
//! the texts each side signs, the challenge fields, and the JSON envelope of every answer.
//!
//! - Poll: `GET url?serial=S&timestamp=T&signature=sign("S|T")`, T an ISO 8601 time within a
//!   minute of the server's clock.
//! - Challenge: the server signs `nonce|url|serial|question|title|sslverify`, plus
//!   `|require_presence` when the challenge asks for a presence check (comma-separated options).
//! - Answer: `POST url` with `nonce`, `serial`, `signature`; the signed text is `nonce|serial`,
//!   then `|decline` for a decline, then `|presence_answer` when one is sent.

use super::keys::{KeyError, ServerKey};
use serde::Deserialize;

/// Why a server answer could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    #[error("the server's answer is not privacyIDEA JSON: {0}")]
    Format(String),
    #[error("the server refused: {0}")]
    Refused(String),
    #[error("the enrollment answer has no server public key")]
    NoServerKey,
    #[error("challenge for serial {got:?} arrived on token {expected:?}")]
    WrongSerial { expected: String, got: String },
    #[error("the challenge signature does not verify: {0}")]
    Signature(KeyError),
    #[error("the challenge has an unusable field: {0}")]
    BadField(&'static str),
}

/// The text the device signs to poll.
pub fn poll_text(serial: &str, timestamp: &str) -> String {
    format!("{serial}|{timestamp}")
}

/// The text the device signs to answer a challenge.
pub fn answer_text(nonce: &str, serial: &str, decline: bool, presence: Option<&str>) -> String {
    let mut text = format!("{nonce}|{serial}");
    if decline {
        text.push_str("|decline");
    }
    if let Some(p) = presence {
        text.push('|');
        text.push_str(p);
    }
    text
}

/// The current time as the poll timestamp (UTC, ISO 8601 with microseconds).
pub fn timestamp_now() -> String {
    humantime::format_rfc3339_micros(std::time::SystemTime::now()).to_string()
}

/// One challenge as the server sends it when polled.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Challenge {
    pub nonce: String,
    pub url: String,
    pub serial: String,
    pub question: String,
    pub title: String,
    pub sslverify: String,
    pub signature: String,
    #[serde(default)]
    pub require_presence: Option<String>,
}

/// A challenge whose server signature verified: only these reach the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub nonce: String,
    pub url: String,
    pub serial: String,
    pub question: String,
    pub title: String,
    pub sslverify: bool,
    /// Presence options the user picks from (empty: a plain accept/decline).
    pub presence: Vec<String>,
}

impl Challenge {
    /// The text the server signed.
    pub fn signed_text(&self) -> String {
        let mut text = format!(
            "{}|{}|{}|{}|{}|{}",
            self.nonce, self.url, self.serial, self.question, self.title, self.sslverify
        );
        if let Some(p) = &self.require_presence {
            text.push('|');
            text.push_str(p);
        }
        text
    }

    /// Checks the server's signature and that the challenge is for `serial`.
    pub fn verify(&self, key: &ServerKey, serial: &str) -> Result<Verified, ProtocolError> {
        key.verify(&self.signed_text(), &self.signature)
            .map_err(ProtocolError::Signature)?;
        if self.serial != serial {
            return Err(ProtocolError::WrongSerial {
                expected: serial.into(),
                got: self.serial.chars().take(64).collect(),
            });
        }
        if self.nonce.is_empty() || self.nonce.len() > 256 {
            return Err(ProtocolError::BadField("nonce"));
        }
        let presence: Vec<String> = match &self.require_presence {
            None => Vec::new(),
            Some(p) => p.split(',').map(str::to_string).collect(),
        };
        if presence.len() == 1 || presence.len() > 10 || presence.iter().any(|p| p.is_empty()) {
            return Err(ProtocolError::BadField("require_presence"));
        }
        Ok(Verified {
            nonce: self.nonce.clone(),
            url: self.url.clone(),
            serial: self.serial.clone(),
            question: self.question.clone(),
            title: self.title.clone(),
            sslverify: self.sslverify != "0",
            presence,
        })
    }
}

#[derive(Deserialize)]
struct Envelope<T> {
    result: Outcome<T>,
    #[serde(default)]
    detail: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Outcome<T> {
    status: bool,
    #[serde(default = "none")]
    value: Option<T>,
    #[serde(default)]
    error: Option<ServerError>,
}

fn none<T>() -> Option<T> {
    None
}

#[derive(Deserialize)]
struct ServerError {
    #[serde(default)]
    message: String,
}

fn envelope<T: serde::de::DeserializeOwned>(
    body: &[u8],
) -> Result<(Option<T>, Option<serde_json::Value>), ProtocolError> {
    let env: Envelope<T> =
        serde_json::from_slice(body).map_err(|e| ProtocolError::Format(e.to_string()))?;
    if !env.result.status {
        let message = env
            .result
            .error
            .map(|e| e.message)
            .unwrap_or_else(|| "no reason given".into());
        return Err(ProtocolError::Refused(message.chars().take(300).collect()));
    }
    Ok((env.result.value, env.detail))
}

/// The open challenges in a poll answer (unverified).
pub fn parse_poll(body: &[u8]) -> Result<Vec<Challenge>, ProtocolError> {
    let (value, _) = envelope::<Vec<Challenge>>(body)?;
    value.ok_or_else(|| ProtocolError::Format("no challenge list".into()))
}

/// The server's public key from the answer to the second enrollment step.
pub fn parse_enrollment(body: &[u8]) -> Result<ServerKey, ProtocolError> {
    let (_, detail) = envelope::<serde_json::Value>(body)?;
    let text = detail
        .as_ref()
        .and_then(|d| d.get("public_key"))
        .and_then(|k| k.as_str())
        .ok_or(ProtocolError::NoServerKey)?;
    ServerKey::from_text(text).map_err(|_| ProtocolError::NoServerKey)
}

/// Whether the server accepted an answer (`value: true`).
pub fn parse_answer(body: &[u8]) -> Result<bool, ProtocolError> {
    let (value, _) = envelope::<bool>(body)?;
    Ok(value.unwrap_or(false))
}
