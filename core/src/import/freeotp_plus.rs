//! FreeOTP+ JSON exports (`{"tokenOrder": [...], "tokens": [...]}`); its other export, a list
//! of otpauth:// URIs, is read by the URI list reader, and its internal `tokens.xml` by the
//! FreeOTP reader (the apps share it).
//!
//! A token has `secret` as a list of (Java, signed) bytes, `algo`, `digits`, `period`,
//! `counter`, `type` (TOTP or HOTP), `issuerExt` (the issuer) and `label` (the account). As in
//! FreeOTP itself, a TOTP token whose issuer is `Steam` gives Steam Guard codes. The stored HOTP
//! counter is one below the next one to use (FreeOTP+ writes `counter + 1` in its own URI
//! export), so one is added. `tokenOrder` and images are not kept: entries are imported in the
//! order of `tokens`.

use super::freeotp::{Token, token};
use super::{Entries, ImportError, MAX_ENTRIES};
use serde::Deserialize;

/// The format's name in errors.
pub const FORMAT: &str = "FreeOTP+";

#[derive(Deserialize)]
struct Export {
    tokens: Vec<Token>,
}

/// Reads a FreeOTP+ JSON export.
pub fn parse(bytes: &[u8]) -> Result<Entries, ImportError> {
    let export: Export = serde_json::from_slice(bytes)
        .map_err(|e| ImportError::malformed(FORMAT, format!("not a FreeOTP+ JSON export ({e})")))?;
    if export.tokens.len() > MAX_ENTRIES {
        return Err(ImportError::TooManyEntries);
    }
    let entries = export
        .tokens
        .into_iter()
        .enumerate()
        .map(|(i, t)| token(t, i + 1, 1, None))
        .collect();
    Ok((entries, vec![]))
}
