//! The shared secret of an account: zeroized on drop, never printed, base32 in and out.

use std::sync::OnceLock;

use data_encoding::{BASE32_NOPAD, Encoding};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};
use zeroize::{Zeroize, Zeroizing};

use crate::memlock::LockedBytes;

/// Raw secret bytes on locked memory where possible (`crate::memlock`), wiped on drop.
/// `Debug` prints `<redacted>`; serde uses base32 (the vault body's form).
#[derive(PartialEq, Eq, Clone)]
pub struct Secret(LockedBytes);

/// Why a base32 secret was refused; never contains the secret itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// Nothing but spaces, hyphens or padding was given.
    #[error("the secret is empty")]
    Empty,
    /// `position` counts characters of the input from 1, spaces included, so users can find it.
    #[error("the secret is not valid base32: unexpected character at position {position}")]
    InvalidCharacter { position: usize },
    /// The number of base32 characters cannot encode whole bytes (1, 3 or 6 left over).
    #[error("the secret is not valid base32: its length does not fit whole bytes")]
    InvalidLength,
}

/// Characters people use to group a secret for reading; skipped when decoding.
fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '-')
}

/// Unpadded RFC 4648 base32 that ignores non-zero trailing bits, as Google Authenticator does.
fn lenient_base32() -> &'static Encoding {
    static ENCODING: OnceLock<Encoding> = OnceLock::new();
    ENCODING.get_or_init(|| {
        let mut spec = BASE32_NOPAD.specification();
        spec.check_trailing_bits = false;
        // The specification is a constant known to be valid; fall back to the strict one regardless.
        spec.encoding().unwrap_or_else(|_| BASE32_NOPAD.clone())
    })
}

impl Secret {
    /// Takes raw bytes (e.g. from an import): copies them to locked memory and wipes `bytes`.
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        let bytes = Zeroizing::new(bytes);
        Self(LockedBytes::copy_of(&bytes))
    }

    /// Decodes base32 as people paste it: any case, with or without `=` padding, spaces ignored.
    ///
    /// Hyphens and tabs/newlines are ignored like spaces; `=` is only accepted at the end.
    pub fn from_base32(text: &str) -> Result<Self, SecretError> {
        // Normalised copy: upper-case symbols only. ASCII-only, so it never outgrows `text.len()`
        // and the buffer is never reallocated (which would leave an unzeroized copy behind).
        let mut clean = Zeroizing::new(Vec::<u8>::with_capacity(text.len()));
        let mut padding_started = false;
        for (index, c) in text.chars().enumerate() {
            let position = index + 1;
            if is_separator(c) {
                continue;
            }
            if c == '=' {
                padding_started = true;
                continue;
            }
            let upper = c.to_ascii_uppercase();
            if padding_started || !matches!(upper, 'A'..='Z' | '2'..='7') {
                return Err(SecretError::InvalidCharacter { position });
            }
            // `upper` is ASCII here, so the cast is lossless.
            clean.push(upper as u8);
        }
        if clean.is_empty() {
            return Err(SecretError::Empty);
        }
        let encoding = lenient_base32();
        let len = encoding
            .decode_len(clean.len())
            .map_err(|_| SecretError::InvalidLength)?;
        // Decoded straight into locked memory: no other copy of the raw bytes is made.
        let mut bytes = LockedBytes::zeroed(len);
        let written = encoding
            .decode_mut(&clean, bytes.as_mut_slice())
            .map_err(|_| SecretError::InvalidLength)?;
        bytes.truncate(written);
        Ok(Self(bytes))
    }

    /// Unpadded upper-case base32, the form otpauth URIs use.
    pub fn to_base32(&self) -> Zeroizing<String> {
        let bytes = self.as_bytes();
        let mut out = Zeroizing::new(String::with_capacity(BASE32_NOPAD.encode_len(bytes.len())));
        BASE32_NOPAD.encode_append(bytes, &mut out);
        out
    }

    /// The raw bytes, for HMAC.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_slice()
    }

    /// Number of secret bytes, for validation without exposing the bytes.
    pub fn len(&self) -> usize {
        self.0.as_slice().len()
    }

    /// Whether the secret has no bytes at all (such a secret is refused by `OtpParams::new`).
    pub fn is_empty(&self) -> bool {
        self.0.as_slice().is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_base32())
    }
}

