//! Importing accounts from other authenticators' exports: bytes in, accounts (or reasons) out.
//!
//! Knows nothing of D-Bus or the vault file: `parse` turns the bytes of an export (and the
//! passphrase of an encrypted one) into one result per entry; the daemon's state decides
//! duplicates and adds everything at once. Supported: Aegis JSON (plain and encrypted; groups,
//! notes, icons and favourites are dropped), 2FAS `.2fas` (plain and encrypted), andOTP (plain
//! and encrypted), FreeOTP+ JSON, Bitwarden JSON, QR code images (PNG, JPEG), Google Authenticator
//! `otpauth-migration://`, lists of `otpauth://` URIs (FreeOTP+'s URI export is one) and
//! Latchkey's own backups. Errors name the fault and never contain secrets. `detect` documents
//! how a format is recognised.

mod aegis;
mod andotp;
mod bitwarden;
mod crypt;
mod detect;
mod fields;
mod freeotp;
mod google;
mod latchkey;
mod qr;
mod twofas;
mod uris;

use crate::otp::{OtpParams, ParamError, SecretError, UriError};
pub use aegis::{WithIds as AegisEntries, parse_with_ids as parse_aegis_with_ids};
pub use detect::{Format, detect};

/// Largest export accepted, in bytes; real exports are a few hundred kilobytes at most.
pub const MAX_INPUT: usize = 10 * 1024 * 1024;
/// Most entries accepted from one export.
pub const MAX_ENTRIES: usize = 10_000;
/// Longest issuer or account echoed in a report, in characters.
const MAX_ECHO: usize = 64;

/// One importable account.
#[derive(Debug, Clone)]
pub struct Imported {
    pub issuer: String,
    pub account: String,
    pub params: OtpParams,
}

/// Why the export as a whole cannot be read; nothing in it is imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is too large ({0} bytes; at most 10 MiB)")]
    TooLarge(usize),
    #[error("the file has more than {MAX_ENTRIES} entries")]
    TooManyEntries,
    #[error(
        "cannot tell the file's format (expected an Aegis, 2FAS, andOTP, FreeOTP+ or Bitwarden \
         export, a PNG or JPEG QR code, otpauth-migration:// or otpauth:// URIs); name the \
         format to read it as"
    )]
    UnknownFormat,
    #[error(
        "unknown format \"{0}\" (use auto, aegis, google, 2fas, andotp, freeotp, bitwarden, qr, \
         uris or latchkey)"
    )]
    UnknownFormatName(String),
    #[error("{format}: {fault}")]
    Malformed { format: &'static str, fault: String },
    #[error("the {0} export is encrypted: a passphrase is needed")]
    PassphraseRequired(&'static str),
    #[error("wrong passphrase for the {0} export")]
    BadPassphrase(&'static str),
    #[error("wrong passphrase for the {0} export, or the file is corrupted")]
    BadPassphraseOrCorrupted(&'static str),
    #[error(
        "the {format} export asks for an unsafe key derivation cost ({detail}); refusing to run it"
    )]
    KdfParams {
        format: &'static str,
        detail: String,
    },
    #[error("{0}: the encrypted contents fail authentication (the file is corrupted or altered)")]
    Corrupted(&'static str),
    #[error(
        "Bitwarden: this export is encrypted, which Latchkey cannot read; export the vault again \
         as \"JSON\" (not \"JSON (Encrypted)\"), import it, then delete that file"
    )]
    BitwardenEncrypted,
    #[error("QR image: {0}")]
    Image(String),
    #[error(
        "QR image: {width}×{height} pixels is too large (at most {} on a side and {} megapixels)",
        qr::MAX_SIDE,
        qr::MAX_PIXELS / 1_000_000
    )]
    ImageTooLarge { width: u32, height: u32 },
}

impl ImportError {
    /// A malformed-file error for `format`, naming the fault.
    fn malformed(format: &'static str, fault: impl Into<String>) -> Self {
        ImportError::Malformed {
            format,
            fault: fault.into(),
        }
    }
}

