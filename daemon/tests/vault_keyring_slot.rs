//! The keyring slot: a random key unlocks the vault next to the passphrase, can be replaced and
//! removed, survives passphrase changes, is refused when wrong or tampered with, and never leaks.

use data_encoding::{BASE64, HEXLOWER};
use latchkeyd::vault::{KdfParams, Store, VaultError, new_keyring_key};
use sha2::{Digest, Sha256};
use std::path::Path;

const PASS: &[u8] = b"correct horse battery staple";
const BODY: &[u8] = br#"{"hello":"latchkey"}"#;
const KEY: [u8; 32] = [0x5a; 32];
const OTHER_KEY: [u8; 32] = [0xa5; 32];

fn kdf() -> KdfParams {
    KdfParams::insecure_for_tests()
}

/// A vault in `dir` with a passphrase slot and a keyring slot for `KEY`.
fn vault_with_both_slots(dir: &Path) -> Store {
    let store = Store::new(dir.join("vault.latchkey"));
    let mut session = store.create(PASS, kdf(), BODY, 1).unwrap();
    store.add_keyring_slot(&mut session, &KEY, BODY, 1).unwrap();
    store
}

/// The header's slot types, in order.
fn slot_types(store: &Store) -> Vec<String> {
    let file = std::fs::read(store.path()).unwrap();
    let len = u32::from_be_bytes(file[10..14].try_into().unwrap()) as usize;
    let header: serde_json::Value = serde_json::from_slice(&file[14..14 + len]).unwrap();
    header["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["type"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn add_unlock_replace_remove() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path().join("vault.latchkey"));
    let mut session = store.create(PASS, kdf(), b"v1", 1).unwrap();
    assert!(!store.inspect().unwrap().has_keyring_slot);
    let err = store.unlock_with_key(&KEY).unwrap_err();
    assert!(matches!(err, VaultError::NoKeyringSlot), "{err:?}");

    store
        .add_keyring_slot(&mut session, &KEY, b"v2", 2)
        .unwrap();
    let info = store.inspect().unwrap();
    assert!(info.has_keyring_slot);
    assert_eq!(info.account_count, 2);
    assert_eq!(slot_types(&store), ["passphrase", "keyring"]);
    // The previous version is the backup, as with every save.
    assert!(store.backup_path().exists());
    let (mut by_key, body) = store.unlock_with_key(&KEY).unwrap();
    assert_eq!(&body[..], b"v2");
    assert_eq!(&store.unlock(PASS).unwrap().1[..], b"v2");

    // A session opened with the key saves like any other and keeps both slots.
    store.save(&mut by_key, b"v3", 3).unwrap();
    assert_eq!(&store.unlock(PASS).unwrap().1[..], b"v3");
    assert_eq!(&store.unlock_with_key(&KEY).unwrap().1[..], b"v3");

    let err = store.unlock_with_key(&OTHER_KEY).unwrap_err();
    assert!(matches!(err, VaultError::KeyringKeyRejected), "{err:?}");

    // Replacing: the new key works, the old one no longer does, still one keyring slot.
    store
        .add_keyring_slot(&mut by_key, &OTHER_KEY, b"v4", 4)
        .unwrap();
    assert_eq!(slot_types(&store), ["passphrase", "keyring"]);
    assert_eq!(&store.unlock_with_key(&OTHER_KEY).unwrap().1[..], b"v4");
    let err = store.unlock_with_key(&KEY).unwrap_err();
    assert!(matches!(err, VaultError::KeyringKeyRejected), "{err:?}");

    store.remove_keyring_slot(&mut by_key, b"v5", 5).unwrap();
    assert!(!store.inspect().unwrap().has_keyring_slot);
    assert_eq!(slot_types(&store), ["passphrase"]);
    let err = store.unlock_with_key(&OTHER_KEY).unwrap_err();
    assert!(matches!(err, VaultError::NoKeyringSlot), "{err:?}");
    assert_eq!(&store.unlock(PASS).unwrap().1[..], b"v5");
    let before = std::fs::read(store.path()).unwrap();
    let err = store
        .remove_keyring_slot(&mut by_key, b"v6", 6)
        .unwrap_err();
    assert!(matches!(err, VaultError::NoKeyringSlot), "{err:?}");
    assert_eq!(
        std::fs::read(store.path()).unwrap(),
        before,
        "nothing written"
    );
}

#[test]
fn wrong_key_is_not_a_wrong_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let store = vault_with_both_slots(dir.path());
    for key in [OTHER_KEY, [0; 32], *new_keyring_key().unwrap()] {
        let err = store.unlock_with_key(&key).unwrap_err();
        assert!(matches!(err, VaultError::KeyringKeyRejected), "{err:?}");
        assert!(!matches!(err, VaultError::BadPassphrase));
        assert!(
            err.to_string().contains("passphrase"),
            "says what to do: {err}"
        );
    }
    // Passphrase failures stay passphrase failures.
    let err = store.unlock(b"wrong").unwrap_err();
    assert!(matches!(err, VaultError::BadPassphrase), "{err:?}");
}

