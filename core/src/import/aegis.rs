//! Aegis Authenticator JSON exports, plain and encrypted (format of Aegis's docs/vault.md).
//!
//! Encrypted: each password slot (type 1) wraps the 32-byte master key with AES-256-GCM under a
//! key derived by scrypt(passphrase, salt, n, r, p); `db` is base64 of the database encrypted with
//! the master key (nonce and tag in `header.params`). Database versions 1–3 are read; groups,
//! notes, icons and favourites are dropped. Yandex and mOTP entries are refused.

use super::fields::SecretText;
use super::{Entries, EntryError, EntryFault, ImportError, Imported, MAX_ENTRIES, entry_error};
use crate::accounts::parse_algorithm;
use crate::otp::{Kind, OtpParams, STEAM_DIGITS, Secret};
use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use data_encoding::{BASE64, HEXLOWER_PERMISSIVE};
use serde::Deserialize;
use zeroize::Zeroizing;

const FORMAT: &str = "Aegis";
/// Largest scrypt cost accepted from a file: memory 128·n·r ≤ 256 MiB, and n·r·p ≤ 2^24.
const MAX_LOG_N: u8 = 20;
const MAX_R: u32 = 32;
const MAX_P: u32 = 16;
const MAX_MEMORY: u64 = 256 * 1024 * 1024;
const MAX_WORK: u64 = 1 << 24;
/// Password slots tried at most (each costs one scrypt run).
const MAX_SLOTS_TRIED: usize = 4;

/// The file's shape, read first without the database so a plain one is parsed only once.
#[derive(Deserialize)]
struct File<D> {
    version: u32,
    header: Header,
    db: D,
}

#[derive(Deserialize)]
struct Header {
    slots: Option<Vec<Slot>>,
    params: Option<GcmParams>,
}

#[derive(Deserialize)]
struct Slot {
    #[serde(rename = "type")]
    kind: u32,
    key: Option<String>,
    key_params: Option<GcmParams>,
    n: Option<u64>,
    r: Option<u32>,
    p: Option<u32>,
    salt: Option<String>,
}

#[derive(Deserialize)]
struct GcmParams {
    nonce: String,
    tag: String,
}

#[derive(Deserialize)]
struct Db {
    version: u32,
    entries: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(rename = "type")]
    kind: String,
    /// The entry's id in the Aegis vault; following a phone's backups mirrors entries by it.
    #[serde(default)]
    uuid: Option<String>,
    // OTPClient writes null for an empty issuer; a missing or null label is empty.
    #[serde(default, deserialize_with = "text_or_null")]
    name: String,
    #[serde(default, deserialize_with = "text_or_null")]
    issuer: String,
    #[serde(default, deserialize_with = "text_or_null")]
    note: String,
    #[serde(default)]
    groups: Vec<serde::de::IgnoredAny>,
    #[serde(default)]
    group: Option<serde::de::IgnoredAny>,
    info: Info,
}

/// A string, with `null` read as empty.
fn text_or_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

#[derive(Deserialize)]
struct Info {
    secret: Option<SecretText>,
    algo: Option<String>,
    digits: Option<u32>,
    period: Option<u32>,
    counter: Option<u64>,
}

/// Reads an Aegis export, decrypting it with `passphrase` when it is encrypted.
pub fn parse(bytes: &[u8], passphrase: Option<&[u8]>) -> Result<Entries, ImportError> {
    let (entries, notes) = parse_with_ids(bytes, passphrase)?;
    Ok((entries.into_iter().map(|(_, e)| e).collect(), notes))
}

/// Entries with their Aegis UUIDs, and notes.
pub type WithIds = (
    Vec<(Option<String>, Result<Imported, EntryError>)>,
    Vec<String>,
);

/// [`parse`], each entry with its Aegis UUID (`None` for an entry without one).
pub fn parse_with_ids(bytes: &[u8], passphrase: Option<&[u8]>) -> Result<WithIds, ImportError> {
    let file: File<serde::de::IgnoredAny> = serde_json::from_slice(bytes)
        .map_err(|e| malformed(format!("not an Aegis export ({e})")))?;
    if file.version != 1 {
        return Err(malformed(format!(
            "unsupported file version {}",
            file.version
        )));
    }
    let bad_db = |e: serde_json::Error| malformed(format!("bad database ({e})"));
    let db: Db = match (&file.header.slots, &file.header.params) {
        (None, None) => {
            serde_json::from_slice::<File<Db>>(bytes)
                .map_err(bad_db)?
                .db
        }
        (Some(slots), Some(params)) => {
            let passphrase = passphrase.ok_or(ImportError::PassphraseRequired(FORMAT))?;
            let db = serde_json::from_slice::<File<String>>(bytes)
                .map_err(bad_db)?
                .db;
            let key = unwrap_master_key(slots, passphrase)?;
            let plain = decrypt_db(&key, params, &db)?;
            serde_json::from_slice(&plain).map_err(bad_db)?
        }
        _ => {
            return Err(malformed(
                "the header has slots without params, or params without slots",
            ));
        }
    };
    if !(1..=3).contains(&db.version) {
        return Err(malformed(format!(
            "unsupported database version {}",
            db.version
        )));
    }
    if db.entries.len() > MAX_ENTRIES {
        return Err(ImportError::TooManyEntries);
    }
    let dropped = db
        .entries
        .iter()
        .filter(|e| !e.note.is_empty() || !e.groups.is_empty() || e.group.is_some())
        .count();
    let mut notes = Vec::new();
    if dropped > 0 {
        notes.push(format!(
            "{dropped} Aegis entr{} had notes or groups; Latchkey does not keep them",
            if dropped == 1 { "y" } else { "ies" }
        ));
    }
    let entries = db
        .entries
        .into_iter()
        .enumerate()
        .map(|(i, mut e)| (e.uuid.take(), entry(e, i + 1)))
        .collect();
    Ok((entries, notes))
}

