//! andOTP backups: a plain JSON array, or that array encrypted (`.json.aes`).
//!
//! Each entry has a base32 `secret`, `issuer`, `label`, `type` (TOTP, HOTP, STEAM), `algorithm`,
//! `digits`, `period` and `counter`; backups from before andOTP 0.6 have no `issuer` and write
//! `Issuer - account` in `label`. Encrypted, current format: a 4-byte big-endian PBKDF2 round
//! count, a 12-byte salt, a 12-byte IV, then AES-256-GCM ciphertext and tag under
//! PBKDF2-HMAC-SHA1(passphrase, salt, rounds, 32 bytes). First format: the IV, ciphertext and
//! tag under SHA-256(passphrase). The file carries no way to tell the two apart, so the current
//! format is tried first. Tags and thumbnails are dropped.

use super::fields::{Fields, SecretText};
use super::{Entries, EntryError, ImportError, Imported, MAX_ENTRIES, crypt};
use serde::Deserialize;
use zeroize::Zeroizing;

/// The format's name in errors.
pub const FORMAT: &str = "andOTP";
/// Most PBKDF2 rounds run for a file (andOTP writes 140,000–160,000); a hostile file asking for
/// more would hold the daemon for minutes.
pub const MAX_ROUNDS: u32 = 1_000_000;
const SALT: usize = 12;
const IV: usize = 12;
const TAG: usize = 16;

#[derive(Deserialize)]
struct Entry {
    secret: Option<SecretText>,
    issuer: Option<String>,
    #[serde(default)]
    label: String,
    #[serde(rename = "type")]
    kind: Option<String>,
    algorithm: Option<String>,
    digits: Option<i64>,
    period: Option<i64>,
    counter: Option<i64>,
}

/// Reads an andOTP backup: JSON when it starts with `[`, encrypted otherwise.
pub fn parse(bytes: &[u8], passphrase: Option<&[u8]>) -> Result<Entries, ImportError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'[') {
        return entries(bytes);
    }
    let passphrase = passphrase.ok_or(ImportError::PassphraseRequired(FORMAT))?;
    let plain = decrypt(bytes, passphrase)?;
    entries(&plain)
}

fn malformed(fault: impl Into<String>) -> ImportError {
    ImportError::malformed(FORMAT, fault)
}

/// Tries the current format, then the first one; neither verifying means a wrong passphrase
/// (or a damaged file: GCM cannot tell them apart).
fn decrypt(bytes: &[u8], passphrase: &[u8]) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    if bytes.len() < IV + TAG {
        return Err(malformed(format!(
            "{} bytes is too short for an encrypted backup",
            bytes.len()
        )));
    }
    let mut refused = None;
    if bytes.len() >= 4 + SALT + IV + TAG {
        let rounds = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        let (salt, rest) = bytes[4..].split_at(SALT);
        let (iv, sealed) = rest.split_at(IV);
        if rounds > MAX_ROUNDS {
            refused = Some(rounds);
        } else if rounds > 0 {
            let key = crypt::pbkdf2_sha1(passphrase, salt, rounds);
            if let Some(plain) = crypt::open(&key, iv, sealed) {
                return Ok(plain);
            }
        }
    }
    let (iv, sealed) = bytes.split_at(IV);
    if let Some(plain) = crypt::open(&crypt::sha256_key(passphrase), iv, sealed) {
        return Ok(plain);
    }
    match refused {
        Some(rounds) => Err(ImportError::KdfParams {
            format: FORMAT,
            detail: format!("{rounds} PBKDF2 rounds, at most {MAX_ROUNDS}"),
        }),
        None => Err(ImportError::BadPassphraseOrCorrupted(FORMAT)),
    }
}

fn entries(json: &[u8]) -> Result<Entries, ImportError> {
    let list: Vec<Entry> = serde_json::from_slice(json)
        .map_err(|e| malformed(format!("not an andOTP backup ({e})")))?;
    if list.len() > MAX_ENTRIES {
        return Err(ImportError::TooManyEntries);
    }
    let out = list
        .into_iter()
        .enumerate()
        .map(|(i, e)| entry(e, i + 1))
        .collect();
    Ok((out, vec![]))
}

fn entry(e: Entry, position: usize) -> Result<Imported, EntryError> {
    let (issuer, account) = match &e.issuer {
        Some(issuer) => (issuer.clone(), e.label.clone()),
        None => match e.label.split_once(" - ") {
            Some((issuer, account)) => (issuer.to_string(), account.to_string()),
            None => (String::new(), e.label.clone()),
        },
    };
    Fields {
        issuer,
        account,
        kind: e.kind.as_deref().unwrap_or("TOTP"),
        algorithm: e.algorithm.as_deref(),
        digits: e.digits,
        period: e.period,
        counter: e.counter,
    }
    .build(position, SecretText::decode(e.secret.as_ref()))
}