#[test]
fn change_passphrase_keeps_keyring_unlock() {
    let dir = tempfile::tempdir().unwrap();
    let store = vault_with_both_slots(dir.path());
    let (mut session, _) = store.unlock_with_key(&KEY).unwrap();
    store
        .change_passphrase(&mut session, PASS, b"new pass", kdf(), b"after", 1)
        .unwrap();
    assert_eq!(&store.unlock_with_key(&KEY).unwrap().1[..], b"after");
    assert_eq!(&store.unlock(b"new pass").unwrap().1[..], b"after");
    assert!(matches!(
        store.unlock(PASS).unwrap_err(),
        VaultError::BadPassphrase
    ));
    assert_eq!(slot_types(&store), ["passphrase", "keyring"]);
}

#[test]
fn keys_never_leak() {
    let dir = tempfile::tempdir().unwrap();
    let key = new_keyring_key().unwrap();
    let store = Store::new(dir.path().join("vault.latchkey"));
    let mut session = store.create(PASS, kdf(), BODY, 1).unwrap();
    store.add_keyring_slot(&mut session, &key, BODY, 1).unwrap();
    let (session, _) = store.unlock_with_key(&key).unwrap();
    let needles = [
        HEXLOWER.encode(&key[..]),
        BASE64.encode(&key[..]),
        HEXLOWER.encode(&key[..8]),
    ];
    let mut texts = vec![format!("{session:?}"), format!("{store:?}")];
    let errors = [
        store.unlock_with_key(&OTHER_KEY).unwrap_err(),
        Store::new(dir.path().join("none"))
            .unlock_with_key(&key)
            .unwrap_err(),
        VaultError::NoKeyringSlot,
    ];
    for err in &errors {
        texts.push(err.to_string());
        texts.push(format!("{err:?}"));
    }
    for text in &texts {
        for needle in &needles {
            assert!(!text.contains(needle.as_str()), "leaks the key: {text}");
        }
    }
    // The key itself is never in the file, raw or encoded.
    let file = std::fs::read(store.path()).unwrap();
    assert!(!file.windows(32).any(|w| w == &key[..]));
    let text = String::from_utf8_lossy(&file);
    assert!(!needles.iter().any(|n| text.contains(n.as_str())));
}

/// Writes `bytes`, then both ways in must fail, never panic, and leave the file as it was.
fn refused_both_ways(store: &Store, bytes: &[u8], what: &str) {
    std::fs::write(store.path(), bytes).unwrap();
    if let Ok((_, body)) = store.unlock(PASS) {
        panic!("{what}: passphrase unlock succeeded ({} bytes)", body.len());
    }
    match store.unlock_with_key(&KEY) {
        Ok((_, body)) => panic!("{what}: key unlock succeeded ({} bytes)", body.len()),
        Err(VaultError::Io { .. } | VaultError::NotFound(_)) => panic!("{what}: I/O error"),
        Err(_) => {}
    }
    assert_eq!(std::fs::read(store.path()).unwrap(), bytes, "{what}");
}

#[test]
fn byte_flips_in_a_two_slot_vault_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = vault_with_both_slots(dir.path());
    std::fs::remove_file(store.backup_path()).unwrap();
    let original = std::fs::read(store.path()).unwrap();
    let content_len = original.len() - 32;
    let mut cases = 0;
    for offset in 0..original.len() {
        let mut bytes = original.clone();
        bytes[offset] ^= 0x01;
        refused_both_ways(&store, &bytes, &format!("offset {offset}"));
        if offset < content_len {
            // Deliberate tampering: checksum recomputed, so the AEAD tags must catch it.
            let sum = Sha256::digest(&bytes[..content_len]);
            bytes[content_len..].copy_from_slice(&sum);
            refused_both_ways(&store, &bytes, &format!("offset {offset}, recomputed"));
        }
        cases += 1;
    }
    for len in (0..original.len()).step_by(7) {
        refused_both_ways(&store, &original[..len], &format!("truncated to {len}"));
    }
    eprintln!("{cases} offsets over {} bytes", original.len());
    // The untouched file still opens both ways.
    std::fs::write(store.path(), &original).unwrap();
    assert_eq!(&store.unlock_with_key(&KEY).unwrap().1[..], BODY);
    assert_eq!(&store.unlock(PASS).unwrap().1[..], BODY);
}

