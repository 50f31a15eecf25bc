//! Bitwarden exports, JSON or CSV (unencrypted): `items[].login.totp` (the `login_totp` column of
//! the CSV) holds an otpauth:// URI, a bare base32 secret (TOTP, SHA-1, 6 digits, 30 s) or
//! `steam://SECRET`. The item's `name` and `login.username` (`login_username`) are the issuer
//! and account when the URI does not name them; the sites of its `login.uris` (`login_uri`)
//! become the account's sites (see `crate::sites::from_urls`). Items without a TOTP secret (plain passwords,
//! notes, cards) are passed over and counted in a note. Encrypted exports
//! (`"encrypted": true`) are sealed with a key only Bitwarden holds, and are refused with a
//! named error.

use super::{Entries, EntryFault, ImportError, Imported, MAX_ENTRIES, entry_error};
use crate::otp::{Algorithm, Kind, OtpParams, STEAM_DIGITS, Secret, parse_uri};
use serde::Deserialize;
use zeroize::Zeroizing;

/// The format's name in errors.
pub const FORMAT: &str = "Bitwarden";

#[derive(Deserialize)]
struct Export {
    #[serde(default)]
    encrypted: bool,
    items: Option<Vec<Item>>,
}

#[derive(Deserialize)]
struct Item {
    #[serde(default)]
    name: Option<String>,
    login: Option<Login>,
}

#[derive(Deserialize)]
struct Login {
    username: Option<String>,
    totp: Option<Totp>,
    #[serde(default)]
    uris: Option<Vec<LoginUri>>,
}

#[derive(Deserialize)]
struct LoginUri {
    uri: Option<String>,
}

/// The `totp` field, wiped on drop.
struct Totp(Zeroizing<String>);

impl<'de> Deserialize<'de> for Totp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|s| Totp(Zeroizing::new(s)))
    }
}

/// Reads a Bitwarden JSON or CSV export.
pub fn parse(bytes: &[u8]) -> Result<Entries, ImportError> {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return csv(bytes);
    }
    let export: Export = serde_json::from_slice(bytes).map_err(|e| {
        ImportError::malformed(FORMAT, format!("not a Bitwarden JSON export ({e})"))
    })?;
    if export.encrypted {
        return Err(ImportError::BitwardenEncrypted);
    }
    let items = export
        .items
        .ok_or_else(|| ImportError::malformed(FORMAT, "the export has no items"))?;
    if items.len() > MAX_ENTRIES {
        return Err(ImportError::TooManyEntries);
    }
    let rows = items.iter().map(|item| {
        let login = item.login.as_ref();
        (
            item.name.as_deref().unwrap_or_default(),
            login
                .and_then(|l| l.username.as_deref())
                .unwrap_or_default(),
            login.and_then(|l| l.totp.as_ref()).map(|t| t.0.as_str()),
            crate::sites::from_urls(
                login
                    .and_then(|l| l.uris.as_deref())
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|u| u.uri.as_deref()),
            ),
        )
    });
    Ok(collect(rows))
}

/// The CSV export: a header row naming `name`, `login_username` and `login_totp`.
fn csv(bytes: &[u8]) -> Result<Entries, ImportError> {
    let mut reader = ::csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(bytes);
    let bad = |e: ::csv::Error| {
        ImportError::malformed(FORMAT, format!("not a Bitwarden CSV export ({e})"))
    };
    let headers = reader.headers().map_err(bad)?.clone();
    let column = |name: &str| headers.iter().position(|h| h.trim() == name);
    let totp = column("login_totp")
        .ok_or_else(|| ImportError::malformed(FORMAT, "the CSV has no login_totp column"))?;
    let (name, user, uri) = (
        column("name"),
        column("login_username"),
        column("login_uri"),
    );
    let mut records = Vec::new();
    for record in reader.records() {
        if records.len() >= MAX_ENTRIES {
            return Err(ImportError::TooManyEntries);
        }
        records.push(record.map_err(bad)?);
    }
    let field = |r: &::csv::StringRecord, i: Option<usize>| {
        i.and_then(|i| r.get(i)).unwrap_or_default().to_string()
    };
    let rows: Vec<(String, String, Zeroizing<String>, Vec<String>)> = records
        .iter()
        .map(|r| {
            // Several addresses share the cell, one per line or separated by commas.
            let uris = field(r, uri);
            (
                field(r, name),
                field(r, user),
                Zeroizing::new(field(r, Some(totp))),
                crate::sites::from_urls(uris.split(['\n', ','])),
            )
        })
        .collect();
    Ok(collect(rows.iter().map(|(n, u, t, s)| {
        (n.as_str(), u.as_str(), Some(t.as_str()), s.clone())
    })))
}

/// Entries from (name, username, totp, sites) rows; rows without a TOTP secret are counted in a note.
fn collect<'a>(
    rows: impl Iterator<Item = (&'a str, &'a str, Option<&'a str>, Vec<String>)>,
) -> Entries {
    let mut out = Vec::new();
    let mut without = 0;
    for (name, username, totp, sites) in rows {
        match totp.map(str::trim) {
            Some(totp) if !totp.is_empty() => {
                let position = out.len() + 1;
                out.push(
                    entry(totp, name, username)
                        .map(|i| Imported { sites, ..i })
                        .map_err(|f| entry_error(position, name, username, f)),
                );
            }
            _ => without += 1,
        }
    }
    let notes = if without > 0 {
        vec![format!(
            "{without} Bitwarden item{} without a TOTP secret passed over",
            if without == 1 { "" } else { "s" }
        )]
    } else {
        vec![]
    };
    (out, notes)
}

/// One `totp` value with the item's labels as fallbacks.
fn entry(totp: &str, name: &str, username: &str) -> Result<Imported, EntryFault> {
    if super::starts_with_ci(totp, "otpauth:") {
        let u = parse_uri(totp)?;
        let issuer = if u.issuer.is_empty() { name } else { &u.issuer };
        return Ok(Imported {
            issuer: issuer.to_string(),
            account: u.account,
            params: u.params,
            sites: Vec::new(),
        });
    }
    let (secret, algorithm, digits, kind) = match totp.get(..8) {
        Some(p) if p.eq_ignore_ascii_case("steam://") => (
            totp.get(8..).unwrap_or_default(),
            Algorithm::Sha1,
            STEAM_DIGITS,
            Kind::Steam,
        ),
        _ => (totp, Algorithm::Sha1, 6, Kind::Totp { period: 30 }),
    };
    let secret = Secret::from_base32(secret)?;
    Ok(Imported {
        issuer: name.to_string(),
        account: username.to_string(),
        params: OtpParams::new(secret, algorithm, digits, kind)?,
        sites: Vec::new(),
    })
}
