//! FreeOTP+ JSON exports (`{"tokenOrder": [...], "tokens": [...]}`); its other export, a list
//! of otpauth:// URIs, is read by the URI list reader.
//!
//! A token has `secret` as a list of (Java, signed) bytes, `algo`, `digits`, `period`,
//! `counter`, `type` (TOTP or HOTP), `issuerExt` (the issuer) and `label` (the account). As in
//! FreeOTP itself, a TOTP token whose issuer is `Steam` gives Steam Guard codes. `tokenOrder`
//! and images are not kept: entries are imported in the order of `tokens`.

use super::fields::Fields;
use super::{Entries, EntryError, EntryFault, ImportError, Imported, MAX_ENTRIES};
use crate::otp::Secret;
use serde::Deserialize;
use serde::de::{SeqAccess, Visitor};
use zeroize::Zeroizing;

/// The format's name in errors.
pub const FORMAT: &str = "FreeOTP+";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Export {
    tokens: Vec<Token>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Token {
    secret: Option<Bytes>,
    algo: Option<String>,
    digits: Option<i64>,
    period: Option<i64>,
    counter: Option<i64>,
    #[serde(rename = "type")]
    kind: Option<String>,
    issuer_ext: Option<String>,
    issuer_int: Option<String>,
    #[serde(default)]
    label: String,
}

/// The secret's bytes, wiped on drop; `valid` is false if an element was not a byte.
struct Bytes {
    bytes: Zeroizing<Vec<u8>>,
    valid: bool,
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Bytes;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of bytes")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Bytes, A::Error> {
                let cap = seq.size_hint().unwrap_or(0).min(crate::otp::MAX_SECRET_LEN);
                let mut out = Bytes {
                    bytes: Zeroizing::new(Vec::with_capacity(cap)),
                    valid: true,
                };
                while let Some(n) = seq.next_element::<serde_json::Value>()? {
                    match n.as_i64() {
                        Some(n @ -128..=255) => out.bytes.push(n as u8),
                        _ => out.valid = false,
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_seq(V)
    }
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
        .map(|(i, t)| entry(t, i + 1))
        .collect();
    Ok((entries, vec![]))
}

fn entry(t: Token, position: usize) -> Result<Imported, EntryError> {
    let issuer = t
        .issuer_ext
        .clone()
        .filter(|i| !i.is_empty())
        .or_else(|| t.issuer_int.clone())
        .unwrap_or_default();
    let kind = t.kind.as_deref().unwrap_or("TOTP");
    let kind = if kind.eq_ignore_ascii_case("totp") && issuer == "Steam" {
        "STEAM"
    } else {
        kind
    };
    let secret = match &t.secret {
        Some(b) if !b.valid => Err(EntryFault::ByteSecret),
        Some(b) if !b.bytes.is_empty() => Ok(Secret::from_bytes(b.bytes.to_vec())),
        _ => Err(EntryFault::MissingSecret),
    };
    Fields {
        issuer,
        account: t.label.clone(),
        kind,
        algorithm: t.algo.as_deref(),
        digits: t.digits,
        period: t.period,
        counter: t.counter,
    }
    .build(position, secret)
}
