//! The keyring slot: a random key unlocks the vault next to the passphrase, can be replaced and
//! removed, survives passphrase changes, is refused when wrong or tampered with, and never leaks.
//! Tampering and the documented slot format are in [`tamper`].

mod tamper;

use data_encoding::{BASE64, HEXLOWER};
use latchkey_core::vault::{KdfParams, Store, VaultError, new_keyring_key};
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
