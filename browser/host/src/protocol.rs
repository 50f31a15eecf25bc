//! The messages inside the frames: requests from Latchkey's extension, replies from the host.
//!
//! Every request carries an `id` the reply repeats, so requests may be answered out of order (a
//! code that waits for the user's consent does not hold up another tab's account list):
//!
//! ```json
//! {"id": 1, "type": "hello"}
//! {"id": 2, "type": "accounts", "origin": "https://github.com"}
//! {"id": 3, "type": "code", "origin": "https://github.com", "account": "<account id>"}
//! ```
//!
//! Replies are `{"id": N, "ok": true, …}` with `host`, `version` and `protocol`; `accounts`;
//! or `code`, `validFrom` and `validUntil` — or `{"id": N, "ok": false, "error": {"name",
//! "message"}}`, `id` null when the request could not be read. Error names are the daemon's
//! (`Locked`, `AccessDenied`, `NotFound`, `InvalidArgument`, …) or the host's own
//! ([`HostError`]). docs/browser.md describes the protocol for people.

use serde::{Deserialize, Serialize, Serializer};
use zeroize::{Zeroize, Zeroizing};

/// The protocol's version, sent in the hello reply.
pub const PROTOCOL: u32 = 1;
/// Longest text of an error message the host writes, in characters.
const MAX_MESSAGE: usize = 500;

/// What the extension asks.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Request {
    /// Which host and protocol version answer.
    Hello,
    /// The accounts that belong to the page at `origin`.
    Accounts { origin: String },
    /// The code of `account` for the page at `origin`.
    Code { origin: String, account: String },
}

/// Why a request was refused by the host itself (the daemon's refusals keep their names).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostError {
    /// Not UTF-8 JSON, not an object, no numeric `id`, an unknown `type` or a missing field.
    #[error("the message is not a request Latchkey's host understands: {0}")]
    MalformedMessage(String),
    /// A frame over the host's limit (see `framing`).
    #[error("{0}")]
    MessageTooLarge(String),
    /// The answer would be longer than browsers accept.
    #[error("{0}")]
    ReplyTooLarge(String),
    /// The host was started for an extension it does not serve.
    #[error(
        "this host serves Latchkey's own extension only, not {0}; reinstall the host manifests \
         with `latchkey browser install`"
    )]
    UnknownExtension(String),
    /// latchkeyd cannot be reached on the session bus.
    #[error("Latchkey's daemon cannot be reached: {0}")]
    DaemonUnreachable(String),
    /// More requests wait for answers than the host keeps open.
    #[error("too many requests wait for an answer (at most {0}); try again")]
    TooManyRequests(usize),
}

impl HostError {
    /// The error's name in a reply.
    pub fn name(&self) -> &'static str {
        match self {
            HostError::MalformedMessage(_) => "MalformedMessage",
            HostError::MessageTooLarge(_) => "MessageTooLarge",
            HostError::ReplyTooLarge(_) => "ReplyTooLarge",
            HostError::UnknownExtension(_) => "UnknownExtension",
            HostError::DaemonUnreachable(_) => "DaemonUnreachable",
            HostError::TooManyRequests(_) => "TooManyRequests",
        }
    }
}

/// Reads one message: its id (when it has one) and the request, or why it is no request.
pub fn parse(message: &[u8]) -> Result<(u64, Request), (Option<u64>, HostError)> {
    let malformed = |id, why: String| Err((id, HostError::MalformedMessage(shorten(&why))));
    let value: serde_json::Value = match serde_json::from_slice(message) {
        Ok(v) => v,
        Err(e) => return malformed(None, format!("not UTF-8 JSON ({e})")),
    };
    let Some(object) = value.as_object() else {
        return malformed(None, "not a JSON object".into());
    };
    let Some(id) = object.get("id").and_then(serde_json::Value::as_u64) else {
        return malformed(None, "no numeric \"id\"".into());
    };
    match Request::deserialize(&value) {
        Ok(request) => Ok((id, request)),
        Err(e) => malformed(Some(id), e.to_string()),
    }
}

/// An account as a reply lists it (labels only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub id: String,
    pub issuer: String,
    pub account: String,
    pub kind: String,
    pub site: String,
    pub guessed: bool,
}

/// A code in a reply: wiped from the host's memory when dropped.
pub struct Code(pub String);

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl Drop for Code {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl std::fmt::Debug for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Code(<redacted>)")
    }
}

