//! Microsoft Authenticator's Android database (`databases/PhoneFactor` of
//! `com.azure.authenticator`, from a rooted phone or a device backup): the app has no export.
//!
//! Table `accounts`: `name` (the issuer shown), `username`, `oath_secret_key` and
//! `account_type`: 0 is a third-party TOTP account (base32 secret, SHA-1, 6 digits, 30 s), 1 a
//! personal Microsoft account (base64 secret, 8 digits). Type 2, work or school accounts, sign
//! in by push approval and are passed over with a note, as are rows without a secret.

use super::sqlite::{Db, Row};
use super::{Entries, EntryFault, ImportError, Imported, entry_error};
use crate::otp::{Algorithm, Kind, OtpParams, Secret};

const APP: &str = "Microsoft Authenticator";
const COLUMNS: [&str; 4] = ["name", "username", "oath_secret_key", "account_type"];

/// Reads the accounts of a Microsoft Authenticator database.
pub fn parse(bytes: &[u8]) -> Result<Entries, ImportError> {
    let db = Db::open(bytes, APP)?;
    let rows = db.rows("accounts", &COLUMNS)?;
    let mut out = Vec::new();
    let (mut work, mut push_only) = (0, 0);
    for row in &rows {
        let secret = row.secret(2);
        match row.int(3) {
            Some(2) => work += 1,
            _ if secret.trim().is_empty() => push_only += 1,
            kind => {
                let position = out.len() + 1;
                let (issuer, account) = (row.text(0), row.text(1));
                out.push(entry(row, kind).map_err(|f| entry_error(position, &issuer, &account, f)));
            }
        }
    }
    let mut notes = Vec::new();
    if work > 0 {
        notes.push(format!(
            "{work} work or school account(s) passed over: they approve sign-ins by push, which \
             Latchkey cannot take over"
        ));
    }
    if push_only > 0 {
        notes.push(format!(
            "{push_only} Microsoft Authenticator account(s) without a code secret passed over"
        ));
    }
    Ok((out, notes))
}

fn entry(row: &Row, kind: Option<i64>) -> Result<Imported, EntryFault> {
    let text = row.secret(2);
    let (secret, digits) = match kind {
        Some(0) => (Secret::from_base32(&text)?, 6),
        Some(1) => {
            let bytes =
                super::base64(APP, &text, "secret").map_err(|_| EntryFault::Encoding("base64"))?;
            (Secret::from_bytes(bytes.to_vec()), 8)
        }
        other => {
            return Err(EntryFault::Type(
                other.map_or("none".into(), |n| format!("account type {n}")),
            ));
        }
    };
    Ok(Imported {
        issuer: row.text(0),
        account: row.text(1),
        params: OtpParams::new(secret, Algorithm::Sha1, digits, Kind::Totp { period: 30 })?,
        sites: Vec::new(),
    })
}
