//! Plain lists of `otpauth://` URIs, one per line (blank lines and `#` comments skipped);
//! `otpauth-migration://` lines are expanded through the Google reader. Entries are numbered in
//! order; a URI that cannot be read is named by its line (its label may be what is broken).

use super::{EntryError, ImportError, Imported, MAX_ENTRIES, entry_error, google};
use crate::otp::parse_uri;

/// The format's name in errors.
pub const FORMAT: &str = "otpauth URI list";

/// One result per URI, positioned by line number.
pub fn parse(text: &str) -> Result<Vec<Result<Imported, EntryError>>, ImportError> {
    let mut out = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if out.len() >= MAX_ENTRIES {
            return Err(ImportError::TooManyEntries);
        }
        if super::starts_with_ci(line, "otpauth-migration:") {
            out.extend(google::parse_line(line, out.len())?);
            continue;
        }
        out.push(match parse_uri(line) {
            Ok(u) => Ok(Imported {
                issuer: u.issuer,
                account: u.account,
                params: u.params,
                sites: Vec::new(),
            }),
            Err(e) => Err(entry_error(
                out.len() + 1,
                "",
                &format!("line {}", index + 1),
                e.into(),
            )),
        });
    }
    if out.is_empty() {
        return Err(ImportError::Empty);
    }
    Ok(out)
}

/// WinAuth's text export: a URI list whose labels are the names the user gave each
/// authenticator, without an issuer; such a name becomes the issuer, as WinAuth shows it.
pub fn parse_winauth(text: &str) -> Result<super::Entries, ImportError> {
    let entries = parse(text)?
        .into_iter()
        .map(|e| {
            e.map(|mut i| {
                if i.issuer.is_empty() {
                    i.issuer = std::mem::take(&mut i.account);
                }
                i
            })
        })
        .collect();
    Ok((entries, vec![]))
}
