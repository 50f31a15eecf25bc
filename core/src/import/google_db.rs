//! Google Authenticator's Android database (`databases/databases` of
//! `com.google.android.apps.authenticator2`, from a rooted phone or a device backup).
//!
//! Table `accounts`: `email` (the label, often `Issuer:account`), `issuer`, a base32 `secret`,
//! `type` (0 TOTP, 1 HOTP) and `counter`. The app only makes SHA-1, 6-digit, 30-second codes.

use super::fields::Fields;
use super::sqlite::Db;
use super::{Entries, ImportError};
use crate::otp::Secret;

const APP: &str = "Google Authenticator";
const COLUMNS: [&str; 5] = ["email", "issuer", "secret", "type", "counter"];

/// Reads the accounts of a Google Authenticator database.
pub fn parse(bytes: &[u8]) -> Result<Entries, ImportError> {
    let db = Db::open(bytes, APP)?;
    let rows = db.rows("accounts", &COLUMNS)?;
    let entries = rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let (email, issuer) = (row.text(0), row.text(1));
            // The label repeats the issuer before a colon; the column is what the app shows.
            let (issuer, account) = match email.split_once(':') {
                Some((prefix, rest)) if issuer.is_empty() || issuer == prefix => {
                    (prefix.trim().to_string(), rest.trim().to_string())
                }
                _ => (issuer, email),
            };
            let kind = match row.int(3) {
                Some(1) => "HOTP".to_string(),
                Some(0) | None => "TOTP".to_string(),
                Some(n) => format!("type {n}"),
            };
            let secret = row.secret(2);
            Fields {
                issuer,
                account,
                kind: &kind,
                algorithm: None,
                digits: None,
                period: None,
                counter: row.int(4),
            }
            .build(i + 1, Secret::from_base32(&secret).map_err(Into::into))
        })
        .collect();
    Ok((entries, vec![]))
}
