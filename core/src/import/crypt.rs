//! Password-based AES-256-GCM as 2FAS and andOTP use it: PBKDF2 (or andOTP's old bare SHA-256)
//! turns the passphrase into a key; the sealed data is ciphertext followed by the 16-byte tag.

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
