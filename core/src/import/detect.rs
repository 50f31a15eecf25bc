//! Import formats by name, and guessing one from a file's contents.
//!
//! Detection, in order:
//! - The `LATCHKEY` magic: Latchkey's own backup or `latchkey` export (a vault file).
//! - PNG (`\x89PNG\r\n\x1a\n`) or JPEG (`FF D8 FF`) magic bytes: a QR code image.
//! - A JSON array (first non-blank byte `[`): an andOTP backup.
//! - A JSON object, by its top-level keys: `header` and `db` is Aegis; `servicesEncrypted`,
//!   `services` or `schemaVersion` is 2FAS; `tokens` is FreeOTP+; `items` or `encrypted` is
//!   Bitwarden. JSON that does not parse is matched by the same key names, so a damaged file
//!   gets its own format's error.
//! - Text whose first line that is not blank or a `#` comment starts with
//!   `otpauth-migration:` is Google Authenticator, with `otpauth:` a URI list (FreeOTP+'s URI
//!   export and Aegis's plain-text export are such lists).
//! - Anything else that is not text (or holds control characters) is taken for an encrypted
//!   andOTP backup, the one format without a signature; a wrong guess ends in a passphrase
//!   error naming andOTP, never in an import.

use super::{ImportError, qr};
use serde::Deserialize;
use serde::de::IgnoredAny;

/// An export format; `Auto` asks for detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Auto,
    Aegis,
    Google,
    Uris,
    TwoFas,
    AndOtp,
    FreeOtp,
    Bitwarden,
    Qr,
    /// Latchkey's own backup / export (a vault file).
    Latchkey,
}

impl Format {
    /// Parses a `--format` value (empty means auto).
    pub fn from_name(name: &str) -> Result<Self, ImportError> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "" | "auto" => Format::Auto,
            "aegis" => Format::Aegis,
            "google" => Format::Google,
            "uris" | "uri" => Format::Uris,
            "2fas" => Format::TwoFas,
            "andotp" => Format::AndOtp,
            "freeotp" | "freeotp+" => Format::FreeOtp,
            "bitwarden" => Format::Bitwarden,
            "qr" | "image" => Format::Qr,
            "latchkey" => Format::Latchkey,
            _ => {
                let shown: String = name.chars().take(32).collect();
                return Err(ImportError::UnknownFormatName(shown));
            }
        })
    }

    /// The name `--format` takes, and reports and logs use.
    pub fn name(self) -> &'static str {
        match self {
            Format::Auto => "auto",
            Format::Aegis => "aegis",
            Format::Google => "google",
            Format::Uris => "uris",
            Format::TwoFas => "2fas",
            Format::AndOtp => "andotp",
            Format::FreeOtp => "freeotp",
            Format::Bitwarden => "bitwarden",
            Format::Qr => "qr",
            Format::Latchkey => "latchkey",
        }
    }
}

/// The top-level keys that tell JSON exports apart (values are skipped, not kept).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Keys {
    header: Option<IgnoredAny>,
    db: Option<IgnoredAny>,
    services: Option<IgnoredAny>,
    services_encrypted: Option<IgnoredAny>,
    schema_version: Option<IgnoredAny>,
    tokens: Option<IgnoredAny>,
    items: Option<IgnoredAny>,
    encrypted: Option<IgnoredAny>,
}

/// Guesses the format as the module documentation describes.
pub fn detect(bytes: &[u8]) -> Result<Format, ImportError> {
    if bytes.starts_with(b"LATCHKEY") {
        return Ok(Format::Latchkey);
    }
    if qr::sniff(bytes).is_some() {
        return Ok(Format::Qr);
    }
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => return Ok(Format::AndOtp),
        Some(b'{') => return json_object(bytes),
        _ => {}
    }
    let is_text = std::str::from_utf8(bytes).is_ok_and(|t| {
        !t.chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    });
    if !is_text {
        return Ok(Format::AndOtp);
    }
    let head = bytes
        .split(|&b| b == b'\n')
        .map(|line| line.trim_ascii())
        .find(|line| !line.is_empty() && !line.starts_with(b"#"))
        .unwrap_or_default();
    let starts = |prefix: &str| {
        head.len() >= prefix.len() && head[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
    };
    if starts("otpauth-migration:") {
        Ok(Format::Google)
    } else if starts("otpauth:") {
        Ok(Format::Uris)
    } else {
        Err(ImportError::UnknownFormat)
    }
}

fn json_object(bytes: &[u8]) -> Result<Format, ImportError> {
    let keys: Keys = match serde_json::from_slice(bytes) {
        Ok(keys) => keys,
        // A damaged file: guess from the key names so the error names the format.
        Err(e) => {
            return sniff_keys(bytes)
                .ok_or_else(|| ImportError::malformed("JSON", format!("not valid JSON ({e})")));
        }
    };
    if keys.header.is_some() && keys.db.is_some() {
        Ok(Format::Aegis)
    } else if keys.services_encrypted.is_some()
        || keys.services.is_some()
        || keys.schema_version.is_some()
    {
        Ok(Format::TwoFas)
    } else if keys.tokens.is_some() {
        Ok(Format::FreeOtp)
    } else if keys.items.is_some() || keys.encrypted.is_some() {
        Ok(Format::Bitwarden)
    } else {
        Err(ImportError::UnknownFormat)
    }
}

/// The format whose key names appear in invalid JSON, if exactly one does.
fn sniff_keys(bytes: &[u8]) -> Option<Format> {
    let has = |key: &str| bytes.windows(key.len()).any(|w| w == key.as_bytes());
    let found: Vec<Format> = [
        (Format::Aegis, has("\"header\"") && has("\"slots\"")),
        (Format::TwoFas, has("\"schemaVersion\"")),
        (Format::FreeOtp, has("\"tokenOrder\"") || has("\"tokens\"")),
        (Format::Bitwarden, has("\"items\"") || has("\"encrypted\"")),
    ]
    .into_iter()
    .filter_map(|(format, hit)| hit.then_some(format))
    .collect();
    match found.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}
