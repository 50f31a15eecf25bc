//! One exported entry's loose fields (type, algorithm, digits, period, counter) made into an
//! account; shared by the 2FAS, andOTP and FreeOTP+ readers, which store the same things.

use super::{EntryError, EntryFault, Imported, echo, entry_error};
use crate::accounts::parse_algorithm;
use crate::otp::{Algorithm, Kind, OtpParams, STEAM_DIGITS, Secret};
use serde::Deserialize;
use serde::de::{SeqAccess, Visitor};
use zeroize::Zeroizing;

/// Base32 text read from a file, wiped on drop (decoded per entry so one bad secret is one failure).
pub struct SecretText(pub Zeroizing<String>);

impl<'de> Deserialize<'de> for SecretText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|s| SecretText(Zeroizing::new(s)))
    }
}

impl SecretText {
    /// The decoded secret, or why there is none.
    pub fn decode(text: Option<&SecretText>) -> Result<Secret, EntryFault> {
        match text {
            Some(t) if !t.0.trim().is_empty() => Ok(Secret::from_base32(&t.0)?),
            _ => Err(EntryFault::MissingSecret),
        }
    }
}

/// An entry's fields as the file gives them; absent ones take the usual defaults.
pub struct Fields<'a> {
    pub issuer: String,
    pub account: String,
    /// TOTP, HOTP or STEAM, any case.
    pub kind: &'a str,
    pub algorithm: Option<&'a str>,
    pub digits: Option<i64>,
    pub period: Option<i64>,
    pub counter: Option<i64>,
}

impl Fields<'_> {
    /// Builds the account at `position` with `secret` (already decoded by the caller's rules).
    pub fn build(
        self,
        position: usize,
        secret: Result<Secret, EntryFault>,
    ) -> Result<Imported, EntryError> {
        match self.params(secret) {
            Ok(params) => Ok(Imported {
                issuer: self.issuer,
                account: self.account,
                params,
                sites: Vec::new(),
            }),
            Err(fault) => Err(entry_error(position, &self.issuer, &self.account, fault)),
        }
    }

    fn params(&self, secret: Result<Secret, EntryFault>) -> Result<OtpParams, EntryFault> {
        let secret = secret?;
        let algo = self.algorithm.unwrap_or("SHA1");
        let algorithm = parse_algorithm(algo).ok_or_else(|| EntryFault::Algorithm(echo(algo)))?;
        let digits = self.digits.unwrap_or(6);
        let digits = u8::try_from(digits).map_err(|_| EntryFault::Digits(digits.to_string()))?;
        let (kind, algorithm, digits) = match self.kind.to_ascii_lowercase().as_str() {
            "totp" => {
                let period = self.period.unwrap_or(30);
                let period = u32::try_from(period).map_err(|_| EntryFault::Period(period))?;
                (Kind::Totp { period }, algorithm, digits)
            }
            "hotp" => {
                let counter = self.counter.unwrap_or(0);
                let counter = u64::try_from(counter).map_err(|_| EntryFault::Counter(counter))?;
                (Kind::Hotp { counter }, algorithm, digits)
            }
            // Steam codes are fixed: SHA-1, 5 characters, 30 s; files often store 6 digits.
            "steam" => (Kind::Steam, Algorithm::Sha1, STEAM_DIGITS),
            _ => return Err(EntryFault::Type(echo(self.kind))),
        };
        Ok(OtpParams::new(secret, algorithm, digits, kind)?)
    }
}

/// The secret's bytes, wiped on drop; `valid` is false if an element was not a byte.
pub struct Bytes {
    pub bytes: Zeroizing<Vec<u8>>,
    pub valid: bool,
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Bytes;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of bytes")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Bytes, A::Error> {
                let cap = seq.size_hint().unwrap_or(0).min(crate::otp::MAX_SECRET_LEN);
                let mut out = Bytes {
                    bytes: Zeroizing::new(Vec::with_capacity(cap)),
                    valid: true,
                };
                while let Some(n) = seq.next_element::<serde_json::Value>()? {
                    match n.as_i64() {
                        Some(n @ -128..=255) => out.bytes.push(n as u8),
                        _ => out.valid = false,
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_seq(V)
    }
}
