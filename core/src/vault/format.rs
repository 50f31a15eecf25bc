//! The byte layout of a vault file (docs/vault-format.md §Layout):
//!
//! ```text
//! "LATCHKEY" | u16 BE version | u32 BE header length N | header (N bytes JSON) | body ciphertext+tag | SHA-256
//! ```
//!
//! Parsing checks, in order: magic, version, length, trailing checksum, header length, header. Only
//! then does anything cryptographic run, so damage is reported as such before the slow KDF.

use super::VaultError;
use super::crypto::{self, MasterKey, TAG_LEN};
use super::encoding::{MAGIC, VERSION};
use super::header::Header;
use sha2::{Digest, Sha256};
use std::path::Path;
use zeroize::Zeroizing;

/// Magic + version + header length.
pub(crate) const PREFIX_LEN: usize = 8 + 2 + 4;
/// Trailing SHA-256 length.
pub(crate) const CHECKSUM_LEN: usize = 32;
/// Largest header accepted: real headers are a few hundred bytes.
pub(crate) const MAX_HEADER_LEN: usize = 1 << 20;
/// Largest body accepted (plaintext): far more than any set of OTP accounts needs.
pub(crate) const MAX_BODY_LEN: usize = 64 << 20;
/// Largest file accepted; anything longer is not read into memory.
pub(crate) const MAX_FILE_LEN: usize =
    PREFIX_LEN + MAX_HEADER_LEN + MAX_BODY_LEN + TAG_LEN + CHECKSUM_LEN;
/// Shortest possible vault: an empty-object header and an empty body.
const MIN_FILE_LEN: usize = PREFIX_LEN + 2 + TAG_LEN + CHECKSUM_LEN;

/// SHA-256 of a file's content before the checksum; what a session remembers about its file.
pub(crate) type Checksum = [u8; CHECKSUM_LEN];

/// Why bytes are not a readable vault, before a path is attached.
#[derive(Debug)]
pub(crate) enum Malformed {
    NotAVault,
    UnsupportedVersion(u16),
    Corrupted(String),
}

impl Malformed {
    /// The public error for the file at `path`.
    pub(crate) fn at(self, path: &Path) -> VaultError {
        let path = path.to_path_buf();
        match self {
            Malformed::NotAVault => VaultError::NotAVault(path),
            Malformed::UnsupportedVersion(version) => {
                VaultError::UnsupportedVersion { path, version }
            }
            Malformed::Corrupted(reason) => VaultError::Corrupted { path, reason },
        }
    }
}

/// A vault file whose structure and checksum are valid; the body is still sealed.
pub(crate) struct Parsed<'a> {
    pub(crate) header: Header,
    /// Magic, version, header length and header: the body's associated data.
    pub(crate) aad: &'a [u8],
    pub(crate) body_ciphertext: &'a [u8],
    pub(crate) checksum: Checksum,
}

/// The SHA-256 of `bytes`.
pub(crate) fn sha256(bytes: &[u8]) -> Checksum {
    Sha256::digest(bytes).into()
}

/// Checks structure, version and checksum, and parses the header. Never panics on any input.
pub(crate) fn parse(bytes: &[u8]) -> Result<Parsed<'_>, Malformed> {
    let len = bytes.len();
    if len < MAGIC.len() {
        return Err(if MAGIC.starts_with(bytes) {
            Malformed::Corrupted(if len == 0 {
                "the file is empty".to_owned()
            } else {
                truncated(len)
            })
        } else {
            Malformed::NotAVault
        });
    }
    if &bytes[..MAGIC.len()] != MAGIC {
        return Err(Malformed::NotAVault);
    }
    let Some(version) = bytes.get(8..10) else {
        return Err(Malformed::Corrupted(truncated(len)));
    };
    let version = u16::from_be_bytes([version[0], version[1]]);
    if version != VERSION {
        return Err(Malformed::UnsupportedVersion(version));
    }
    if len < MIN_FILE_LEN {
        return Err(Malformed::Corrupted(truncated(len)));
    }
    if len > MAX_FILE_LEN {
        return Err(Malformed::Corrupted(format!(
            "the file is larger than {MAX_FILE_LEN} bytes"
        )));
    }
    let (content, stored) = bytes.split_at(len - CHECKSUM_LEN);
    let checksum = sha256(content);
    if checksum[..] != stored[..] {
        return Err(Malformed::Corrupted(
            "checksum mismatch: the file was damaged or cut short".to_owned(),
        ));
    }
    let header_len =
        u32::from_be_bytes([content[10], content[11], content[12], content[13]]) as usize;
    if header_len == 0 || header_len > MAX_HEADER_LEN {
        return Err(Malformed::Corrupted(format!(
            "header length {header_len} is out of range"
        )));
    }
    if PREFIX_LEN + header_len + TAG_LEN > content.len() {
        return Err(Malformed::Corrupted(format!(
            "header length {header_len} does not fit in the file"
        )));
    }
    let (aad, body_ciphertext) = content.split_at(PREFIX_LEN + header_len);
    let header = Header::from_json(&aad[PREFIX_LEN..]).map_err(Malformed::Corrupted)?;
    Ok(Parsed {
        header,
        aad,
        body_ciphertext,
        checksum,
    })
}

/// Builds a whole file: header, body sealed under `master_key` with a fresh nonce from `header`.
pub(crate) fn encode(
    header: &Header,
    master_key: &MasterKey,
    body: &[u8],
) -> Result<(Vec<u8>, Checksum), VaultError> {
    if body.len() > MAX_BODY_LEN {
        return Err(VaultError::TooLarge(format!(
            "the body is {} bytes, at most {MAX_BODY_LEN}",
            body.len()
        )));
    }
    let json = header
        .to_json()
        .map_err(|_| VaultError::Internal("could not serialise the header"))?;
    if json.len() > MAX_HEADER_LEN {
        return Err(VaultError::TooLarge(format!(
            "the header is {} bytes, at most {MAX_HEADER_LEN}",
            json.len()
        )));
    }
    let mut out = Vec::with_capacity(PREFIX_LEN + json.len() + body.len() + TAG_LEN + CHECKSUM_LEN);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_be_bytes());
    // Fits: checked against MAX_HEADER_LEN (1 MiB) above.
    out.extend_from_slice(&(json.len() as u32).to_be_bytes());
    out.extend_from_slice(&json);
    let sealed = crypto::seal(master_key, &header.body_nonce, &out, body)
        .ok_or(VaultError::Internal("could not seal the body"))?;
    out.extend_from_slice(&sealed);
    let checksum = sha256(&out);
    out.extend_from_slice(&checksum);
    Ok((out, checksum))
}

/// Opens the body; `None` means it does not authenticate under this key and header.
pub(crate) fn open_body(parsed: &Parsed<'_>, master_key: &MasterKey) -> Option<Zeroizing<Vec<u8>>> {
    crypto::open(
        master_key,
        &parsed.header.body_nonce,
        parsed.aad,
        parsed.body_ciphertext,
    )
}

/// The reason for a file too short to hold a vault.
fn truncated(len: usize) -> String {
    format!("the file is cut short ({len} bytes)")
}
