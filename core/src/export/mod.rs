//! Exporting accounts: `latchkey` (an encrypted vault copy), Aegis JSON (encrypted or plain),
//! `otpauth://` URI lists, QR codes (PNG, or text for a terminal), and Google Authenticator's
//! transfer codes (the same three ways), which phones import.
//!
//! Knows nothing of D-Bus. The caller (the state) decides who may export and checks the
//! passphrase; this module only renders. Every buffer holding seeds is wiped on drop.

pub mod aegis;
pub mod google;
pub mod qr;

use crate::accounts::Account;
use crate::otp::to_uri;
use zeroize::Zeroizing;

/// What to export to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Latchkey's own backup format (a vault file with only the passphrase slot); always encrypted.
    Latchkey,
    /// Aegis JSON: encrypted with the vault passphrase, or plain with the plaintext flag.
    Aegis,
    /// One `otpauth://` URI per line; plaintext only.
    Uris,
    /// A PNG with one otpauth QR code per account; plaintext only.
    Qr,
    /// The same QR codes as Unicode text for a terminal; plaintext only.
    QrText,
    /// Google Authenticator's transfer codes as a PNG, top to bottom; plaintext only.
    Google,
    /// The same codes as Unicode text for a terminal; plaintext only.
    GoogleText,
    /// The same codes' `otpauth-migration://` URIs, one per line; plaintext only.
    GoogleUris,
}

/// Why an export was refused; nothing was produced.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("unknown export format \"{0}\" (use latchkey, aegis, uris, qr, google or google-uris)")]
    UnknownFormat(String),
    #[error("{0} exports contain every secret in the clear: ask for them with the plaintext flag")]
    PlaintextRequired(&'static str),
    #[error("latchkey backups are always encrypted; drop the plaintext flag")]
    AlwaysEncrypted,
    #[error("{0}")]
    TooLarge(String),
    /// Some accounts cannot be written in the format; the message names them.
    #[error("{0}")]
    Unsupported(String),
    #[error("internal error while exporting: {0}")]
    Internal(String),
}

impl Format {
    /// Parses a format name as the bus and the CLI give it.
    pub fn from_name(name: &str) -> Result<Self, ExportError> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "latchkey" => Format::Latchkey,
            "aegis" => Format::Aegis,
            "uris" | "uri" => Format::Uris,
            "qr" | "png" => Format::Qr,
            "qr-text" => Format::QrText,
            "google" => Format::Google,
            "google-text" => Format::GoogleText,
            "google-uris" => Format::GoogleUris,
            _ => {
                return Err(ExportError::UnknownFormat(name.chars().take(32).collect()));
            }
        })
    }

    /// The name logs and security events use.
    pub fn name(self) -> &'static str {
        match self {
            Format::Latchkey => "latchkey",
            Format::Aegis => "aegis",
            Format::Uris => "uris",
            Format::Qr => "qr",
            Format::QrText => "qr-text",
            Format::Google => "google",
            Format::GoogleText => "google-text",
            Format::GoogleUris => "google-uris",
        }
    }

    /// Refuses combinations that would be surprising: plaintext without the flag, or a plaintext
    /// flag for the always-encrypted format.
    pub fn check_plaintext(self, plaintext: bool) -> Result<(), ExportError> {
        match (self, plaintext) {
            (Format::Latchkey, true) => Err(ExportError::AlwaysEncrypted),
            (
                Format::Uris
                | Format::Qr
                | Format::QrText
                | Format::Google
                | Format::GoogleText
                | Format::GoogleUris,
                false,
            ) => Err(ExportError::PlaintextRequired(self.name())),
            _ => Ok(()),
        }
    }
}

/// Renders every format except `latchkey` (which needs the vault session). `passphrase`
/// encrypts an Aegis export when `plaintext` is false (runs scrypt: call off the dispatcher).
pub fn render(
    format: Format,
    plaintext: bool,
    accounts: &[Account],
    passphrase: &[u8],
) -> Result<Zeroizing<Vec<u8>>, ExportError> {
    format.check_plaintext(plaintext)?;
    match format {
        Format::Aegis if plaintext => aegis::plain(accounts),
        Format::Aegis => aegis::encrypted(accounts, passphrase).map(Zeroizing::new),
        Format::Uris => Ok(uris(accounts)),
        Format::Qr => qr::png(&uri_list(accounts)),
        Format::QrText => qr::text(&uri_list(accounts)),
        Format::Google => qr::png(&google::uris(accounts)?),
        Format::GoogleText => qr::text(&google::uris(accounts)?),
        Format::GoogleUris => Ok(lines(&google::uris(accounts)?)),
        Format::Latchkey => Err(ExportError::Internal(
            "latchkey exports are sealed by the vault".into(),
        )),
    }
}

fn uri_list(accounts: &[Account]) -> Vec<Zeroizing<String>> {
    accounts
        .iter()
        .map(|a| to_uri(&a.issuer, &a.account, &a.params))
        .collect()
}

/// One URI per line, ending in a newline.
fn uris(accounts: &[Account]) -> Zeroizing<Vec<u8>> {
    lines(&uri_list(accounts))
}

/// Each text on its own line.
fn lines(list: &[Zeroizing<String>]) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(list.iter().map(|u| u.len() + 1).sum()));
    for uri in list {
        out.extend_from_slice(uri.as_bytes());
        out.push(b'\n');
    }
    out
}
