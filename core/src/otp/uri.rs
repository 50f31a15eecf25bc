//! `otpauth://` URIs (Google's Key Uri Format) in both directions, with a specific error for each fault.
//!
//! Decisions (see also `parse` and `write`):
//! - The URI is split by hand (RFC 3986 generic syntax) rather than with `url::Url`: `Url` copies
//!   the whole input, secret included, into growing buffers it never wipes, and its WHATWG path
//!   normalisation rewrites labels such as `..`. Components are decoded with our own strict
//!   percent decoder into zeroizing buffers.
//! - Label: `Issuer:account` split at the first colon (literal or `%3A`); spaces after the colon
//!   are trimmed (the spec's `*"%20"`), so account names cannot start with a space.
//! - Issuer: if the `issuer` parameter and the label prefix differ, the parameter wins (it is the
//!   field the spec calls "strongly recommended", and it may hold a colon, which the label cannot).
//!   An empty `issuer=` counts as absent.
//! - `+` is a space in query values (form encoding, which many generators emit) but a literal
//!   plus in the label (path). `to_uri` writes `%20` and `%2B`, so it reads back either way.
//! - Steam: `otpauth://steam/…` (Aegis) and `otpauth://totp/…&encoder=steam` (KeePassXC) both
//!   parse; `algorithm`, `digits` and `period` are ignored for Steam since Steam fixes SHA-1, 5
//!   characters and 30 s. `to_uri` writes the `steam` form with those fixed values spelled out.
//! - Parameter names are case-insensitive; unknown parameters are ignored; a repeated known one
//!   is an error.

mod parse;
mod percent;
mod write;

use super::{OtpParams, ParamError, SecretError};
use zeroize::Zeroizing;

/// An account as an otpauth URI describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UriAccount {
    pub issuer: String,
    pub account: String,
    pub params: OtpParams,
}

/// Why a URI was refused. Messages name the fault and never echo the secret.
///
/// Echoed values (type, algorithm, digits, …) are cut to 32 characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UriError {
    /// The text does not start with `otpauth:` (e.g. a bare secret or a web link was pasted).
    #[error("not an otpauth:// URI")]
    NotOtpauth,
    /// The URI's structure is broken; the text says where.
    #[error("malformed otpauth URI: {0}")]
    Malformed(&'static str),
    /// The host part is not `totp`, `hotp` or `steam`.
    #[error("unknown OTP type \"{0}\" (expected totp, hotp or steam)")]
    UnknownType(String),
    /// The label is empty, or has an issuer but nothing after the colon.
    #[error("the URI has no account name in its label")]
    MissingAccount,
    /// No `secret` parameter.
    #[error("the URI has no secret parameter")]
    MissingSecret,
    /// The secret is not usable base32; the inner error gives a position, never the text.
    #[error("invalid secret: {0}")]
    InvalidSecret(#[source] SecretError),
    /// `algorithm` is not SHA1, SHA256 or SHA512.
    #[error("unknown algorithm \"{0}\" (expected SHA1, SHA256 or SHA512)")]
    UnknownAlgorithm(String),
    /// `digits` is not a number from 6 to 10.
    #[error("invalid digits \"{0}\" (expected a number from 6 to 10)")]
    InvalidDigits(String),
    /// `period` is not a number of seconds from 1 to 86400.
    #[error("invalid period \"{0}\" (expected seconds from 1 to 86400)")]
    InvalidPeriod(String),
    /// `counter` is not a non-negative 64-bit number.
    #[error("invalid counter \"{0}\" (expected a whole number from 0)")]
    InvalidCounter(String),
    /// A `hotp` URI without `counter`.
    #[error("HOTP URIs need a counter parameter")]
    MissingCounter,
    /// `encoder` is something other than `steam`, or `steam` on a counter-based URI.
    #[error("unsupported encoder \"{0}\" (only \"steam\", on time-based URIs)")]
    UnsupportedEncoder(String),
    /// A known parameter appears twice, so it is unclear which one was meant.
    #[error("the parameter \"{0}\" appears more than once")]
    DuplicateParameter(String),
    /// A `%` not followed by two hex digits.
    #[error("bad percent-encoding in the {0}")]
    BadPercentEncoding(&'static str),
    /// Percent-decoded bytes that are not UTF-8.
    #[error("the {0} is not valid UTF-8")]
    NotUtf8(&'static str),
    /// Parameters that parse but together are refused (e.g. a secret over 1024 bytes).
    #[error(transparent)]
    Params(#[from] ParamError),
}

/// Parses an `otpauth://totp|hotp|steam/...` URI.
pub fn parse_uri(uri: &str) -> Result<UriAccount, UriError> {
    parse::parse(uri)
}

/// Writes the canonical URI for an account (for export and QR codes).
///
/// `parse_uri` reads it back identically as long as `account` is non-empty and does not start
/// with a space (the label syntax trims those); any issuer works, colons included.
pub fn to_uri(issuer: &str, account: &str, params: &OtpParams) -> Zeroizing<String> {
    write::write(issuer, account, params)
}

/// Shortens user text echoed in an error so a pasted blob cannot flood the message.
fn echo(text: &str) -> String {
    const MAX: usize = 32;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or_default()),
        None => text.to_owned(),
    }
}
