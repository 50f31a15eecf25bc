//! Ente Auth's exports: the plain text one (otpauth:// URIs, one per line, with Ente's
//! `codeDisplay` parameter, read by the URI list reader) and the encrypted one.
//!
//! Encrypted: JSON `{"version": 1, "kdfParams": {"memLimit", "opsLimit", "salt"},
//! "encryptedData", "encryptionNonce"}` (base64). The key is libsodium's `crypto_pwhash`
//! Argon2id 1.3 of the password (memory `memLimit` bytes, `opsLimit` passes, one lane, 32
//! bytes); the data is one `crypto_secretstream_xchacha20poly1305` message (tag FINAL) whose
//! header is `encryptionNonce`, holding the plain text export. The cost comes from the file and
//! is checked first: at most 1 GiB of memory and 4 GiB·passes of work (what Ente's
//! "sensitive" derivation asks on any phone).

use super::{Entries, ImportError, crypt, uris};
use crypto_secretstream::{Header, Key, PullStream, Tag};
use serde::Deserialize;

const APP: &str = "Ente Auth";
/// Largest Argon2 memory accepted, in bytes.
pub const MAX_MEMORY: u64 = 1 << 30;
/// Largest memory × passes accepted, in byte·passes.
pub const MAX_WORK: u64 = 4 << 30;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Export {
    kdf_params: KdfParams,
    encrypted_data: String,
    encryption_nonce: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KdfParams {
    mem_limit: u64,
    ops_limit: u64,
    salt: String,
}

/// Reads either export.
pub fn parse(bytes: &[u8], passphrase: Option<&[u8]>) -> Result<Entries, ImportError> {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        let text = super::text(bytes, APP)?;
        return Ok((uris::parse(text)?, vec![]));
    }
    let export: Export = serde_json::from_slice(bytes).map_err(|e| {
        ImportError::malformed(APP, format!("not an Ente Auth encrypted export ({e})"))
    })?;
    let kdf = &export.kdf_params;
    let refuse = || ImportError::KdfParams {
        format: APP,
        detail: format!(
            "Argon2id with {} MiB and {} passes",
            kdf.mem_limit >> 20,
            kdf.ops_limit
        ),
    };
    if kdf.mem_limit > MAX_MEMORY
        || kdf.ops_limit.saturating_mul(kdf.mem_limit) > MAX_WORK
        || kdf.ops_limit > 64
    {
        return Err(refuse());
    }
    if kdf.mem_limit < 8 * 1024 || kdf.ops_limit == 0 {
        return Err(ImportError::malformed(
            APP,
            "the key derivation parameters are invalid",
        ));
    }
    let salt = super::base64(APP, &kdf.salt, "salt")?;
    let header = super::base64(APP, &export.encryption_nonce, "nonce")?;
    let header = Header::try_from(header.as_slice())
        .map_err(|_| ImportError::malformed(APP, "the nonce is not 24 bytes"))?;
    let mut data = super::base64(APP, &export.encrypted_data, "encrypted data")?;
    let passphrase = passphrase.ok_or(ImportError::PassphraseRequired(APP))?;
    // Both fit in u32: checked above.
    let key = crypt::argon2id(
        passphrase,
        &salt,
        (kdf.mem_limit / 1024) as u32,
        kdf.ops_limit as u32,
        1,
    )
    .ok_or_else(|| ImportError::malformed(APP, "the salt or the cost is invalid"))?;
    let key = Key::from(*key);
    let mut stream = PullStream::init(header, &key);
    let buffer: &mut Vec<u8> = &mut data;
    match stream.pull(buffer, b"") {
        Ok(Tag::Final) => {}
        Ok(_) => {
            return Err(ImportError::malformed(
                APP,
                "the export continues past its first part, which Ente does not write",
            ));
        }
        Err(_) => return Err(ImportError::BadPassphraseOrCorrupted(APP)),
    }
    let text = super::text(&data, APP)?;
    Ok((uris::parse(text)?, vec![]))
}
