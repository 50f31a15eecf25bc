//! 2FAS Authenticator backups (`.2fas`), plain and encrypted.
//!
//! A JSON object with `services` (each: `name`, base32 `secret`, and `otp` with `issuer`,
//! `account`, `tokenType` TOTP/HOTP/STEAM, `algorithm`, `digits`, `period`, `counter`) and a
//! `schemaVersion`. An encrypted backup has `services: []` and `servicesEncrypted`:
//! `base64(ciphertext‖tag):base64(salt):base64(iv)`, AES-256-GCM under PBKDF2-HMAC-SHA256
//! (10,000 rounds, 32-byte key) of the passphrase. `reference`, sealed the same way, holds a
//! fixed text and tells a wrong passphrase from a damaged file. Groups and icons are dropped.

use super::fields::{Fields, SecretText};
use super::{Entries, ImportError, MAX_ENTRIES, crypt};
use data_encoding::{BASE64, BASE64_NOPAD};
use serde::Deserialize;
use zeroize::Zeroizing;

/// The format's name in errors.
pub const FORMAT: &str = "2FAS";
/// PBKDF2 rounds of every 2FAS backup (the apps' constant).
const ROUNDS: u32 = 10_000;
/// Newest backup schema read (2FAS 5 writes 4).
const MAX_SCHEMA: u32 = 4;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Backup {
    #[serde(default)]
    services: Vec<Service>,
    services_encrypted: Option<String>,
    reference: Option<String>,
    schema_version: Option<u32>,
}

#[derive(Deserialize)]
struct Service {
    #[serde(default)]
    name: String,
    secret: Option<SecretText>,
    #[serde(default)]
    otp: Otp,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Otp {
    issuer: Option<String>,
    account: Option<String>,
    token_type: Option<String>,
    algorithm: Option<String>,
    digits: Option<i64>,
    period: Option<i64>,
    counter: Option<i64>,
}

/// Reads a 2FAS backup, decrypting it with `passphrase` when it is encrypted.
pub fn parse(bytes: &[u8], passphrase: Option<&[u8]>) -> Result<Entries, ImportError> {
    let backup: Backup =
        serde_json::from_slice(bytes).map_err(|e| malformed(format!("not a 2FAS backup ({e})")))?;
    match backup.schema_version {
        None => return Err(malformed("the backup has no schemaVersion")),
        Some(v) if v > MAX_SCHEMA => {
            return Err(malformed(format!(
                "schema version {v} is newer than the versions 1–{MAX_SCHEMA} Latchkey reads"
            )));
        }
        Some(_) => {}
    }
    let services = match &backup.services_encrypted {
        None => backup.services,
        Some(sealed) => {
            let passphrase = passphrase.ok_or(ImportError::PassphraseRequired(FORMAT))?;
            let plain = decrypt(sealed, backup.reference.as_deref(), passphrase)?;
            serde_json::from_slice(&plain)
                .map_err(|e| malformed(format!("the decrypted services are not a list ({e})")))?
        }
    };
    if services.len() > MAX_ENTRIES {
        return Err(ImportError::TooManyEntries);
    }
    let entries = services
        .into_iter()
        .enumerate()
        .map(|(i, s)| entry(s, i + 1))
        .collect();
    Ok((entries, vec![]))
}

fn malformed(fault: impl Into<String>) -> ImportError {
    ImportError::malformed(FORMAT, fault)
}

/// The three parts of a sealed field.
struct Sealed {
    data: Vec<u8>,
    salt: Vec<u8>,
    iv: Vec<u8>,
}

fn split(field: &str, what: &str) -> Result<Sealed, ImportError> {
    let parts: Vec<&str> = field.trim().split(':').collect();
    let [data, salt, iv] = parts.as_slice() else {
        return Err(malformed(format!(
            "{what} is not three base64 parts separated by ':'"
        )));
    };
    let b64 = |part: &str| {
        BASE64
            .decode(part.as_bytes())
            .or_else(|_| BASE64_NOPAD.decode(part.as_bytes()))
            .map_err(|_| malformed(format!("{what} is not valid base64")))
    };
    Ok(Sealed {
        data: b64(data)?,
        salt: b64(salt)?,
        iv: b64(iv)?,
    })
}

/// Decrypts `servicesEncrypted`, checking the passphrase on `reference` first when there is one.
fn decrypt(
    services: &str,
    reference: Option<&str>,
    passphrase: &[u8],
) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let sealed = split(services, "servicesEncrypted")?;
    if sealed.iv.len() != 12 {
        return Err(malformed("the IV of servicesEncrypted is not 12 bytes"));
    }
    let key = crypt::pbkdf2_sha256(passphrase, &sealed.salt, ROUNDS);
    let checked = match reference {
        Some(reference) => {
            let r = split(reference, "reference")?;
            let ref_key = if r.salt == sealed.salt {
                key.clone()
            } else {
                crypt::pbkdf2_sha256(passphrase, &r.salt, ROUNDS)
            };
            crypt::open(&ref_key, &r.iv, &r.data).ok_or(ImportError::BadPassphrase(FORMAT))?;
            true
        }
        None => false,
    };
    crypt::open(&key, &sealed.iv, &sealed.data).ok_or(if checked {
        ImportError::Corrupted(FORMAT)
    } else {
        ImportError::BadPassphraseOrCorrupted(FORMAT)
    })
}

/// Converts one service; its faults are its own.
fn entry(s: Service, position: usize) -> Result<super::Imported, super::EntryError> {
    // The service name is what 2FAS shows (the user may rename it); the URI's issuer stands in.
    let issuer = if s.name.trim().is_empty() {
        s.otp.issuer.clone().unwrap_or_default()
    } else {
        s.name.clone()
    };
    let secret = SecretText::decode(s.secret.as_ref());
    Fields {
        issuer,
        account: s.otp.account.clone().unwrap_or_default(),
        kind: s.otp.token_type.as_deref().unwrap_or("TOTP"),
        algorithm: s.otp.algorithm.as_deref(),
        digits: s.otp.digits,
        period: s.otp.period,
        counter: s.otp.counter,
    }
    .build(position, secret)
}
