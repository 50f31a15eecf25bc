//! Stratum (formerly Authenticator Pro): its JSON backup, plain or encrypted (current and legacy
//! encryption), and its internal database (`databases/authenticator.db3` of
//! `com.stratumauth.app`, from a rooted phone).
//!
//! The backup is `{"Authenticators": [...], "Categories": ..., ...}`; each authenticator has
//! `Type` (1 HOTP, 2 TOTP, 3 mOTP, 4 Steam, 5 Yandex), `Issuer`, `Username`, a base32 `Secret`,
//! `Algorithm` (0 SHA-1, 1 SHA-256, 2 SHA-512), `Digits`, `Period` and `Counter`; the
//! database's `authenticator` table has the same fields in lower case. Encrypted: the header
//! `AUTHENTICATORPRO`, a 16-byte salt, a 12-byte IV, then AES-256-GCM under
//! Argon2id(passphrase, salt, 3 passes, 64 MiB, 4 lanes) — fixed costs, not the file's. Legacy:
//! `AuthenticatorPro`, a 20-byte salt, a 16-byte IV, then AES-256-CBC under
//! PBKDF2-HMAC-SHA1(passphrase, salt, 64,000 rounds). Categories, icons and PINs are dropped.

use super::fields::Fields;
use super::sqlite::Db;
use super::{Entries, EntryError, ImportError, Imported, MAX_ENTRIES, crypt};
use crate::otp::Secret;
use serde::Deserialize;
use zeroize::Zeroizing;

const APP: &str = "Stratum";
const HEADER: &[u8] = b"AUTHENTICATORPRO";
const HEADER_LEGACY: &[u8] = b"AuthenticatorPro";
const ARGON_MEMORY_KIB: u32 = 64 * 1024;
const ARGON_PASSES: u32 = 3;
const ARGON_LANES: u32 = 4;
const LEGACY_ROUNDS: u32 = 64_000;

#[derive(Deserialize)]
struct Backup {
    #[serde(rename = "Authenticators")]
    authenticators: Vec<Authenticator>,
    #[serde(rename = "Categories", default)]
    categories: Vec<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Authenticator {
    #[serde(rename = "Type")]
    kind: Option<i64>,
    #[serde(default)]
    issuer: Option<String>,
    #[serde(default)]
    username: Option<String>,
    secret: Option<super::fields::SecretText>,
    algorithm: Option<i64>,
    digits: Option<i64>,
    period: Option<i64>,
    counter: Option<i64>,
}

/// Reads any of Stratum's files, by its first bytes.
pub fn parse(bytes: &[u8], passphrase: Option<&[u8]>) -> Result<Entries, ImportError> {
    if bytes.starts_with(super::sqlite::MAGIC) {
        return database(bytes);
    }
    let plain = if let Some(rest) = bytes.strip_prefix(HEADER) {
        let passphrase = passphrase.ok_or(ImportError::PassphraseRequired(APP))?;
        current(rest, passphrase)?
    } else if let Some(rest) = bytes.strip_prefix(HEADER_LEGACY) {
        let passphrase = passphrase.ok_or(ImportError::PassphraseRequired(APP))?;
        legacy(rest, passphrase)?
    } else {
        Zeroizing::new(bytes.to_vec())
    };
    backup(&plain)
}

fn malformed(fault: impl Into<String>) -> ImportError {
    ImportError::malformed(APP, fault)
}

/// Argon2id and AES-GCM: a tag that does not verify means a wrong passphrase (or damage).
fn current(rest: &[u8], passphrase: &[u8]) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    if rest.len() < 16 + 12 + 16 {
        return Err(malformed("the encrypted backup is truncated"));
    }
    let (salt, rest) = rest.split_at(16);
    let (iv, sealed) = rest.split_at(12);
    let key = crypt::argon2id(
        passphrase,
        salt,
        ARGON_MEMORY_KIB,
        ARGON_PASSES,
        ARGON_LANES,
    )
    .ok_or_else(|| malformed("cannot derive the key"))?;
    crypt::open(&key, iv, sealed).ok_or(ImportError::BadPassphraseOrCorrupted(APP))
}