fn kdf_refused(detail: String) -> ImportError {
    ImportError::KdfParams {
        format: FORMAT,
        detail,
    }
}

fn malformed(fault: impl Into<String>) -> ImportError {
    ImportError::malformed(FORMAT, fault)
}

/// Tries each password slot; the first whose tag verifies yields the master key.
fn unwrap_master_key(slots: &[Slot], passphrase: &[u8]) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let mut tried = 0;
    for slot in slots.iter().filter(|s| s.kind == 1).take(MAX_SLOTS_TRIED) {
        tried += 1;
        let (Some(key), Some(kp), Some(n), Some(r), Some(p), Some(salt)) = (
            &slot.key,
            &slot.key_params,
            slot.n,
            slot.r,
            slot.p,
            &slot.salt,
        ) else {
            return Err(malformed(
                "a password slot lacks key, key_params, n, r, p or salt",
            ));
        };
        let params = scrypt_params(n, r, p)?;
        let salt = hex(salt, "slot salt")?;
        let mut derived = Zeroizing::new([0u8; 32]);
        scrypt::scrypt(passphrase, &salt, &params, &mut *derived)
            .map_err(|_| kdf_refused("bad output length".into()))?;
        let mut master = Zeroizing::new(hex(key, "slot key")?);
        if open(derived.as_slice(), kp, &mut master).is_ok() && master.len() == 32 {
            return Ok(master);
        }
    }
    if tried == 0 {
        return Err(malformed(
            "the vault has no password slot (only biometric or raw keys)",
        ));
    }
    Err(ImportError::BadPassphrase(FORMAT))
}

/// Checks a file's scrypt cost against our bounds before running it.
pub(super) fn scrypt_params(n: u64, r: u32, p: u32) -> Result<scrypt::Params, ImportError> {
    let refuse = || kdf_refused(format!("scrypt n={n}, r={r}, p={p}"));
    if n < 2 || !n.is_power_of_two() || r == 0 || p == 0 {
        return Err(malformed(format!(
            "invalid scrypt parameters n={n}, r={r}, p={p}"
        )));
    }
    let log_n = n.trailing_zeros() as u8;
    if log_n > MAX_LOG_N || r > MAX_R || p > MAX_P {
        return Err(refuse());
    }
    if 128 * n * u64::from(r) > MAX_MEMORY || n * u64::from(r) * u64::from(p) > MAX_WORK {
        return Err(refuse());
    }
    scrypt::Params::new(log_n, r, p, 32).map_err(|_| refuse())
}

/// Decrypts the base64 database with the master key; a bad tag means corruption.
fn decrypt_db(key: &[u8], params: &GcmParams, db: &str) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let mut buf = Zeroizing::new(
        BASE64
            .decode(db.trim().as_bytes())
            .map_err(|_| malformed("the database is not valid base64"))?,
    );
    open(key, params, &mut buf).map_err(|()| ImportError::Corrupted(FORMAT))?;
    Ok(buf)
}

/// AES-256-GCM open in place with the file's hex nonce and tag (no associated data).
fn open(key: &[u8], params: &GcmParams, buf: &mut [u8]) -> Result<(), ()> {
    let nonce = hex(&params.nonce, "nonce").map_err(|_| ())?;
    let tag = hex(&params.tag, "tag").map_err(|_| ())?;
    if nonce.len() != 12 || tag.len() != 16 {
        return Err(());
    }
    let cipher = Aes256Gcm::new_from_slice(key).map_err(|_| ())?;
    cipher
        .decrypt_in_place_detached(Nonce::from_slice(&nonce), b"", buf, Tag::from_slice(&tag))
        .map_err(|_| ())
}

fn hex(text: &str, what: &str) -> Result<Vec<u8>, ImportError> {
    HEXLOWER_PERMISSIVE
        .decode(text.as_bytes())
        .map_err(|_| malformed(format!("the {what} is not valid hex")))
}

/// Converts one entry; faults are the entry's own and do not stop the others.
fn entry(e: Entry, position: usize) -> Result<Imported, EntryError> {
    let fail = |fault: EntryFault| entry_error(position, &e.issuer, &e.name, fault);
    let info = &e.info;
    let secret = info
        .secret
        .as_ref()
        .ok_or_else(|| fail(EntryFault::MissingSecret))?;
    let secret = Secret::from_base32(&secret.0).map_err(|s| fail(s.into()))?;
    let algo = info.algo.as_deref().unwrap_or("SHA1");
    let algorithm =
        parse_algorithm(algo).ok_or_else(|| fail(EntryFault::Algorithm(super::echo(algo))))?;
    let digits = info.digits.unwrap_or(6);
    let (kind, digits) = match e.kind.as_str() {
        "totp" => (
            Kind::Totp {
                period: info.period.unwrap_or(30),
            },
            digits,
        ),
        "hotp" => (
            Kind::Hotp {
                counter: info.counter.unwrap_or(0),
            },
            digits,
        ),
        "steam" => (Kind::Steam, u32::from(STEAM_DIGITS)),
        other => return Err(fail(EntryFault::Type(super::echo(other)))),
    };
    let digits = u8::try_from(digits).map_err(|_| fail(EntryFault::Digits(digits.to_string())))?;
    let params = OtpParams::new(secret, algorithm, digits, kind).map_err(|p| fail(p.into()))?;
    Ok(Imported {
        issuer: e.issuer.clone(),
        account: e.name.clone(),
        params,
        sites: Vec::new(),
    })
}
