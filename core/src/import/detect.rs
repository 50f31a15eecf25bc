//! Telling which app wrote a file from its content, never from its name.
//!
//! Detection, in order (the first rule that matches decides):
//! - Magic bytes: `LATCHKEY` (a Latchkey backup), `SQLite format 3` (a database: Microsoft
//!   Authenticator's `accounts` table with `oath_secret_key`, Google Authenticator's `accounts`
//!   with `email` and `secret`, Stratum's `authenticator`; any other database is refused and its
//!   tables named), PNG or JPEG (a QR image), `PK\x03\x04` (a ZIP: Authenticator Plus when it
//!   holds `Accounts.txt`), `\xAC\xED\x00\x05` (Java serialization: FreeOTP 2's backup),
//!   `AUTHENTICATORPRO` or `AuthenticatorPro` (Stratum's encrypted backups), the KDBX signature
//!   (KeePass).
//! - XML (first non-blank byte `<`): an Android shared-preferences `<map>`, told apart by its
//!   keys: Authy's token lists, Battle.net's `AUTHENTICATOR_DEVICE_SECRET` (or the older app's
//!   `AUTH_STORE.HASH`), TOTP Authenticator's
//!   `STATIC_TOTP_CODES_LIST`, FreeOTP's `tokenOrder` (FreeOTP+ keeps the same file).
//! - A JSON array: Duo when its objects have `otpGenerator`, otherwise andOTP.
//! - A JSON object, by its top-level keys: `header` and `db` (Aegis); `servicesEncrypted`,
//!   `services` or `schemaVersion` (2FAS); `tokens` (FreeOTP+); `items` or `encrypted`
//!   (Bitwarden); `Authenticators` (Stratum); `entries` and `version` (Proton Authenticator);
//!   `kdfParams` and `encryptedData` (Ente Auth); `shared_secret` or `accounts` (Steam). JSON
//!   that does not parse is matched by the same key names, so a damaged file gets its own
//!   app's error.
//! - Text: a first line (not blank, not a `#` comment) starting `otpauth-migration:` is Google
//!   Authenticator; `otpauth:` a URI list, or Ente Auth's export when a URI has Ente's
//!   `codeDisplay` parameter; a CSV header with `login_totp` is Bitwarden; text that is only
//!   base64 of whole AES blocks is TOTP Authenticator's backup (an encrypted SDA maFile looks
//!   the same; no signature tells them apart).
//! - Binary data is an encrypted andOTP backup only when it has andOTP's shape: at least 44
//!   bytes, starting with a big-endian PBKDF2 round count from 1,000 to 100,000,000 (andOTP
//!   writes 140,000–160,000). Anything else is refused as unknown: random data passes that test
//!   about once in 4,000 files, and then fails as a wrong passphrase that names andOTP. andOTP's
//!   first encrypted format has no header at all and is read only with `--format andotp`.

use super::{Format, ImportError, qr, sqlite};
use serde::Deserialize;
use serde::de::IgnoredAny;

/// The KDBX file signature (KeePass 2.x and KeePassXC).
pub const KDBX_MAGIC: [u8; 8] = [0x03, 0xD9, 0xA2, 0x9A, 0x67, 0xFB, 0x4B, 0xB5];
/// Java object serialization's stream magic and version.
pub const JAVA_MAGIC: [u8; 4] = [0xAC, 0xED, 0x00, 0x05];
/// Round counts an encrypted andOTP backup may start with, for detection.
const ANDOTP_ROUNDS: std::ops::RangeInclusive<u32> = 1_000..=100_000_000;

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
    #[serde(rename = "Authenticators")]
    authenticators: Option<IgnoredAny>,
    entries: Option<IgnoredAny>,
    version: Option<IgnoredAny>,
    kdf_params: Option<IgnoredAny>,
    encrypted_data: Option<IgnoredAny>,
    #[serde(rename = "shared_secret")]
    shared_secret: Option<IgnoredAny>,
    accounts: Option<IgnoredAny>,
}

/// Guesses the format as the module documentation describes.
pub fn detect(bytes: &[u8]) -> Result<Format, ImportError> {
    if let Some(format) = magic(bytes)? {
        return Ok(format);
    }
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'<') => return xml(bytes),
        Some(b'[') => return Ok(json_array(bytes)),
        Some(b'{') => return json_object(bytes),
        _ => {}
    }
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.chars().any(|c| c.is_control() && !c.is_whitespace()) => self::text(text),
        _ => binary(bytes),
    }
}

/// Formats with a signature in their first bytes.
fn magic(bytes: &[u8]) -> Result<Option<Format>, ImportError> {
    Ok(Some(if bytes.starts_with(b"LATCHKEY") {
        Format::Latchkey
    } else if bytes.starts_with(sqlite::MAGIC) {
        sqlite::detect(bytes)?
    } else if qr::sniff(bytes).is_some() {
        Format::Qr
    } else if bytes.starts_with(b"PK\x03\x04") {
        if super::authplus::is_backup(bytes) {
            Format::AuthenticatorPlus
        } else {
            return Err(ImportError::UnknownFormat(
                "a ZIP archive without the Accounts.txt of an Authenticator Plus backup".into(),
            ));
        }
    } else if bytes.starts_with(&JAVA_MAGIC) {
        Format::FreeOtp
    } else if bytes.starts_with(b"AUTHENTICATORPRO") || bytes.starts_with(b"AuthenticatorPro") {
        Format::Stratum
    } else if bytes.starts_with(&KDBX_MAGIC) {
        Format::Kdbx
    } else {
        return Ok(None);
    }))
}

