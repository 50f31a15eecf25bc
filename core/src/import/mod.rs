//! Importing accounts from other authenticators' exports: bytes in, accounts (or reasons) out.
//!
//! Knows nothing of D-Bus or the vault file: `parse` turns the bytes of an export (and the
//! passphrase of an encrypted one) into one result per entry; the daemon's state decides
//! duplicates and adds everything at once. Every app Aegis imports from is read (see
//! `format::ALL` and docs/import.md), plus KeePass databases, QR code images and Latchkey's own
//! backups. A file is recognised by its content (`detect`), so the passphrase is asked only of
//! an encrypted format, and every error names the app. Errors never contain secrets.

mod aegis;
mod andotp;
mod authplus;
mod authy;
mod battlenet;
mod bitwarden;
mod crypt;
mod detect;
mod duo;
mod ente;
mod fields;
mod format;
mod freeotp;
mod freeotp_plus;
pub(crate) mod google;
mod google_db;
mod javaser;
mod kdbx;
mod latchkey;
mod microsoft;
mod prefs;
mod proton;
mod qr;
mod sqlite;
mod steam;
mod stratum;
mod totpauth;
mod twofas;
mod uris;

use crate::otp::{OtpParams, ParamError, SecretError, UriError};
pub use aegis::{WithIds as AegisEntries, parse_with_ids as parse_aegis_with_ids};
pub use detect::detect;
pub use format::{ALL as FORMATS, Format};

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
    /// The sites the source knows the account is used on (a password manager's login URLs).
    pub sites: Vec<String>,
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
    /// No known app's file: `0` says what the file looks like ("a SQLite database with the
    /// tables …", "binary data", …).
    #[error(
        "this is not an export Latchkey knows: {0}. Latchkey reads {known}; if the file comes \
         from one of them, name its format",
        known = format::KNOWN_APPS
    )]
    UnknownFormat(String),
    #[error("unknown format \"{0}\" (use {names})", names = format::names())]
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
    #[error(
        "{0}: the backup is encrypted with a key kept on the phone, not with a passphrase; \
         export it again without encryption"
    )]
    DeviceEncrypted(&'static str),
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
    #[error("the secret is not valid {0}")]
    Encoding(&'static str),
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

/// Reads an export; `format` may be `Format::Auto`. Runs the export's key derivation (scrypt,
/// Argon2, PBKDF2) for encrypted exports and decodes images, so call it from a blocking context.
pub fn parse(
    bytes: &[u8],
    format: Format,
    passphrase: Option<&[u8]>,
) -> Result<Parsed, ImportError> {
    if bytes.len() > MAX_INPUT {
        return Err(ImportError::TooLarge(bytes.len()));
    }
    let bytes = strip_bom(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportError::Empty);
    }
    let format = match format {
        Format::Auto => detect(bytes)?,
        f => f,
    };
    let (entries, notes) = match format {
        Format::Aegis => aegis::parse(bytes, passphrase)?,
        Format::TwoFas => twofas::parse(bytes, passphrase)?,
        Format::AndOtp => andotp::parse(bytes, passphrase)?,
        Format::AuthenticatorPlus => authplus::parse(bytes, passphrase)?,
        Format::Authy => authy::parse(bytes, passphrase)?,
        Format::BattleNet => battlenet::parse(bytes)?,
        Format::Bitwarden => bitwarden::parse(bytes)?,
        Format::Duo => duo::parse(bytes)?,
        Format::Ente => ente::parse(bytes, passphrase)?,
        // FreeOTP+'s JSON export named as FreeOTP (the apps share a name and a token format).
        Format::FreeOtp if starts_json(bytes) => freeotp_plus::parse(bytes)?,
        Format::FreeOtp => freeotp::parse(bytes, passphrase)?,
        Format::FreeOtpPlus => freeotp_plus::parse(bytes)?,
        Format::Google if bytes.starts_with(sqlite::MAGIC) => google_db::parse(bytes)?,
        Format::Google => google::parse_text(text(bytes, google::FORMAT)?)?,
        Format::Kdbx => kdbx::parse(bytes, passphrase)?,
        Format::Microsoft => microsoft::parse(bytes)?,
        Format::Proton => proton::parse(bytes)?,
        Format::Steam => steam::parse(bytes)?,
        Format::Stratum => stratum::parse(bytes, passphrase)?,
        Format::TotpAuthenticator => totpauth::parse(bytes, passphrase)?,
        Format::WinAuth => uris::parse_winauth(text(bytes, Format::WinAuth.app())?)?,
        Format::Uris => (uris::parse(text(bytes, uris::FORMAT)?)?, vec![]),
        Format::Qr => qr::parse(bytes)?,
        Format::Latchkey => latchkey::parse(bytes, passphrase)?,
        Format::Auto => return Err(ImportError::UnknownFormat("no format was chosen".into())),
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

/// Whether the first non-blank byte opens a JSON object.
fn starts_json(bytes: &[u8]) -> bool {
    bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
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

/// What a file is, learnt without a passphrase: its format and whether it needs one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inspection {
    pub format: Format,
    /// True when the file is encrypted with a passphrase that was not given.
    pub encrypted: bool,
}

/// Recognises a file and tells whether it is encrypted, running no key derivation: a plain file
/// is read in full (so a damaged one fails here), an encrypted one stops at its passphrase.
pub fn inspect(bytes: &[u8], format: Format) -> Result<Inspection, ImportError> {
    match parse(bytes, format, None) {
        Ok(parsed) => Ok(Inspection {
            format: parsed.format,
            encrypted: false,
        }),
        Err(ImportError::PassphraseRequired(_)) => Ok(Inspection {
            format: match format {
                Format::Auto => detect(strip_bom(bytes))?,
                f => f,
            },
            encrypted: true,
        }),
        Err(e) => Err(e),
    }
}

/// Without the UTF-8 byte order mark editors on Windows put before JSON or text.
fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Base64 as apps write it: padded or not, standard alphabet; `what` names the field in errors.
fn base64(
    format: &'static str,
    text: &str,
    what: &str,
) -> Result<zeroize::Zeroizing<Vec<u8>>, ImportError> {
    let text = text.trim();
    data_encoding::BASE64
        .decode(text.as_bytes())
        .or_else(|_| data_encoding::BASE64_NOPAD.decode(text.trim_end_matches('=').as_bytes()))
        .map(zeroize::Zeroizing::new)
        .map_err(|_| ImportError::malformed(format, format!("the {what} is not valid base64")))
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_apps;
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
                sites: a.sites.clone(),
            })
        })
        .collect()
}
