//! XChaCha20-Poly1305 sealing and randomness, in one place so every buffer that held plaintext is wiped.

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use rand::rngs::OsRng;
use zeroize::Zeroizing;

/// Length of an XChaCha20-Poly1305 key; also the master key's length.
pub(crate) const KEY_LEN: usize = 32;
/// Length of an XChaCha20-Poly1305 nonce: long enough to pick at random for every message.
pub(crate) const NONCE_LEN: usize = 24;
/// Length of the Poly1305 tag appended to every ciphertext.
pub(crate) const TAG_LEN: usize = 16;

/// The random key that seals the body; every slot wraps a copy of it. Wiped on drop.
pub(crate) type MasterKey = Zeroizing<[u8; KEY_LEN]>;

/// Fills `buf` from the OS generator, reporting failure instead of panicking.
pub(crate) fn random_fill(buf: &mut [u8]) -> Result<(), std::io::Error> {
    OsRng.try_fill_bytes(buf).map_err(std::io::Error::other)
}

/// A fresh random array (nonces, salts, temp-file names).
pub(crate) fn random_array<const N: usize>() -> Result<[u8; N], std::io::Error> {
    let mut out = [0u8; N];
    random_fill(&mut out)?;
    Ok(out)
}

/// A fresh master key, generated straight into wiped-on-drop memory.
pub(crate) fn new_master_key() -> Result<MasterKey, std::io::Error> {
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    random_fill(key.as_mut())?;
    Ok(key)
}

/// Encrypts `plaintext` under `key`; returns ciphertext || tag. Only fails for absurd lengths.
pub(crate) fn seal(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    plaintext: &[u8],
) -> Option<Vec<u8>> {
    let cipher = XChaCha20Poly1305::new(key.into());
    // Room for the tag up front, so the buffer never reallocates and leaves plaintext behind;
    // wrapped so an error path wipes it too.
    let mut buf = Zeroizing::new(Vec::with_capacity(plaintext.len() + TAG_LEN));
    buf.extend_from_slice(plaintext);
    cipher
        .encrypt_in_place(XNonce::from_slice(nonce), aad, &mut *buf)
        .ok()?;
    Some(std::mem::take(&mut *buf))
}

/// Decrypts and authenticates ciphertext || tag; `None` if anything (key, nonce, AAD, bytes) differs.
pub(crate) fn open(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    ciphertext: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    let cipher = XChaCha20Poly1305::new(key.into());
    let mut buf = Zeroizing::new(ciphertext.to_vec());
    cipher
        .decrypt_in_place(XNonce::from_slice(nonce), aad, &mut *buf)
        .ok()?;
    Some(buf)
}

/// Compares two secrets without an early exit, so timing says nothing about where they differ.
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
