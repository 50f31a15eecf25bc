//! Every single-byte change and every truncation of a vault file must be refused, never panic,
//! never succeed, and leave the file as it was.

use latchkey_core::vault::{KdfParams, Store, VaultError};
use proptest::prelude::*;
use sha2::{Digest, Sha256};
use std::path::Path;

const PASS: &[u8] = b"correct horse battery staple";
const BODY: &[u8] = br#"{"hello":"latchkey"}"#;
const MASKS: [u8; 5] = [0x01, 0x02, 0x80, 0x55, 0xff];

/// A fresh small vault in `dir`, returned as its bytes.
fn make_vault(dir: &Path) -> (Store, Vec<u8>) {
    let store = Store::new(dir.join("vault.latchkey"));
    store
        .create(PASS, KdfParams::insecure_for_tests(), BODY, 1)
        .unwrap();
    let bytes = std::fs::read(store.path()).unwrap();
    (store, bytes)
}

/// Writes `bytes` at the store's path, tries unlock and inspect, and checks the refusal is sound.
/// Returns the unlock error; panics (test failure) on success or on any change to the file.
fn refused(store: &Store, bytes: &[u8], what: &str) -> VaultError {
    std::fs::write(store.path(), bytes).unwrap();
    let err = match store.unlock(PASS) {
        Ok((_, body)) => panic!("{what}: unlock succeeded (body {} bytes)", body.len()),
        Err(e) => e,
    };
    let text = err.to_string();
    assert!(text.len() > 10, "{what}: unhelpful message {text:?}");
    assert!(
        !text.contains("horse") && !text.contains("latchkey\"}"),
        "{what}: leaks a secret: {text}"
    );
    assert!(
        !matches!(err, VaultError::Io { .. } | VaultError::NotFound(_)),
        "{what}: {err:?}"
    );
    if let Ok(info) = store.inspect() {
        // Only possible when the checksum was recomputed: the header itself is then valid.
        assert!(
            what.contains("recomputed"),
            "{what}: inspect accepted it: {info:?}"
        );
    }
    assert_eq!(
        std::fs::read(store.path()).unwrap(),
        bytes,
        "{what}: file changed"
    );
    let entries = std::fs::read_dir(store.path().parent().unwrap())
        .unwrap()
        .count();
    assert_eq!(entries, 1, "{what}: left files behind");
    err
}

/// Damage the way disks and copies do: the checksum catches it before any crypto runs.
#[test]
fn every_single_byte_flip_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (store, original) = make_vault(dir.path());
    let mut cases = 0;
    for offset in 0..original.len() {
        for mask in MASKS {
            let mut bytes = original.clone();
            bytes[offset] ^= mask;
            let what = format!("offset {offset} xor {mask:#04x}");
            let err = refused(&store, &bytes, &what);
            match offset {
                0..8 => assert!(matches!(err, VaultError::NotAVault(_)), "{what}: {err:?}"),
                8..10 => assert!(
                    matches!(err, VaultError::UnsupportedVersion { .. }),
                    "{what}: {err:?}"
                ),
                _ => assert!(
                    matches!(&err, VaultError::Corrupted { reason, .. } if reason.contains("checksum")),
                    "{what}: {err:?}"
                ),
            }
            cases += 1;
        }
    }
    eprintln!(
        "single-byte flips: {cases} cases over {} bytes",
        original.len()
    );
    assert_eq!(cases, original.len() * MASKS.len());
}

/// Deliberate tampering: the checksum is recomputed, so the AEAD tags must catch every flip.
#[test]
fn every_flip_with_a_recomputed_checksum_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (store, original) = make_vault(dir.path());
    let content_len = original.len() - 32;
    let mut cases = 0;
    for offset in 0..content_len {
        for mask in [0x01, 0xff] {
            let mut bytes = original.clone();
            bytes[offset] ^= mask;
            let sum = Sha256::digest(&bytes[..content_len]);
            bytes[content_len..].copy_from_slice(&sum);
            refused(
                &store,
                &bytes,
                &format!("offset {offset} xor {mask:#04x}, checksum recomputed"),
            );
            cases += 1;
        }
    }
    eprintln!("flips with recomputed checksum: {cases} cases");
}

#[test]
fn every_truncation_and_extension_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (store, original) = make_vault(dir.path());
    let mut cases = 0;
    for len in 0..original.len() {
        let err = refused(&store, &original[..len], &format!("truncated to {len}"));
        assert!(
            matches!(err, VaultError::Corrupted { .. }),
            "truncated to {len}: {err:?}"
        );
        cases += 1;
    }
    for extra in [&b"\0"[..], b"\n", &[0u8; 32], b"LATCHKEY"] {
        let mut bytes = original.clone();
        bytes.extend_from_slice(extra);
        let err = refused(
            &store,
            &bytes,
            &format!("extended by {} bytes", extra.len()),
        );
        assert!(matches!(err, VaultError::Corrupted { .. }), "{err:?}");
        cases += 1;
    }
    eprintln!("truncations and extensions: {cases} cases");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Several random byte changes, with or without a recomputed checksum: never a success.
    #[test]
    fn random_multi_byte_damage_is_refused(
        edits in prop::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 1..6),
        recompute in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let (store, original) = make_vault(dir.path());
        let mut bytes = original.clone();
        for (index, mask) in &edits {
            let at = index.index(bytes.len());
            bytes[at] ^= mask;
        }
        let content_len = bytes.len() - 32;
        if recompute {
            let sum = Sha256::digest(&bytes[..content_len]);
            bytes[content_len..].copy_from_slice(&sum);
        }
        // Edits confined to the checksum are undone by recomputing it.
        prop_assume!(bytes != original);
        let what = if recompute { "random edits, checksum recomputed" } else { "random edits" };
        refused(&store, &bytes, what);
    }
}
