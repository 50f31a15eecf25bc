//! Battle.net Authenticator: its shared preferences
//! (`shared_prefs/com.blizzard.messenger.authenticator_preferences.xml` of
//! `com.blizzard.messenger`, from a rooted phone).
//!
//! `com.blizzard.messenger.AUTHENTICATOR_DEVICE_SECRET` and `…AUTHENTICATOR_SERIAL` are hex
//! of text masked by XOR with a fixed key the app ships (the `MASK` encryption type); the
//! unmasked secret is itself hex. The older Battle.net Authenticator (`com.blizzard.bma`) keeps
//! both in `com.blizzard.bma.AUTH_STORE.HASH`: the same mask over 40 hex digits of secret
//! followed by the serial. Codes are SHA-1, 8 digits, 30 seconds; the serial (`US-1234-…`) is
//! the account name.

use super::fields::Fields;
use super::{Entries, EntryFault, ImportError};
use crate::otp::Secret;
use data_encoding::HEXLOWER_PERMISSIVE;
use zeroize::Zeroizing;

const APP: &str = "Battle.net Authenticator";
const SECRET: &str = "com.blizzard.messenger.AUTHENTICATOR_DEVICE_SECRET";
const SERIAL: &str = "com.blizzard.messenger.AUTHENTICATOR_SERIAL";
/// The older app's single preference: secret and serial together.
pub const STORE: &str = "com.blizzard.bma.AUTH_STORE.HASH";
/// The app's masking key.
const MASK: [u8; 57] = [
    0x39, 0x8e, 0x27, 0xfc, 0x50, 0x27, 0x6a, 0x65, 0x60, 0x65, 0xb0, 0xe5, 0x25, 0xf4, 0xc0, 0x6c,
    0x04, 0xc6, 0x10, 0x75, 0x28, 0x6b, 0x8e, 0x7a, 0xed, 0xa5, 0x9d, 0xa9, 0x81, 0x3b, 0x5d, 0xd6,
    0xc8, 0x0d, 0x2f, 0xb3, 0x80, 0x68, 0x77, 0x3f, 0xa5, 0x9b, 0xa4, 0x7c, 0x17, 0xca, 0x6c, 0x64,
    0x79, 0x01, 0x5c, 0x1d, 0x5b, 0x8b, 0x8f, 0x6b, 0x9a,
];

/// Reads the authenticator of a Battle.net preferences file.
pub fn parse(bytes: &[u8]) -> Result<Entries, ImportError> {
    let prefs = super::prefs::strings(bytes, APP)?;
    let (hex, serial) = if let Some(store) = prefs.get(STORE) {
        match unmask(store) {
            Ok(text) if text.len() > 40 && text.is_char_boundary(40) => (
                Ok(Zeroizing::new(text[..40].to_string())),
                text[40..].to_string(),
            ),
            Ok(_) => (
                Err(EntryFault::Encoding("authenticator store")),
                String::new(),
            ),
            Err(e) => (Err(e), String::new()),
        }
    } else {
        let masked = prefs.get(SECRET).ok_or_else(|| {
            ImportError::malformed(APP, "the file has no AUTHENTICATOR_DEVICE_SECRET")
        })?;
        let serial = match prefs.get(SERIAL) {
            Some(s) if !s.trim().is_empty() => unmask(s).map(|s| s.to_string()).unwrap_or_default(),
            _ => String::new(),
        };
        (unmask(masked), serial)
    };
    let secret = hex.and_then(|hex| {
        HEXLOWER_PERMISSIVE
            .decode(hex.trim().as_bytes())
            .map(Secret::from_bytes)
            .map_err(|_| EntryFault::Encoding("hex"))
    });
    let entry = Fields {
        issuer: "Battle.net".into(),
        account: serial,
        kind: "TOTP",
        algorithm: None,
        digits: Some(8),
        period: None,
        counter: None,
    }
    .build(1, secret);
    Ok((vec![entry], vec![]))
}

/// Hex of masked text → the text.
fn unmask(hex: &str) -> Result<Zeroizing<String>, EntryFault> {
    let bytes = Zeroizing::new(
        HEXLOWER_PERMISSIVE
            .decode(hex.trim().as_bytes())
            .map_err(|_| EntryFault::Encoding("masked hex"))?,
    );
    if bytes.len() > MASK.len() {
        return Err(EntryFault::Encoding("masked hex (longer than the mask)"));
    }
    let plain: Zeroizing<Vec<u8>> =
        Zeroizing::new(bytes.iter().zip(MASK).map(|(b, m)| b ^ m).collect());
    String::from_utf8(plain.to_vec())
        .map(Zeroizing::new)
        .map_err(|_| EntryFault::Encoding("masked text"))
}
