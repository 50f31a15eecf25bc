//! Standalone vault copies (backups, `latchkey` exports): they hold only the passphrase slot,
//! open with the passphrase of the moment, and every truncation or flipped bit is refused.

use latchkeyd::vault::{CopyError, KdfParams, Store, VaultError, open_copy};

const PASS: &[u8] = b"correct horse battery staple";
const BODY: &[u8] = br#"{"version":1,"accounts":[]}"#;

fn slot_types(file: &[u8]) -> Vec<String> {
    let len = u32::from_be_bytes(file[10..14].try_into().expect("length")) as usize;
    let header: serde_json::Value = serde_json::from_slice(&file[14..14 + len]).expect("json");
    header["slots"]
        .as_array()
        .expect("slots")
        .iter()
        .map(|s| s["type"].as_str().expect("type").to_owned())
        .collect()
}

#[test]
fn copies_drop_the_keyring_slot_and_follow_the_passphrase() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::new(dir.path().join("vault.latchkey"));
    let mut session = store
        .create(PASS, KdfParams::insecure_for_tests(), BODY, 0)
        .expect("create");
    store
        .add_keyring_slot(&mut session, &[7u8; 32], BODY, 0)
        .expect("keyring slot");
    let copy = session.seal_copy(BODY, 0).expect("copy");
    assert_eq!(slot_types(&copy), ["passphrase"]);
    let opened = open_copy(&copy, PASS).expect("opens");
    assert_eq!(&opened.body[..], BODY);
    assert!(matches!(
        open_copy(&copy, b"wrong"),
        Err(CopyError::BadPassphrase)
    ));
    // Two copies of the same state differ (fresh nonce), both open.
    let again = session.seal_copy(BODY, 0).expect("copy");
    assert_ne!(copy, again);
    open_copy(&again, PASS).expect("opens");

    // After a passphrase change, new copies need the new one; old copies keep the old one.
    store
        .change_passphrase(
            &mut session,
            PASS,
            b"new",
            KdfParams::insecure_for_tests(),
            BODY,
            0,
        )
        .expect("passwd");
    let newer = session.seal_copy(BODY, 0).expect("copy");
    open_copy(&newer, b"new").expect("new passphrase");
    assert!(matches!(
        open_copy(&newer, PASS),
        Err(CopyError::BadPassphrase)
    ));
    open_copy(&copy, PASS).expect("old copy, old passphrase");
    let check = session.passphrase_check().expect("check");
    check.verify(b"new").expect("verifies");
    assert!(matches!(check.verify(PASS), Err(VaultError::BadPassphrase)));

    // A copy becomes a vault only where there is none.
    let other = Store::new(dir.path().join("restored/vault.latchkey"));
    other.install_copy(&newer).expect("install");
    let (_, body) = other.unlock(b"new").expect("unlock the restored vault");
    assert_eq!(&body[..], BODY);
    assert!(matches!(
        other.install_copy(&copy),
        Err(VaultError::AlreadyExists(_))
    ));
}

#[test]
fn every_truncation_and_bit_flip_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::new(dir.path().join("vault.latchkey"));
    let session = store
        .create(PASS, KdfParams::insecure_for_tests(), BODY, 0)
        .expect("create");
    let copy = session.seal_copy(BODY, 0).expect("copy");
    for len in 0..copy.len() {
        assert!(open_copy(&copy[..len], PASS).is_err(), "truncated to {len}");
    }
    let mut damaged = copy.clone();
    for i in 0..copy.len() {
        for bit in 0..8 {
            damaged[i] ^= 1 << bit;
            match open_copy(&damaged, PASS) {
                Err(
                    CopyError::Corrupted(_)
                    | CopyError::NotACopy
                    | CopyError::UnsupportedVersion(_),
                ) => {}
                other => panic!("byte {i} bit {bit}: {:?}", other.map(|_| ())),
            }
            damaged[i] ^= 1 << bit;
        }
    }
}