/// Rewrites the vault's header with `edit` applied and the checksum recomputed (a deliberate edit).
fn edit_header(store: &Store, edit: impl FnOnce(&mut Vec<serde_json::Value>)) {
    let file = std::fs::read(store.path()).unwrap();
    let len = u32::from_be_bytes(file[10..14].try_into().unwrap()) as usize;
    let mut header: serde_json::Value = serde_json::from_slice(&file[14..14 + len]).unwrap();
    edit(header["slots"].as_array_mut().unwrap());
    let json = serde_json::to_vec(&header).unwrap();
    let mut out = file[..10].to_vec();
    out.extend_from_slice(&(json.len() as u32).to_be_bytes());
    out.extend_from_slice(&json);
    out.extend_from_slice(&file[14 + len..file.len() - 32]);
    let sum = Sha256::digest(&out);
    out.extend_from_slice(&sum);
    std::fs::write(store.path(), &out).unwrap();
}

#[test]
fn relabelled_keyring_slot_is_skipped_and_breaks_the_body() {
    let dir = tempfile::tempdir().unwrap();
    let store = vault_with_both_slots(dir.path());
    edit_header(&store, |slots| slots[1]["type"] = "keyrinG".into());
    assert!(!store.inspect().unwrap().has_keyring_slot);
    let err = store.unlock_with_key(&KEY).unwrap_err();
    assert!(matches!(err, VaultError::NoKeyringSlot), "{err:?}");
    // The header changed, so the body no longer authenticates under the passphrase either.
    let err = store.unlock(PASS).unwrap_err();
    assert!(matches!(err, VaultError::Corrupted { .. }), "{err:?}");
}

#[test]
fn the_id_is_bound_to_the_wrapped_key() {
    let dir = tempfile::tempdir().unwrap();
    let store = vault_with_both_slots(dir.path());
    edit_header(&store, |slots| slots[1]["id"] = "login".into());
    assert!(store.inspect().unwrap().has_keyring_slot);
    let err = store.unlock_with_key(&KEY).unwrap_err();
    assert!(matches!(err, VaultError::KeyringKeyRejected), "{err:?}");
    for bad in ["", "tab\there", &"x".repeat(65)] {
        edit_header(&store, |slots| slots[1]["id"] = bad.into());
        let err = store.inspect().unwrap_err();
        assert!(err.to_string().contains("keyring slot id"), "{err}");
    }
    edit_header(&store, |slots| {
        slots[1].as_object_mut().unwrap().remove("id");
        slots[1]["extra"] = 1.into();
    });
    let err = store.inspect().unwrap_err();
    assert!(
        err.to_string().contains("keyring slot is not valid"),
        "{err}"
    );
}

#[test]
fn two_keyring_slots_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = vault_with_both_slots(dir.path());
    edit_header(&store, |slots| slots.push(slots[1].clone()));
    let err = store.inspect().unwrap_err();
    assert!(
        err.to_string().contains("more than one keyring slot"),
        "{err}"
    );
}

#[test]
fn slot_follows_the_documented_format() {
    // An independent reader written from docs/vault-format.md: unwrap with the documented AAD,
    // then open the body with the master key it yields.
    use chacha20poly1305::aead::{Aead, KeyInit, Payload};
    use chacha20poly1305::{XChaCha20Poly1305, XNonce};
    let dir = tempfile::tempdir().unwrap();
    let store = vault_with_both_slots(dir.path());
    let file = std::fs::read(store.path()).unwrap();
    let len = u32::from_be_bytes(file[10..14].try_into().unwrap()) as usize;
    let header: serde_json::Value = serde_json::from_slice(&file[14..14 + len]).unwrap();
    let slot = &header["slots"][1];
    let field = |name: &str| {
        BASE64
            .decode(slot[name].as_str().unwrap().as_bytes())
            .unwrap()
    };
    let aad = HEXLOWER
        .decode(b"4c415443484b45590001076b657972696e6700")
        .unwrap();
    let open = |key: &[u8], nonce: &[u8], msg: &[u8], aad: &[u8]| {
        XChaCha20Poly1305::new(key.into())
            .decrypt(XNonce::from_slice(nonce), Payload { msg, aad })
            .unwrap()
    };
    let master = open(&KEY, &field("nonce"), &field("wrapped_key"), &aad);
    let body_nonce = BASE64.decode(header["body_nonce"].as_str().unwrap().as_bytes());
    let body = open(
        &master,
        &body_nonce.unwrap(),
        &file[14 + len..file.len() - 32],
        &file[..14 + len],
    );
    assert_eq!(body, BODY);
}
