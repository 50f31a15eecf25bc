//! TOTP Authenticator (`com.authenticator.authservice2`): its encrypted backup, and its
//! preferences (`shared_prefs/TOTP_Authenticator_Preferences.xml`, from a rooted phone).
//!
//! The preference `STATIC_TOTP_CODES_LIST` is a JSON array of accounts: `issuer`, `name`, the
//! secret `key` written in `base` 16, 32 or 64, and `digits` and `period` as strings. The
//! backup is base64 text of AES-256-CBC (zero IV, PKCS#7) under SHA-256 of the backup password
//! — the app's default password `TotpAuthenticator` when the user set none, which is tried
//! first when no passphrase is given, so such backups need none. The decrypted JSON is an
//! object whose first key is that same array, as text. Codes are SHA-1.

use super::fields::Fields;
use super::{Entries, EntryFault, ImportError, MAX_ENTRIES, crypt};
use crate::otp::Secret;
use data_encoding::HEXLOWER_PERMISSIVE;
use serde::Deserialize;
use zeroize::Zeroizing;

const APP: &str = "TOTP Authenticator";
const PREF: &str = "STATIC_TOTP_CODES_LIST";
/// The password the app encrypts backups with when the user chose none.
const DEFAULT_PASSWORD: &[u8] = b"TotpAuthenticator";

#[derive(Deserialize)]
struct Account {
    base: Option<i64>,
    key: Option<super::fields::SecretText>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    issuer: String,
    digits: Option<serde_json::Value>,
    period: Option<serde_json::Value>,
}

/// Whether `text` has the shape of a backup: nothing but base64 of whole AES blocks.
pub fn looks_like_backup(text: &str) -> bool {
    let text = text.trim();
    text.len() >= 44
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'\n' | b'\r'))
        && super::base64(APP, text, "backup").is_ok_and(|b| b.len().is_multiple_of(16))
}

/// Reads the preferences file, or the backup (any other text).
pub fn parse(bytes: &[u8], passphrase: Option<&[u8]>) -> Result<Entries, ImportError> {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<') {
        let prefs = super::prefs::strings(bytes, APP)?;
        let list = prefs.get(PREF).ok_or_else(|| {
            ImportError::malformed(APP, format!("the preferences have no {PREF}"))
        })?;
        return accounts(list);
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ImportError::malformed(APP, "the backup is not base64 text"))?;
    let sealed: Zeroizing<Vec<u8>> = super::base64(APP, &text.replace(['\n', '\r'], ""), "backup")?;
    if sealed.is_empty() || !sealed.len().is_multiple_of(16) {
        return Err(ImportError::malformed(
            APP,
            "the backup is not whole AES blocks",
        ));
    }
    let plain = match passphrase {
        Some(p) => decrypt(&sealed, p).ok_or(ImportError::BadPassphraseOrCorrupted(APP))?,
        None => decrypt(&sealed, DEFAULT_PASSWORD).ok_or(ImportError::PassphraseRequired(APP))?,
    };
    let object: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&plain)
        .map_err(|e| ImportError::malformed(APP, format!("the backup is not readable ({e})")))?;
    let list = object
        .keys()
        .next()
        .ok_or_else(|| ImportError::malformed(APP, "the backup holds no account list"))?;
    accounts(list)
}

/// The decrypted backup, if the password opens it into JSON.
fn decrypt(sealed: &[u8], password: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let key = crypt::sha256_key(password);
    let plain = crypt::open_cbc(key.as_slice(), &[0u8; 16], sealed)?;
    serde_json::from_slice::<serde::de::IgnoredAny>(&plain).ok()?;
    Some(plain)
}

fn accounts(json: &str) -> Result<Entries, ImportError> {
    let list: Vec<Account> = serde_json::from_str(json).map_err(|e| {
        ImportError::malformed(APP, format!("the account list is not readable ({e})"))
    })?;
    if list.len() > MAX_ENTRIES {
        return Err(ImportError::TooManyEntries);
    }
    let entries = list
        .into_iter()
        .enumerate()
        .map(|(i, a)| {
            let number = |v: &Option<serde_json::Value>| match v {
                Some(serde_json::Value::Number(n)) => n.as_i64(),
                Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
                _ => None,
            };
            Fields {
                issuer: a.issuer.clone(),
                account: a.name.clone(),
                kind: "TOTP",
                algorithm: None,
                digits: number(&a.digits),
                period: number(&a.period),
                counter: None,
            }
            .build(i + 1, secret(&a))
        })
        .collect();
    Ok((entries, vec![]))
}

fn secret(a: &Account) -> Result<Secret, EntryFault> {
    let Some(key) = &a.key else {
        return Err(EntryFault::MissingSecret);
    };
    match a.base {
        Some(16) => HEXLOWER_PERMISSIVE
            .decode(key.0.trim().as_bytes())
            .map(Secret::from_bytes)
            .map_err(|_| EntryFault::Encoding("hex")),
        Some(32) | None => Ok(Secret::from_base32(&key.0)?),
        Some(64) => super::base64(APP, &key.0, "secret")
            .map(|b| Secret::from_bytes(b.to_vec()))
            .map_err(|_| EntryFault::Encoding("base64")),
        Some(n) => Err(EntryFault::Label(format!(
            "secrets in base {n} are not supported"
        ))),
    }
}