/// PBKDF2 and AES-CBC: bad padding or undecodable JSON means a wrong passphrase (or damage).
fn legacy(rest: &[u8], passphrase: &[u8]) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    if rest.len() < 20 + 16 + 16 {
        return Err(malformed("the encrypted backup is truncated"));
    }
    let (salt, rest) = rest.split_at(20);
    let (iv, sealed) = rest.split_at(16);
    let key = crypt::pbkdf2_sha1(passphrase, salt, LEGACY_ROUNDS);
    let plain = crypt::open_cbc(key.as_slice(), iv, sealed)
        .ok_or(ImportError::BadPassphraseOrCorrupted(APP))?;
    if serde_json::from_slice::<serde::de::IgnoredAny>(&plain).is_err() {
        return Err(ImportError::BadPassphraseOrCorrupted(APP));
    }
    Ok(plain)
}

fn backup(json: &[u8]) -> Result<Entries, ImportError> {
    let backup: Backup = serde_json::from_slice(json)
        .map_err(|e| malformed(format!("not a Stratum backup ({e})")))?;
    if backup.authenticators.len() > MAX_ENTRIES {
        return Err(ImportError::TooManyEntries);
    }
    let mut notes = Vec::new();
    if !backup.categories.is_empty() {
        notes.push(format!(
            "{} Stratum categor{} not kept",
            backup.categories.len(),
            if backup.categories.len() == 1 {
                "y"
            } else {
                "ies"
            }
        ));
    }
    let entries = backup
        .authenticators
        .into_iter()
        .enumerate()
        .map(|(i, a)| {
            let secret = super::fields::SecretText::decode(a.secret.as_ref());
            entry(
                i + 1,
                a.kind,
                a.issuer.unwrap_or_default(),
                a.username.unwrap_or_default(),
                secret,
                [a.algorithm, a.digits, a.period, a.counter],
            )
        })
        .collect();
    Ok((entries, notes))
}

fn database(bytes: &[u8]) -> Result<Entries, ImportError> {
    let db = Db::open(bytes, APP)?;
    let columns = [
        "type",
        "issuer",
        "username",
        "secret",
        "algorithm",
        "digits",
        "period",
        "counter",
    ];
    let rows = db.rows("authenticator", &columns)?;
    let entries = rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let secret = row.secret(3);
            entry(
                i + 1,
                row.int(0),
                row.text(1),
                row.text(2),
                Secret::from_base32(&secret).map_err(Into::into),
                [row.int(4), row.int(5), row.int(6), row.int(7)],
            )
        })
        .collect();
    Ok((entries, vec![]))
}

/// One authenticator; `numbers` are algorithm, digits, period and counter.
fn entry(
    position: usize,
    kind: Option<i64>,
    issuer: String,
    account: String,
    secret: Result<Secret, super::EntryFault>,
    [algorithm, digits, period, counter]: [Option<i64>; 4],
) -> Result<Imported, EntryError> {
    let kind = match kind {
        Some(1) => "HOTP".to_string(),
        Some(2) | None => "TOTP".to_string(),
        Some(3) => "mOTP".to_string(),
        Some(4) => "STEAM".to_string(),
        Some(5) => "Yandex".to_string(),
        Some(n) => format!("type {n}"),
    };
    let algorithm = match algorithm {
        Some(0) | None => "SHA1".to_string(),
        Some(1) => "SHA256".to_string(),
        Some(2) => "SHA512".to_string(),
        Some(n) => format!("algorithm {n}"),
    };
    Fields {
        issuer,
        account,
        kind: &kind,
        algorithm: Some(&algorithm),
        digits,
        period,
        counter,
    }
    .build(position, secret)
}