/// What a reply carries.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Answer {
    Hello {
        host: &'static str,
        version: &'static str,
        protocol: u32,
    },
    Accounts {
        accounts: Vec<Account>,
    },
    Code {
        code: Code,
        #[serde(rename = "validFrom")]
        valid_from: u64,
        #[serde(rename = "validUntil")]
        valid_until: u64,
    },
}

#[derive(Serialize)]
struct Success<'a> {
    id: u64,
    ok: bool,
    #[serde(flatten)]
    answer: &'a Answer,
}

#[derive(Serialize)]
struct Failure<'a> {
    id: Option<u64>,
    ok: bool,
    error: ErrorBody<'a>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    name: &'a str,
    message: String,
}

/// A successful reply's bytes, in a buffer wiped when dropped (it may hold a code).
pub fn success(id: u64, answer: &Answer) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(4096));
    let reply = Success {
        id,
        ok: true,
        answer,
    };
    if serde_json::to_writer(&mut *out, &reply).is_err() {
        // Plain strings and numbers always serialise; never send half a reply.
        out.clear();
    }
    out
}

/// A refusal's bytes: the error's `name` and a message for people (shortened).
pub fn failure(id: Option<u64>, name: &str, message: &str) -> Vec<u8> {
    let reply = Failure {
        id,
        ok: false,
        error: ErrorBody {
            name,
            message: shorten(message),
        },
    };
    serde_json::to_vec(&reply).unwrap_or_default()
}

/// A host error as a refusal.
pub fn refusal(id: Option<u64>, error: &HostError) -> Vec<u8> {
    failure(id, error.name(), &error.to_string())
}

fn shorten(text: &str) -> String {
    match text.char_indices().nth(MAX_MESSAGE) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_read_with_their_ids() {
        assert_eq!(
            parse(br#"{"id":1,"type":"hello"}"#),
            Ok((1, Request::Hello))
        );
        assert_eq!(
            parse(br#"{"type":"code","id":7,"origin":"https://github.com","account":"a1","x":1}"#),
            Ok((
                7,
                Request::Code {
                    origin: "https://github.com".into(),
                    account: "a1".into()
                }
            ))
        );
    }

    #[test]
    fn what_is_no_request_gets_a_named_error_and_the_id_when_there_is_one() {
        for (message, id, says) in [
            (&b"\xff\xfe"[..], None, "not UTF-8 JSON"),
            (b"[1,2]", None, "not a JSON object"),
            (br#"{"type":"hello"}"#, None, "no numeric"),
            (br#"{"id":"1","type":"hello"}"#, None, "no numeric"),
            (
                br#"{"id":2,"type":"delete-everything"}"#,
                Some(2),
                "unknown variant",
            ),
            (
                br#"{"id":3,"type":"code","origin":"https://a.b"}"#,
                Some(3),
                "missing field `account`",
            ),
            (
                br#"{"id":4,"type":"accounts","origin":5}"#,
                Some(4),
                "invalid type",
            ),
        ] {
            let (got_id, e) = parse(message).expect_err("refused");
            assert_eq!(got_id, id, "{message:?}");
            assert_eq!(e.name(), "MalformedMessage");
            assert!(e.to_string().contains(says), "{e}");
        }
    }

    #[test]
    fn replies_repeat_the_id_and_codes_do_not_show_in_debug() {
        let code = Answer::Code {
            code: Code("123456".into()),
            valid_from: 30,
            valid_until: 60,
        };
        let bytes = success(3, &code);
        assert_eq!(
            std::str::from_utf8(&bytes).expect("utf-8"),
            r#"{"id":3,"ok":true,"code":"123456","validFrom":30,"validUntil":60}"#
        );
        assert!(!format!("{code:?}").contains("123456"));
        let refused = failure(Some(4), "Locked", &"x".repeat(2000));
        let v: serde_json::Value = serde_json::from_slice(&refused).expect("json");
        assert_eq!(v["id"], 4);
        assert_eq!(v["ok"], false);
        assert_eq!(v["error"]["name"], "Locked");
        assert!(
            v["error"]["message"]
                .as_str()
                .expect("text")
                .chars()
                .count()
                <= MAX_MESSAGE + 1
        );
        let v: serde_json::Value =
            serde_json::from_slice(&refusal(None, &HostError::TooManyRequests(16))).expect("json");
        assert!(v["id"].is_null());
        assert_eq!(v["error"]["name"], "TooManyRequests");
    }
}
