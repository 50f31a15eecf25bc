//! The enrollment URI privacyIDEA shows as a QR code:
//! `otpauth://pipush/LABEL?url=…&ttl=…&issuer=…&enrollment_credential=…&v=1&serial=…&sslverify=…&poll_only=…`.
//!
//! Decisions: only `v=1` (the only version privacyIDEA issues) is accepted; `ttl` is the number
//! of minutes the server waits for the second step, which Latchkey performs at once, so it only
//! bounds the enrollment request's timeout; `poll_only=False` is accepted, since Latchkey polls
//! either way (the server then tries Firebase first and fails over to polling).

use percent_encoding::percent_decode_str;
use zeroize::Zeroizing;

/// Why an enrollment URI was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushUriError {
    #[error("not an otpauth://pipush/ URI")]
    NotPush,
    #[error("the URI has no {0} parameter")]
    Missing(&'static str),
    #[error("the {0} parameter is repeated")]
    Duplicate(String),
    #[error("the {0} parameter is not valid UTF-8 after percent-decoding")]
    Encoding(&'static str),
    #[error("unsupported push token version {0:?} (Latchkey supports version 1)")]
    Version(String),
    #[error("{0} must be {1}")]
    Invalid(&'static str, &'static str),
}

/// Everything the enrollment URI says.
#[derive(Clone, PartialEq, Eq)]
pub struct EnrollUri {
    pub label: String,
    pub serial: String,
    pub issuer: String,
    /// Where the device registers, polls and (unless a challenge says otherwise) answers.
    pub url: String,
    /// Minutes the server waits for the second enrollment step.
    pub ttl_minutes: u32,
    /// One-time credential that authorises the second step.
    pub enrollment_credential: Zeroizing<String>,
    pub sslverify: bool,
    pub poll_only: bool,
}

impl std::fmt::Debug for EnrollUri {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrollUri")
            .field("label", &self.label)
            .field("serial", &self.serial)
            .field("issuer", &self.issuer)
            .field("url", &self.url)
            .field("ttl_minutes", &self.ttl_minutes)
            .field("enrollment_credential", &"<redacted>")
            .field("sslverify", &self.sslverify)
            .field("poll_only", &self.poll_only)
            .finish()
    }
}

/// Whether `uri` is a push enrollment URI (so `AddUri` routes it here).
pub fn is_pipush(uri: &str) -> bool {
    let uri = uri.trim_start();
    uri.get(..17)
        .is_some_and(|p| p.eq_ignore_ascii_case("otpauth://pipush/"))
}

fn decode(raw: &str, what: &'static str) -> Result<String, PushUriError> {
    let spaced = raw.replace('+', " ");
    percent_decode_str(&spaced)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| PushUriError::Encoding(what))
}

fn flag(value: Option<String>, name: &'static str, default: bool) -> Result<bool, PushUriError> {
    match value.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => Ok(default),
        Some("1" | "true") => Ok(true),
        Some("0" | "false") => Ok(false),
        Some(_) => Err(PushUriError::Invalid(name, "0, 1, True or False")),
    }
}

/// Parses an enrollment URI.
pub fn parse(uri: &str) -> Result<EnrollUri, PushUriError> {
    let uri = uri.trim();
    if !is_pipush(uri) {
        return Err(PushUriError::NotPush);
    }
    let rest = &uri[17..];
    let (raw_label, query) = rest.split_once('?').unwrap_or((rest, ""));
    let label = percent_decode_str(raw_label)
        .decode_utf8()
        .map_err(|_| PushUriError::Encoding("label"))?
        .into_owned();
    let names = [
        "url",
        "ttl",
        "issuer",
        "enrollment_credential",
        "v",
        "serial",
        "sslverify",
        "poll_only",
    ];
    let mut values: [Option<String>; 8] = Default::default();
    for piece in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = piece.split_once('=').unwrap_or((piece, ""));
        let name = decode(name, "parameter name")?.to_ascii_lowercase();
        if let Some(i) = names.iter().position(|n| *n == name) {
            if values[i].replace(decode(value, names[i])?).is_some() {
                return Err(PushUriError::Duplicate(name));
            }
        }
    }
    let [
        url,
        ttl,
        issuer,
        credential,
        version,
        serial,
        sslverify,
        poll_only,
    ] = values;
    let version = version.unwrap_or_else(|| "1".into());
    if version != "1" {
        return Err(PushUriError::Version(version.chars().take(16).collect()));
    }
    let url = url
        .filter(|u| !u.is_empty())
        .ok_or(PushUriError::Missing("url"))?;
    let serial = serial
        .or_else(|| (!label.is_empty()).then(|| label.clone()))
        .filter(|s| !s.is_empty())
        .ok_or(PushUriError::Missing("serial"))?;
    if serial.len() > 128 || serial.contains('|') {
        return Err(PushUriError::Invalid(
            "serial",
            "at most 128 bytes without '|'",
        ));
    }
    let ttl_minutes = match ttl {
        None => 10,
        Some(t) => t
            .parse::<u32>()
            .ok()
            .filter(|t| *t > 0)
            .ok_or(PushUriError::Invalid("ttl", "a positive number of minutes"))?,
    };
    Ok(EnrollUri {
        label,
        serial,
        issuer: issuer.unwrap_or_else(|| "privacyIDEA".into()),
        url,
        ttl_minutes,
        enrollment_credential: Zeroizing::new(
            credential
                .filter(|c| !c.is_empty())
                .ok_or(PushUriError::Missing("enrollment_credential"))?,
        ),
        sslverify: flag(sslverify, "sslverify", true)?,
        poll_only: flag(poll_only, "poll_only", false)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // As privacyIDEA 3.14 writes it (create_push_token_url + _construct_extra_parameters).
    const URI: &str = "otpauth://pipush/PIPU0001A2B3?url=https%3A//pi.example.com/ttype/push&ttl=10&issuer=privacyIDEA&enrollment_credential=8b1c2d&v=1&serial=PIPU0001A2B3&sslverify=0&poll_only=True";

    #[test]
    fn reads_what_privacyidea_writes() {
        let u = parse(URI).expect("parse");
        assert_eq!(u.serial, "PIPU0001A2B3");
        assert_eq!(u.url, "https://pi.example.com/ttype/push");
        assert_eq!(u.ttl_minutes, 10);
        assert_eq!(u.issuer, "privacyIDEA");
        assert_eq!(u.enrollment_credential.as_str(), "8b1c2d");
        assert!(!u.sslverify);
        assert!(u.poll_only);
        assert!(!format!("{u:?}").contains("8b1c2d"), "credential redacted");
    }

    #[test]
    fn refuses_what_it_cannot_enroll() {
        assert_eq!(
            parse("otpauth://totp/x?secret=A"),
            Err(PushUriError::NotPush)
        );
        assert_eq!(
            parse(&URI.replace("v=1", "v=2")),
            Err(PushUriError::Version("2".into()))
        );
        assert_eq!(
            parse(&URI.replace("&enrollment_credential=8b1c2d", "")),
            Err(PushUriError::Missing("enrollment_credential"))
        );
        assert_eq!(
            parse(&format!("{URI}&url=https://evil.example")),
            Err(PushUriError::Duplicate("url".into()))
        );
        assert!(matches!(
            parse(&URI.replace("ttl=10", "ttl=0")),
            Err(PushUriError::Invalid("ttl", _))
        ));
        assert!(matches!(
            parse(&URI.replace("sslverify=0", "sslverify=maybe")),
            Err(PushUriError::Invalid("sslverify", _))
        ));
    }
}
