//! Aegis Authenticator JSON, as Aegis itself imports it (beemdevelopment/Aegis docs/vault.md).
//!
//! File version 1; database version 2 (what Aegis 2.x writes and 3.x still reads): entries with
//! `type`, `uuid`, `name`, `issuer`, `note`, `favorite`, `icon` and `info`. Encrypted: one password
//! slot (type 1) wraps a random 256-bit master key with AES-256-GCM under
//! scrypt(passphrase, 32-byte salt, N = 2^15, r = 8, p = 1); `db` is base64 (padded) of the
//! database JSON encrypted with the master key, its nonce and tag in `header.params`. All binary
//! values in the header are lower-case hex; nonces are 12 random bytes.

use super::ExportError;
use crate::accounts::Account;
use crate::otp::{Algorithm, Kind};
use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use data_encoding::{BASE64, HEXLOWER};
use rand::RngCore;
use rand::rngs::OsRng;
use serde::Serialize;
use serde_json::{Value, json};
use zeroize::Zeroizing;

/// scrypt cost Aegis uses for password slots: N = 2^15, r = 8, p = 1.
const SCRYPT_LOG_N: u8 = 15;
const SCRYPT_R: u32 = 8;
const SCRYPT_P: u32 = 1;
/// Database version written.
const DB_VERSION: u32 = 2;

#[derive(Serialize)]
struct Db<'a> {
    version: u32,
    entries: Vec<Entry<'a>>,
}

#[derive(Serialize)]
struct Entry<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    uuid: String,
    name: &'a str,
    issuer: &'a str,
    note: &'static str,
    favorite: bool,
    icon: Option<()>,
    info: Info<'a>,
}

#[derive(Serialize)]
struct Info<'a> {
    secret: &'a str,
    algo: &'static str,
    digits: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    counter: Option<u64>,
}

/// The database JSON, in a buffer wiped on drop (it holds every seed).
fn database(accounts: &[Account]) -> Result<Zeroizing<Vec<u8>>, ExportError> {
    let secrets: Vec<Zeroizing<String>> = accounts
        .iter()
        .map(|a| a.params.secret.to_base32())
        .collect();
    let entries = accounts
        .iter()
        .zip(&secrets)
        .map(|(a, secret)| {
            let (kind, period, counter) = match a.params.kind {
                Kind::Totp { period } => ("totp", Some(period), None),
                Kind::Hotp { counter } => ("hotp", None, Some(counter)),
                Kind::Steam => ("steam", Some(crate::otp::STEAM_PERIOD), None),
            };
            Entry {
                kind,
                uuid: entry_uuid(&a.id),
                name: &a.account,
                issuer: &a.issuer,
                note: "",
                favorite: false,
                icon: None,
                info: Info {
                    secret,
                    algo: algo(a.params.algorithm),
                    digits: a.params.digits,
                    period,
                    counter,
                },
            }
        })
        .collect();
    let mut out = Zeroizing::new(Vec::with_capacity(256 + accounts.len() * 320));
    serde_json::to_writer(
        &mut *out,
        &Db {
            version: DB_VERSION,
            entries,
        },
    )
    .map_err(|e| ExportError::Internal(e.to_string()))?;
    Ok(out)
}

/// A plaintext Aegis export: `header.slots` and `header.params` are null, `db` is the object.
pub fn plain(accounts: &[Account]) -> Result<Zeroizing<Vec<u8>>, ExportError> {
    let db = database(accounts)?;
    let mut out = Zeroizing::new(Vec::with_capacity(db.len() + 128));
    out.extend_from_slice(br#"{"version":1,"header":{"slots":null,"params":null},"db":"#);
    out.extend_from_slice(&db);
    out.extend_from_slice(b"}\n");
    Ok(out)
}

/// An encrypted Aegis export whose one password slot opens with `passphrase` (runs scrypt).
pub fn encrypted(accounts: &[Account], passphrase: &[u8]) -> Result<Vec<u8>, ExportError> {
    let mut master = Zeroizing::new([0u8; 32]);
    random(master.as_mut())?;
    let mut salt = [0u8; 32];
    random(&mut salt)?;
    let params = scrypt::Params::new(SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P, 32)
        .map_err(|e| ExportError::Internal(e.to_string()))?;
    let mut derived = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(passphrase, &salt, &params, derived.as_mut())
        .map_err(|e| ExportError::Internal(e.to_string()))?;
    let mut wrapped = master.to_vec();
    let (key_nonce, key_tag) = seal(derived.as_ref(), &mut wrapped)?;
    let mut db = database(accounts)?;
    let (db_nonce, db_tag) = seal(master.as_ref(), &mut db[..])?;
    let slot = json!({
        "type": 1,
        "uuid": uuid::Uuid::new_v4().to_string(),
        "key": HEXLOWER.encode(&wrapped),
        "key_params": { "nonce": HEXLOWER.encode(&key_nonce), "tag": HEXLOWER.encode(&key_tag) },
        "n": 1u32 << SCRYPT_LOG_N,
        "r": SCRYPT_R,
        "p": SCRYPT_P,
        "salt": HEXLOWER.encode(&salt),
        "repaired": true,
        "is_backup": false,
    });
    // A struct, not `json!`, so the keys keep Aegis's own order (version, header, db): a file
    // cut short still shows its header and is recognised as Aegis.
    let file = EncryptedFile {
        version: 1,
        header: Header {
            slots: [slot],
            params: json!({ "nonce": HEXLOWER.encode(&db_nonce), "tag": HEXLOWER.encode(&db_tag) }),
        },
        db: BASE64.encode(&db),
    };
    let mut out =
        serde_json::to_vec_pretty(&file).map_err(|e| ExportError::Internal(e.to_string()))?;
    out.push(b'\n');
    Ok(out)
}

/// The top level of an encrypted Aegis file, in Aegis's key order.
#[derive(Serialize)]
struct EncryptedFile {
    version: u32,
    header: Header,
    db: String,
}

/// The header of an encrypted Aegis file: its one password slot and the db's nonce and tag.
#[derive(Serialize)]
struct Header {
    slots: [Value; 1],
    params: Value,
}

/// AES-256-GCM in place with a fresh 12-byte nonce and no associated data; returns nonce and tag.
fn seal(key: &[u8], buf: &mut [u8]) -> Result<([u8; 12], [u8; 16]), ExportError> {
    let mut nonce = [0u8; 12];
    random(&mut nonce)?;
    let cipher =
        Aes256Gcm::new_from_slice(key).map_err(|e| ExportError::Internal(e.to_string()))?;
    let tag = cipher
        .encrypt_in_place_detached(Nonce::from_slice(&nonce), b"", buf)
        .map_err(|e| ExportError::Internal(e.to_string()))?;
    Ok((nonce, tag.into()))
}

fn random(buf: &mut [u8]) -> Result<(), ExportError> {
    OsRng
        .try_fill_bytes(buf)
        .map_err(|e| ExportError::Internal(format!("the random number generator failed: {e}")))
}

fn algo(a: Algorithm) -> &'static str {
    match a {
        Algorithm::Sha1 => "SHA1",
        Algorithm::Sha256 => "SHA256",
        Algorithm::Sha512 => "SHA512",
    }
}

/// Aegis wants a UUID per entry: the account id when it is one, a fresh one otherwise.
fn entry_uuid(id: &str) -> String {
    uuid::Uuid::parse_str(id)
        .map(|u| u.to_string())
        .unwrap_or_else(|_| uuid::Uuid::new_v4().to_string())
}