/// Serde visitor that decodes base32 and wipes any owned string it is handed.
struct SecretVisitor;

impl de::Visitor<'_> for SecretVisitor {
    type Value = Secret;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a base32 secret string")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Secret, E> {
        Secret::from_base32(text).map_err(E::custom)
    }

    fn visit_string<E: de::Error>(self, mut text: String) -> Result<Secret, E> {
        let result = Secret::from_base32(&text).map_err(E::custom);
        text.zeroize();
        result
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // `deserialize_string` lets deserializers that own the text hand it over for wiping;
        // borrowed text arrives through `visit_str` (the default for `visit_borrowed_str`).
        deserializer.deserialize_string(SecretVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_forms_decode_alike() {
        let want = Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap();
        for text in [
            "jbswy3dpehpk3pxp",
            "jbsw y3dp ehpk 3pxp",
            "JBSW-Y3DP-EHPK-3PXP",
            " JBSWY3DPEHPK3PXP\n",
        ] {
            assert_eq!(Secret::from_base32(text).unwrap(), want, "{text:?}");
        }
        assert_eq!(want.as_bytes(), b"Hello!\xde\xad\xbe\xef");
    }

    #[test]
    fn padding_only_at_the_end() {
        let padded = Secret::from_base32("MZXW6===").unwrap();
        assert_eq!(padded.as_bytes(), b"foo");
        assert_eq!(
            Secret::from_base32("MZ=XW6"),
            Err(SecretError::InvalidCharacter { position: 4 })
        );
    }

    #[test]
    fn errors_point_at_the_character() {
        assert_eq!(
            Secret::from_base32("AB CD1"),
            Err(SecretError::InvalidCharacter { position: 6 })
        );
        assert_eq!(
            Secret::from_base32("ABé"),
            Err(SecretError::InvalidCharacter { position: 3 })
        );
        assert_eq!(Secret::from_base32(" - = "), Err(SecretError::Empty));
        assert_eq!(Secret::from_base32("ABC"), Err(SecretError::InvalidLength));
    }

    #[test]
    fn trailing_bits_are_ignored() {
        // "MZXW7" has non-zero bits past the last whole byte; Google Authenticator accepts it.
        assert_eq!(
            Secret::from_base32("MZXW7").unwrap().as_bytes(),
            Secret::from_base32("MZXW6").unwrap().as_bytes()
        );
    }

    #[test]
    fn base32_round_trip_is_unpadded_upper_case() {
        let secret = Secret::from_bytes(b"foob".to_vec());
        assert_eq!(secret.to_base32().as_str(), "MZXW6YQ");
        assert_eq!(Secret::from_base32(&secret.to_base32()).unwrap(), secret);
    }

    #[test]
    fn serde_uses_base32_from_borrowed_and_owned_strings() {
        let secret = Secret::from_bytes(b"Hello!\xde\xad\xbe\xef".to_vec());
        let json = serde_json::to_string(&secret).unwrap();
        assert_eq!(json, "\"JBSWY3DPEHPK3PXP\"");
        let borrowed: Secret = serde_json::from_str(&json).unwrap();
        let escaped: Secret = serde_json::from_str("\"JBSWY3DP\\u0045HPK3PXP\"").unwrap();
        let owned: Secret =
            serde_json::from_value(serde_json::json!("jbsw y3dp ehpk 3pxp")).unwrap();
        let read: Secret = serde_json::from_reader(json.as_bytes()).unwrap();
        for got in [borrowed, escaped, owned, read] {
            assert_eq!(got, secret);
        }
    }

    #[test]
    fn serde_errors_do_not_echo() {
        let err = serde_json::from_str::<Secret>("\"JBSWY3DP1HPK3PXP\"").unwrap_err();
        assert!(!err.to_string().contains("JBSWY3DP"), "{err}");
    }

    #[test]
    fn debug_is_redacted() {
        let secret = Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap();
        assert_eq!(format!("{secret:?}"), "Secret(<redacted>)");
    }
}
