//! Password-based encryption as the apps use it: PBKDF2, Argon2id or a bare SHA-256
//! turn the passphrase into a key; AES-256-GCM (ciphertext followed by the 16-byte tag) or
//! AES-256-CBC seals the data. Each caller checks a file's cost before running its KDF.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use pbkdf2::pbkdf2_hmac;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// An AES-256 key derived from a passphrase, wiped on drop.
pub type Key = Zeroizing<[u8; 32]>;

/// PBKDF2-HMAC-SHA256 with a 32-byte output (2FAS).
pub fn pbkdf2_sha256(passphrase: &[u8], salt: &[u8], rounds: u32) -> Key {
    let mut key = Zeroizing::new([0u8; 32]);
    pbkdf2_hmac::<Sha256>(passphrase, salt, rounds, key.as_mut_slice());
    key
}

/// PBKDF2-HMAC-SHA1 with a 32-byte output (andOTP's current format).
pub fn pbkdf2_sha1(passphrase: &[u8], salt: &[u8], rounds: u32) -> Key {
    let mut key = Zeroizing::new([0u8; 32]);
    pbkdf2_hmac::<sha1::Sha1>(passphrase, salt, rounds, key.as_mut_slice());
    key
}

/// SHA-256 of the passphrase as the key (andOTP's first format; weak, read only).
pub fn sha256_key(passphrase: &[u8]) -> Key {
    Zeroizing::new(Sha256::digest(passphrase).into())
}

/// Opens `sealed` (ciphertext ‖ tag) with a 12-byte nonce; `None` if the tag does not verify.
pub fn open(key: &Key, nonce: &[u8], sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if nonce.len() != 12 || sealed.len() < 16 {
        return None;
    }
    let cipher = Aes256Gcm::new_from_slice(key.as_slice()).ok()?;
    cipher
        .decrypt(Nonce::from_slice(nonce), sealed)
        .ok()
        .map(Zeroizing::new)
}

/// PBKDF2-HMAC-SHA512 with a 32-byte output (FreeOTP 2).
pub fn pbkdf2_sha512(passphrase: &[u8], salt: &[u8], rounds: u32) -> Key {
    let mut key = Zeroizing::new([0u8; 32]);
    pbkdf2_hmac::<sha2::Sha512>(passphrase, salt, rounds, key.as_mut_slice());
    key
}

/// Argon2id (version 1.3) with a 32-byte output; `memory` in KiB. The caller has checked the
/// cost; `None` if the parameters are invalid.
pub fn argon2id(
    passphrase: &[u8],
    salt: &[u8],
    memory: u32,
    iterations: u32,
    lanes: u32,
) -> Option<Key> {
    let params = argon2::Params::new(memory, iterations, lanes, Some(32)).ok()?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut key = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(passphrase, salt, key.as_mut_slice())
        .ok()?;
    Some(key)
}

/// AES-256-CBC with PKCS#7 padding; `None` if the sizes are wrong or the padding does not check
/// (which is how a wrong key shows, 255 times in 256).
pub fn open_cbc(key: &[u8], iv: &[u8], data: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    use cbc::cipher::{BlockDecryptMut, KeyIvInit, block_padding::Pkcs7};
    if key.len() != 32 || iv.len() != 16 || data.is_empty() || !data.len().is_multiple_of(16) {
        return None;
    }
    let mut buf = Zeroizing::new(data.to_vec());
    let cipher = cbc::Decryptor::<aes::Aes256>::new_from_slices(key, iv).ok()?;
    let len = cipher.decrypt_padded_mut::<Pkcs7>(&mut buf).ok()?.len();
    buf.truncate(len);
    Some(buf)
}

/// Opens AES-256-GCM with associated data (FreeOTP 2 binds each key to its algorithm name).
pub fn open_with_aad(
    key: &[u8],
    nonce: &[u8],
    sealed: &[u8],
    aad: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    use aes_gcm::aead::Payload;
    if key.len() != 32 || nonce.len() != 12 || sealed.len() < 16 {
        return None;
    }
    let cipher = Aes256Gcm::new_from_slice(key).ok()?;
    cipher
        .decrypt(Nonce::from_slice(nonce), Payload { msg: sealed, aad })
        .ok()
        .map(Zeroizing::new)
}
