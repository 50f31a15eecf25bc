//! A tampered two-slot vault is refused: byte flips, relabelled or duplicated slots, an id not
//! bound to its key; and the slot follows the documented format.

use super::*;

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