/// Android shared preferences, by the keys each app keeps its accounts under.
fn xml(bytes: &[u8]) -> Result<Format, ImportError> {
    let has = |key: &str| contains(bytes, key.as_bytes());
    if has("com.authy.storage.tokens.") {
        Ok(Format::Authy)
    } else if has("AUTHENTICATOR_DEVICE_SECRET") || has(super::battlenet::STORE) {
        Ok(Format::BattleNet)
    } else if has("STATIC_TOTP_CODES_LIST") {
        Ok(Format::TotpAuthenticator)
    } else if has("\"tokenOrder\"") || (has("<map") && has("&quot;secret&quot;")) {
        Ok(Format::FreeOtp)
    } else if has("<map") {
        Err(ImportError::UnknownFormat(
            "an Android preferences file (XML) without the accounts of Authy, Battle.net \
             Authenticator, FreeOTP or TOTP Authenticator"
                .into(),
        ))
    } else {
        Err(ImportError::UnknownFormat(
            "an XML file that is not an Android preferences file".into(),
        ))
    }
}

/// Duo's account list or an andOTP backup (also damaged ones, so the error names andOTP).
fn json_array(bytes: &[u8]) -> Format {
    if contains(bytes, b"\"otpGenerator\"") {
        Format::Duo
    } else {
        Format::AndOtp
    }
}

fn json_object(bytes: &[u8]) -> Result<Format, ImportError> {
    let keys: Keys = match serde_json::from_slice(bytes) {
        Ok(keys) => keys,
        // A damaged file: guess from the key names so the error names the format.
        Err(e) => {
            return sniff_keys(bytes).ok_or_else(|| {
                ImportError::UnknownFormat(format!("JSON that does not parse ({e})"))
            });
        }
    };
    let found = if keys.header.is_some() && keys.db.is_some() {
        Format::Aegis
    } else if keys.services_encrypted.is_some()
        || keys.services.is_some()
        || keys.schema_version.is_some()
    {
        Format::TwoFas
    } else if keys.tokens.is_some() {
        Format::FreeOtpPlus
    } else if keys.items.is_some() || keys.encrypted.is_some() {
        Format::Bitwarden
    } else if keys.authenticators.is_some() {
        Format::Stratum
    } else if keys.kdf_params.is_some() && keys.encrypted_data.is_some() {
        Format::Ente
    } else if keys.entries.is_some() && keys.version.is_some() {
        Format::Proton
    } else if keys.shared_secret.is_some() || keys.accounts.is_some() {
        Format::Steam
    } else {
        return Err(ImportError::UnknownFormat(
            "a JSON object whose keys match no known export".into(),
        ));
    };
    Ok(found)
}

/// The format whose key names appear in invalid JSON, if exactly one does.
fn sniff_keys(bytes: &[u8]) -> Option<Format> {
    let has = |key: &str| contains(bytes, key.as_bytes());
    let found: Vec<Format> = [
        (Format::Aegis, has("\"header\"") && has("\"slots\"")),
        (Format::TwoFas, has("\"schemaVersion\"")),
        (
            Format::FreeOtpPlus,
            has("\"tokenOrder\"") || has("\"tokens\""),
        ),
        (Format::Bitwarden, has("\"items\"") || has("\"encrypted\"")),
        (Format::Stratum, has("\"Authenticators\"")),
        (Format::Ente, has("\"kdfParams\"")),
        (Format::Proton, has("\"entry_type\"")),
        (Format::Steam, has("\"shared_secret\"")),
    ]
    .into_iter()
    .filter_map(|(format, hit)| hit.then_some(format))
    .collect();
    match found.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

fn text(text: &str) -> Result<Format, ImportError> {
    let head = text
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with('#'))
        .unwrap_or_default();
    if super::starts_with_ci(head, "otpauth-migration:") {
        Ok(Format::Google)
    } else if super::starts_with_ci(head, "otpauth:") {
        if text.contains("&codeDisplay=") {
            Ok(Format::Ente)
        } else {
            Ok(Format::Uris)
        }
    } else if head.split(',').any(|column| column.trim() == "login_totp") {
        Ok(Format::Bitwarden)
    } else if super::totpauth::looks_like_backup(text) {
        Ok(Format::TotpAuthenticator)
    } else {
        Err(ImportError::UnknownFormat(
            "text without otpauth:// URIs or a known export's layout".into(),
        ))
    }
}

fn binary(bytes: &[u8]) -> Result<Format, ImportError> {
    let rounds = bytes
        .get(..4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    match rounds {
        Some(rounds) if bytes.len() >= 44 && ANDOTP_ROUNDS.contains(&rounds) => Ok(Format::AndOtp),
        _ => Err(ImportError::UnknownFormat(
            "binary data with no known app's signature".into(),
        )),
    }
}

/// Whether `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
