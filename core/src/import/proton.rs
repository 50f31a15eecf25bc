//! Proton Authenticator's JSON export: `{"version": 1, "entries": [...]}`, each entry's
//! `content` holding an otpauth:// `uri`, the `name` the app shows (the account) and an
//! `entry_type`. The issuer is the URI's. Notes are dropped.

use super::{Entries, ImportError, Imported, MAX_ENTRIES, entry_error};
use crate::otp::parse_uri;
use serde::Deserialize;

const APP: &str = "Proton Authenticator";

#[derive(Deserialize)]
struct Export {
    entries: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    content: Option<Content>,
}

#[derive(Deserialize)]
struct Content {
    uri: Option<super::fields::SecretText>,
    name: Option<String>,
}

/// Reads a Proton Authenticator export.
pub fn parse(bytes: &[u8]) -> Result<Entries, ImportError> {
    let export: Export = serde_json::from_slice(bytes).map_err(|e| {
        ImportError::malformed(APP, format!("not a Proton Authenticator export ({e})"))
    })?;
    if export.entries.len() > MAX_ENTRIES {
        return Err(ImportError::TooManyEntries);
    }
    let entries = export
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let content = e.content.as_ref();
            let name = content.and_then(|c| c.name.clone()).unwrap_or_default();
            let uri = content.and_then(|c| c.uri.as_ref());
            match uri.map(|u| parse_uri(&u.0)) {
                Some(Ok(u)) => Ok(Imported {
                    issuer: u.issuer,
                    account: if name.is_empty() { u.account } else { name },
                    params: u.params,
                    sites: Vec::new(),
                }),
                Some(Err(fault)) => Err(entry_error(i + 1, "", &name, fault.into())),
                None => Err(entry_error(
                    i + 1,
                    "",
                    &name,
                    super::EntryFault::MissingSecret,
                )),
            }
        })
        .collect();
    Ok((entries, vec![]))
}
