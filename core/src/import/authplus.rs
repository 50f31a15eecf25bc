//! Authenticator Plus: its encrypted export, a password-protected ZIP (ZipCrypto or AES, as
//! zip4j writes them) holding `Accounts.txt`, a list of otpauth:// URIs. Read with the zip
//! crate; the text is read to at most 10 MiB however much the archive claims.

use super::{Entries, ImportError, MAX_INPUT, uris};
use std::io::{Cursor, Read};
use zeroize::Zeroizing;
use zip::ZipArchive;
use zip::result::ZipError;

const APP: &str = "Authenticator Plus";
const FILE: &str = "Accounts.txt";

/// The archive's name for `Accounts.txt`, if it has one.
fn accounts_name(archive: &ZipArchive<Cursor<&[u8]>>) -> Option<String> {
    archive
        .file_names()
        .find(|n| n.rsplit(['/', '\\']).next() == Some(FILE))
        .map(str::to_string)
}

/// Whether `bytes` is a ZIP archive holding `Accounts.txt` (read from its directory only).
pub fn is_backup(bytes: &[u8]) -> bool {
    ZipArchive::new(Cursor::new(bytes)).is_ok_and(|a| accounts_name(&a).is_some())
}

/// Reads the accounts of an Authenticator Plus export.
pub fn parse(bytes: &[u8], passphrase: Option<&[u8]>) -> Result<Entries, ImportError> {
    let bad =
        |e: ZipError| ImportError::malformed(APP, format!("not a readable ZIP archive ({e})"));
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(bad)?;
    let name = accounts_name(&archive)
        .ok_or_else(|| ImportError::malformed(APP, "the archive has no Accounts.txt"))?;
    let mut text = Zeroizing::new(Vec::new());
    let opened = match passphrase {
        Some(p) => archive.by_name_decrypt(&name, p),
        None => archive.by_name(&name),
    };
    let file = match opened {
        Ok(file) => file,
        Err(ZipError::UnsupportedArchive(why)) if why == ZipError::PASSWORD_REQUIRED => {
            return Err(ImportError::PassphraseRequired(APP));
        }
        Err(ZipError::InvalidPassword) => return Err(ImportError::BadPassphrase(APP)),
        Err(e) => return Err(bad(e)),
    };
    let limit = MAX_INPUT as u64 + 1;
    file.take(limit)
        .read_to_end(&mut text)
        // A wrong password that passed the one-byte check fails the CRC here.
        .map_err(|_| ImportError::BadPassphraseOrCorrupted(APP))?;
    if text.len() > MAX_INPUT {
        return Err(ImportError::TooLarge(text.len()));
    }
    let text = super::text(&text, APP)?;
    Ok((uris::parse(text)?, vec![]))
}
