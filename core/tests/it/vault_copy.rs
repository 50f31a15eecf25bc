//! Standalone vault copies (backups, `latchkey` exports): they hold only the passphrase slot,
//! open with the passphrase of the moment, and every truncation or flipped bit is refused.

use latchkey_core::vault::{CopyError, KdfParams, Store, VaultError, open_copy};

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

/// A copy comes from a caller or another machine: a key derivation costlier than Latchkey ever
/// writes is refused before it runs, not after minutes and gigabytes.
#[test]
fn copies_asking_for_a_costly_kdf_are_refused_before_it_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::new(dir.path().join("vault.latchkey"));
    let session = store
        .create(PASS, KdfParams::insecure_for_tests(), BODY, 0)
        .expect("create");
    let copy = session.seal_copy(BODY, 0).expect("copy");
    let field = br#""t_cost":1"#;
    let at = copy
        .windows(field.len())
        .position(|w| w == field)
        .expect("header layout changed");
    // One digit changed in place: the header length field stays right, only the cost differs.
    let mut costly = copy.clone();
    costly[at + field.len() - 1] = b'9';
    // The trailing checksum only catches accidents; an attacker recomputes it, so do we.
    let end = costly.len() - 32;
    let sum = <sha2::Sha256 as sha2::Digest>::digest(&costly[..end]);
    costly[end..].copy_from_slice(&sum);
    match open_copy(&costly, PASS) {
        Err(e @ CopyError::TooCostly(_)) => assert!(e.to_string().contains("t=9"), "{e}"),
        other => panic!("expected TooCostly, got {:?}", other.err()),
    }
    // The untouched copy still opens: the bound is above what Latchkey writes.
    open_copy(&copy, PASS).expect("opens");
}