/// Why one entry cannot be imported; the rest of the file was readable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryFault {
    #[error(transparent)]
    Uri(#[from] UriError),
    #[error("invalid secret: {0}")]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Params(#[from] ParamError),
    #[error("the entry has no secret")]
    MissingSecret,
    #[error("unsupported algorithm {0} (Latchkey supports SHA1, SHA256 and SHA512)")]
    Algorithm(String),
    #[error("unsupported OTP type {0} (Latchkey supports TOTP, HOTP and Steam)")]
    Type(String),
    #[error("unsupported digit count {0}")]
    Digits(String),
    #[error("invalid HOTP counter {0}")]
    Counter(i64),
    #[error("invalid TOTP period {0}")]
    Period(i64),
    #[error("the secret is not a list of bytes (-128 to 255)")]
    ByteSecret,
    #[error("{0}")]
    Label(String),
}

/// A failed entry: where it is in the file, what it is called, and why it failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryError {
    /// 1-based position among the file's entries (the line, for URI lists).
    pub position: usize,
    pub issuer: String,
    pub account: String,
    pub fault: EntryFault,
}

/// Per-entry results and notes, as each reader returns them.
type Entries = (Vec<Result<Imported, EntryError>>, Vec<String>);

/// What an export holds: one result per entry, plus notes about what was dropped.
#[derive(Debug)]
pub struct Parsed {
    pub format: Format,
    pub entries: Vec<Result<Imported, EntryError>>,
    pub notes: Vec<String>,
}

/// Reads an export; `format` may be `Format::Auto`. Runs scrypt or PBKDF2 for encrypted exports
/// and decodes images, so call it from a blocking context.
pub fn parse(
    bytes: &[u8],
    format: Format,
    passphrase: Option<&[u8]>,
) -> Result<Parsed, ImportError> {
    if bytes.len() > MAX_INPUT {
        return Err(ImportError::TooLarge(bytes.len()));
    }
    // Editors on Windows may put a UTF-8 byte order mark before JSON or text.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportError::Empty);
    }
    let format = match format {
        Format::Auto => detect(bytes)?,
        f => f,
    };
    let (entries, notes) = match format {
        Format::Aegis => aegis::parse(bytes, passphrase)?,
        Format::Google => google::parse_text(text(bytes, google::FORMAT)?)?,
        Format::Uris => (uris::parse(text(bytes, uris::FORMAT)?)?, vec![]),
        Format::TwoFas => twofas::parse(bytes, passphrase)?,
        Format::AndOtp => andotp::parse(bytes, passphrase)?,
        Format::FreeOtp => freeotp::parse(bytes)?,
        Format::Bitwarden => bitwarden::parse(bytes)?,
        Format::Qr => qr::parse(bytes)?,
        Format::Latchkey => latchkey::parse(bytes, passphrase)?,
        Format::Auto => return Err(ImportError::UnknownFormat),
    };
    if entries.len() > MAX_ENTRIES {
        return Err(ImportError::TooManyEntries);
    }
    Ok(Parsed {
        format,
        entries,
        notes,
    })
}

fn text<'a>(bytes: &'a [u8], format: &'static str) -> Result<&'a str, ImportError> {
    std::str::from_utf8(bytes).map_err(|e| {
        ImportError::malformed(format, format!("not UTF-8 text (byte {})", e.valid_up_to()))
    })
}

/// Case-insensitive ASCII prefix test.
fn starts_with_ci(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// Shortens a label for reports so a hostile file cannot flood them.
pub fn echo(text: &str) -> String {
    match text.char_indices().nth(MAX_ECHO) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or_default()),
        None => text.to_owned(),
    }
}

/// Builds the entry error for `position` with shortened labels.
fn entry_error(position: usize, issuer: &str, account: &str, fault: EntryFault) -> EntryError {
    EntryError {
        position,
        issuer: echo(issuer),
        account: echo(account),
        fault,
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_formats;
#[cfg(test)]
mod tests_google;
#[cfg(test)]
mod tests_qr;

/// A vault's (or a backup's) accounts as import entries, in their order; all are readable, as
/// they come from an authenticated body.
pub fn entries(accounts: &crate::accounts::Accounts) -> Vec<Result<Imported, EntryError>> {
    accounts
        .iter()
        .map(|a| {
            Ok(Imported {
                issuer: a.issuer.clone(),
                account: a.account.clone(),
                params: a.params.clone(),
            })
        })
        .collect()
}
