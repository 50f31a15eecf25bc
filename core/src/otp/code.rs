//! A computed one-time code and the time window it is valid in, plus the HMAC step behind it.

use std::fmt::Write as _;

use zeroize::Zeroizing;

use super::{Algorithm, Secret};

/// A code ready to show; the window is `None` for HOTP, whose codes do not expire.
#[derive(Clone, PartialEq, Eq)]
pub struct Code {
    pub code: Zeroizing<String>,
    /// `(valid_from, valid_until)` in unix seconds, `valid_until` exclusive.
    pub window: Option<(u64, u64)>,
}

impl std::fmt::Debug for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Code")
            .field("code", &"<redacted>")
            .field("window", &self.window)
            .finish()
    }
}

/// How the truncated HMAC value is turned into characters.
#[derive(Clone, Copy, Debug)]
pub(super) enum Encoder {
    /// RFC 4226 decimal digits (6 to 10 of them).
    Decimal { digits: u8, algorithm: Algorithm },
    /// Steam Guard: 5 characters from Steam's 26-symbol alphabet, always HMAC-SHA1.
    Steam,
}

/// Computes the code for moving factor `time / step` (HOTP passes `step = 1`, `time = counter`).
///
/// totp-rs does the HMAC and the 6–9 digit and Steam encodings; 10 digits are truncated here
/// because totp-rs computes `10u32.pow(digits)`, which overflows at 10.
pub(super) fn generate(
    secret: &Secret,
    encoder: Encoder,
    step: u64,
    time: u64,
) -> Zeroizing<String> {
    let (algorithm, digits) = match encoder {
        Encoder::Decimal { digits, algorithm } => (to_totp_rs(algorithm), digits),
        Encoder::Steam => (totp_rs::Algorithm::Steam, 5),
    };
    // totp-rs's TOTP derives Debug with the secret and is ZeroizeOnDrop: keep it local, never print it.
    let totp = totp_rs::TOTP::new_unchecked(
        algorithm,
        usize::from(digits),
        1,
        step,
        secret.as_bytes().to_vec(),
    );
    if digits <= 9 {
        return Zeroizing::new(totp.generate(time));
    }
    let mac = Zeroizing::new(totp.sign(time));
    decimal(dynamic_truncate(&mac), digits)
}

/// RFC 4226 §5.3 dynamic truncation: the 31-bit big-endian integer at the offset named by the
/// low nibble of the last byte. Never panics: a short MAC simply contributes fewer bytes.
pub(super) fn dynamic_truncate(mac: &[u8]) -> u32 {
    let offset = usize::from(mac.last().copied().unwrap_or(0) & 0x0f);
    let value = mac
        .iter()
        .skip(offset)
        .take(4)
        .fold(0u32, |acc, &byte| (acc << 8) | u32::from(byte));
    value & 0x7fff_ffff
}

/// Formats `value mod 10^digits`, zero-padded, into a buffer sized so it never reallocates.
pub(super) fn decimal(value: u32, digits: u8) -> Zeroizing<String> {
    let width = usize::from(digits);
    let modulus = 10u64.checked_pow(u32::from(digits)).unwrap_or(u64::MAX);
    let mut out = Zeroizing::new(String::with_capacity(width.max(10)));
    // Writing to a String cannot fail.
    let _ = write!(out, "{:0width$}", u64::from(value) % modulus);
    out
}

/// Maps our algorithm names onto totp-rs's.
fn to_totp_rs(algorithm: Algorithm) -> totp_rs::Algorithm {
    match algorithm {
        Algorithm::Sha1 => totp_rs::Algorithm::SHA1,
        Algorithm::Sha256 => totp_rs::Algorithm::SHA256,
        Algorithm::Sha512 => totp_rs::Algorithm::SHA512,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_truncation_matches_totp_rs_for_six_to_nine_digits() {
        let secret = Secret::from_bytes(b"12345678901234567890".to_vec());
        for algorithm in [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512] {
            for digits in 6..=9u8 {
                for time in [0, 59, 1_111_111_109, 20_000_000_000] {
                    let totp = totp_rs::TOTP::new_unchecked(
                        to_totp_rs(algorithm),
                        usize::from(digits),
                        1,
                        30,
                        secret.as_bytes().to_vec(),
                    );
                    let ours = decimal(dynamic_truncate(&totp.sign(time)), digits);
                    assert_eq!(*ours, totp.generate(time), "{algorithm:?} {digits} {time}");
                }
            }
        }
    }

    #[test]
    fn rfc4226_truncation_example() {
        // RFC 4226 §5.4: this HMAC-SHA-1 value truncates to 0x50ef7f19 = 1357872921.
        let mac = [
            0x1f, 0x86, 0x98, 0x69, 0x0e, 0x02, 0xca, 0x16, 0x61, 0x85, 0x50, 0xef, 0x7f, 0x19,
            0xda, 0x8e, 0x94, 0x5b, 0x55, 0x5a,
        ];
        assert_eq!(dynamic_truncate(&mac), 0x50ef_7f19);
        assert_eq!(decimal(0x50ef_7f19, 6).as_str(), "872921");
        assert_eq!(decimal(0x50ef_7f19, 10).as_str(), "1357872921");
        assert_eq!(decimal(42, 10).as_str(), "0000000042");
    }

    #[test]
    fn debug_hides_the_code() {
        let code = Code {
            code: Zeroizing::new("123456".into()),
            window: None,
        };
        assert!(!format!("{code:?}").contains("123456"));
    }
}
