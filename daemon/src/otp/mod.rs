//! One-time passwords: HOTP (RFC 4226), TOTP (RFC 6238) and Steam Guard codes, and `otpauth://` URIs.
//!
//! HMAC and Steam encoding come from totp-rs; this module adds validation, 9–10 digit
//! truncation (totp-rs overflows past 9), HOTP, and a secret type that never prints itself.

mod code;
mod secret;
mod uri;

pub use code::Code;
pub use secret::{Secret, SecretError};
pub use uri::{UriAccount, UriError, parse_uri, to_uri};

use serde::{Deserialize, Serialize};

/// The HMAC hash an account uses; the otpauth `algorithm` parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Algorithm {
    Sha1,
    Sha256,
    Sha512,
}

/// How the moving factor is derived: from the clock, from a stored counter, or Steam's variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Kind {
    Totp { period: u32 },
    Hotp { counter: u64 },
    Steam,
}

/// Smallest and largest number of digits accepted for TOTP and HOTP (Steam always has 5 characters).
pub const DIGITS_RANGE: std::ops::RangeInclusive<u8> = 6..=10;
/// Longest TOTP period accepted, in seconds (one day); anything longer is almost certainly a typo.
pub const MAX_PERIOD: u32 = 86_400;
/// Longest secret accepted, in bytes; real secrets are 10–64 bytes.
pub const MAX_SECRET_LEN: usize = 1024;

/// Why a set of OTP parameters was refused; the message names the field and the allowed range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    #[error("digits must be between 6 and 10, got {0}")]
    Digits(u8),
    #[error("period must be between 1 and 86400 seconds, got {0}")]
    Period(u32),
    #[error("the secret is empty")]
    EmptySecret,
    #[error("the secret is too long ({0} bytes, at most 1024)")]
    SecretTooLong(usize),
    #[error("Steam Guard accounts always use SHA-1 and 5 characters")]
    SteamParams,
}

/// Why a code could not be produced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OtpError {
    #[error("this is a counter-based (HOTP) account; it has no time-based code")]
    NotTimeBased,
    #[error("this is a time-based account; it has no counter")]
    NotCounterBased,
}

/// Everything needed to compute codes for one account. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtpParams {
    pub secret: Secret,
    pub algorithm: Algorithm,
    pub digits: u8,
    #[serde(flatten)]
    pub kind: Kind,
}

impl OtpParams {
    /// Validates and builds parameters; Steam forces SHA-1 and 5 digits.
    pub fn new(secret: Secret, algorithm: Algorithm, digits: u8, kind: Kind) -> Result<Self, ParamError> {
        todo!("otp helper")
    }

    /// TOTP period in seconds (30 for Steam), `None` for HOTP.
    pub fn period(&self) -> Option<u32> {
        todo!("otp helper")
    }

    /// The code for time-based kinds at `unix_time`, with the window it is valid in.
    pub fn time_code(&self, unix_time: u64) -> Result<Code, OtpError> {
        todo!("otp helper")
    }

    /// The HOTP code for `counter` (the caller persists the incremented counter first).
    pub fn counter_code(&self, counter: u64) -> Result<Code, OtpError> {
        todo!("otp helper")
    }
}

impl std::fmt::Debug for OtpParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtpParams")
            .field("secret", &self.secret)
            .field("algorithm", &self.algorithm)
            .field("digits", &self.digits)
            .field("kind", &self.kind)
            .finish()
    }
}
