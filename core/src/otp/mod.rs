//! One-time passwords: HOTP (RFC 4226), TOTP (RFC 6238) and Steam Guard codes, and `otpauth://` URIs.
//!
//! HMAC and Steam encoding come from totp-rs; this module adds validation, 10-digit
//! truncation (totp-rs computes `10u32.pow(digits)`, which overflows at 10), HOTP, and a secret
//! type that never prints itself.

mod code;
mod secret;
mod uri;

pub use code::Code;
use code::Encoder;
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
    /// The fields are public (and the vault is read without validation), so codes re-check them.
    #[error("invalid OTP parameters: {0}")]
    InvalidParams(#[from] ParamError),
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

/// Steam Guard's fixed time step, in seconds.
pub const STEAM_PERIOD: u32 = 30;
/// Steam Guard's fixed code length, in characters.
pub const STEAM_DIGITS: u8 = 5;

impl OtpParams {
    /// Validates and builds parameters; Steam forces SHA-1 and 5 digits.
    ///
    /// Steam accepts only `(Algorithm::Sha1, 5)` and returns `ParamError::SteamParams` otherwise,
    /// so a caller cannot silently get codes other than the ones it asked for.
    pub fn new(
        secret: Secret,
        algorithm: Algorithm,
        digits: u8,
        kind: Kind,
    ) -> Result<Self, ParamError> {
        let params = Self {
            secret,
            algorithm,
            digits,
            kind,
        };
        params.validate()?;
        Ok(params)
    }

    /// Checks the invariants `new` promises; needed again because the fields are public.
    pub fn validate(&self) -> Result<(), ParamError> {
        Self::check(&self.secret, self.algorithm, self.digits, self.kind)
    }

    /// Checks the invariants `new` promises on parts not yet made into parameters, so a caller
    /// that only validates need not copy the secret (each copy is another locked buffer).
    pub fn check(
        secret: &Secret,
        algorithm: Algorithm,
        digits: u8,
        kind: Kind,
    ) -> Result<(), ParamError> {
        if secret.is_empty() {
            return Err(ParamError::EmptySecret);
        }
        if secret.len() > MAX_SECRET_LEN {
            return Err(ParamError::SecretTooLong(secret.len()));
        }
        match kind {
            Kind::Steam => {
                if algorithm != Algorithm::Sha1 || digits != STEAM_DIGITS {
                    return Err(ParamError::SteamParams);
                }
            }
            Kind::Totp { period } if !(1..=MAX_PERIOD).contains(&period) => {
                return Err(ParamError::Period(period));
            }
            Kind::Totp { .. } | Kind::Hotp { .. } => {}
        }
        if kind != Kind::Steam && !DIGITS_RANGE.contains(&digits) {
            return Err(ParamError::Digits(digits));
        }
        Ok(())
    }

    /// TOTP period in seconds (30 for Steam), `None` for HOTP.
    pub fn period(&self) -> Option<u32> {
        match self.kind {
            Kind::Totp { period } => Some(period),
            Kind::Steam => Some(STEAM_PERIOD),
            Kind::Hotp { .. } => None,
        }
    }

    /// The code for time-based kinds at `unix_time`, with the window it is valid in.
    ///
    /// The window is `(start of step, start of next step)`; the end saturates at `u64::MAX`.
    pub fn time_code(&self, unix_time: u64) -> Result<Code, OtpError> {
        self.validate()?;
        let encoder = match self.kind {
            Kind::Hotp { .. } => return Err(OtpError::NotTimeBased),
            Kind::Totp { .. } => self.decimal_encoder(),
            Kind::Steam => Encoder::Steam,
        };
        let period = u64::from(self.period().ok_or(OtpError::NotTimeBased)?);
        let start = unix_time - unix_time % period;
        Ok(Code {
            code: code::generate(&self.secret, encoder, period, unix_time),
            window: Some((start, start.saturating_add(period))),
        })
    }

    /// The HOTP code for `counter` (the caller persists the incremented counter first).
    pub fn counter_code(&self, counter: u64) -> Result<Code, OtpError> {
        self.validate()?;
        if !matches!(self.kind, Kind::Hotp { .. }) {
            return Err(OtpError::NotCounterBased);
        }
        // HOTP is TOTP with a one-second step evaluated at "time" = counter.
        Ok(Code {
            code: code::generate(&self.secret, self.decimal_encoder(), 1, counter),
            window: None,
        })
    }

    /// The RFC 4226 decimal encoder for this account's digits and hash.
    fn decimal_encoder(&self) -> Encoder {
        Encoder::Decimal {
            digits: self.digits,
            algorithm: self.algorithm,
        }
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
