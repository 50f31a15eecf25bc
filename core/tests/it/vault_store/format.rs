//! The file format: foreign files and versions are named, errors show no secrets, and an
//! independent writer following docs/vault-format.md builds vaults the API cannot.

use super::*;

#[test]
fn non_vault_files_and_unknown_versions_are_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    std::fs::write(store.path(), b"{\"accounts\": []}").unwrap();
    assert!(matches!(store.unlock(PASS), Err(VaultError::NotAVault(_))));
    assert!(matches!(store.inspect(), Err(VaultError::NotAVault(_))));

    std::fs::remove_file(store.path()).unwrap();
    store.create(PASS, kdf(), b"b", 0).unwrap();
    let mut bytes = std::fs::read(store.path()).unwrap();
    bytes[9] = 2;
    std::fs::write(store.path(), &bytes).unwrap();
    let err = store.unlock(PASS).unwrap_err();
    assert!(
        matches!(err, VaultError::UnsupportedVersion { version: 2, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("version 2"));
}

#[test]
fn errors_never_show_the_passphrase_or_body() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    let mut s = store.create(PASS, kdf(), b"TOPSECRETBODY", 0).unwrap();
    let mut errors = vec![store.unlock(b"hunter2hunter2").unwrap_err()];
    errors.push(store.create(PASS, kdf(), b"TOPSECRETBODY", 0).unwrap_err());
    errors.push(
        store
            .change_passphrase(&mut s, b"hunter2hunter2", b"x", kdf(), b"TOPSECRETBODY", 0)
            .unwrap_err(),
    );
    for e in errors {
        let text = format!("{e} {e:?}");
        assert!(
            !text.contains("hunter2") && !text.contains("horse") && !text.contains("TOPSECRET"),
            "{text}"
        );
    }
}

/// An independent writer following docs/vault-format.md, to build vaults the API can't (extra slots).
mod handmade {
    use chacha20poly1305::aead::{Aead, KeyInit, Payload};
    use chacha20poly1305::{XChaCha20Poly1305, XNonce};
    use data_encoding::BASE64;
    use sha2::{Digest, Sha256};

    pub fn vault(
        passphrase: &[u8],
        body: &[u8],
        extra_slots_before: &[serde_json::Value],
    ) -> Vec<u8> {
        let (m, t, p) = (8u32, 1u32, 1u32);
        let master = [7u8; 32];
        let salt = [1u8; 16];
        let slot_nonce = [2u8; 24];
        let body_nonce = [3u8; 24];
        let mut kek = [0u8; 32];
        let params = argon2::Params::new(m, t, p, Some(32)).unwrap();
        argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
            .hash_password_into(passphrase, &salt, &mut kek)
            .unwrap();
        let mut slot_aad = b"LATCHKEY\x00\x01".to_vec();
        slot_aad.push(10);
        slot_aad.extend_from_slice(b"passphrase");
        for v in [m, t, p] {
            slot_aad.extend_from_slice(&v.to_be_bytes());
        }
        slot_aad.push(salt.len() as u8);
        slot_aad.extend_from_slice(&salt);
        let wrapped = XChaCha20Poly1305::new((&kek).into())
            .encrypt(
                XNonce::from_slice(&slot_nonce),
                Payload {
                    msg: &master,
                    aad: &slot_aad,
                },
            )
            .unwrap();
        let mut slots = extra_slots_before.to_vec();
        slots.push(serde_json::json!({
            "type": "passphrase",
            "kdf": {"m_cost": m, "t_cost": t, "p_cost": p},
            "salt": BASE64.encode(&salt),
            "nonce": BASE64.encode(&slot_nonce),
            "wrapped_key": BASE64.encode(&wrapped),
        }));
        let header = serde_json::to_vec(&serde_json::json!({
            "cipher": "xchacha20poly1305",
            "body_nonce": BASE64.encode(&body_nonce),
            "account_count": 1,
            "slots": slots,
        }))
        .unwrap();
        let mut out = b"LATCHKEY\x00\x01".to_vec();
        out.extend_from_slice(&(header.len() as u32).to_be_bytes());
        out.extend_from_slice(&header);
        let sealed = XChaCha20Poly1305::new((&master).into())
            .encrypt(
                XNonce::from_slice(&body_nonce),
                Payload {
                    msg: body,
                    aad: &out,
                },
            )
            .unwrap();
        out.extend_from_slice(&sealed);
        let sum = Sha256::digest(&out);
        out.extend_from_slice(&sum);
        out
    }

    /// The header JSON of a vault file.
    pub fn header(file: &[u8]) -> serde_json::Value {
        let len = u32::from_be_bytes(file[10..14].try_into().unwrap()) as usize;
        serde_json::from_slice(&file[14..14 + len]).unwrap()
    }
}

#[test]
fn independent_writer_matches_the_documented_format() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    std::fs::write(store.path(), handmade::vault(PASS, b"hand made", &[])).unwrap();
    assert_eq!(&store.unlock(PASS).unwrap().1[..], b"hand made");
}

#[test]
fn unknown_slot_types_are_skipped_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    let keyring = serde_json::json!({"type": "tpm2", "item": "latchkey-1", "nonce": "AAAA", "wrapped_key": "AAAA"});
    let future = serde_json::json!({"type": "fido2", "credential": {"id": [1, 2, 3]}});
    std::fs::write(
        store.path(),
        handmade::vault(PASS, b"body", &[keyring.clone(), future.clone()]),
    )
    .unwrap();
    assert_eq!(store.inspect().unwrap().account_count, 1);
    let (mut session, body) = store.unlock(PASS).unwrap();
    assert_eq!(&body[..], b"body");

    store.save(&mut session, b"body 2", 1).unwrap();
    store
        .change_passphrase(&mut session, PASS, b"other", kdf(), b"body 3", 1)
        .unwrap();
    let header = handmade::header(&std::fs::read(store.path()).unwrap());
    let slots = header["slots"].as_array().unwrap();
    assert_eq!(slots.len(), 3);
    assert_eq!(slots[0], keyring);
    assert_eq!(slots[1], future);
    assert_eq!(slots[2]["type"], "passphrase");
    assert_eq!(&store.unlock(b"other").unwrap().1[..], b"body 3");
}

#[test]
fn vault_without_a_usable_slot_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    let mut file = handmade::vault(PASS, b"body", &[]);
    // Rename the only slot's type (same length keeps the layout) and fix the checksum.
    let at = file
        .windows(12)
        .position(|w| w == b"\"passphrase\"")
        .unwrap();
    file[at + 1..at + 11].copy_from_slice(b"passphrasX");
    let n = file.len() - 32;
    let sum: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(&file[..n]).into();
    file[n..].copy_from_slice(&sum);
    std::fs::write(store.path(), &file).unwrap();
    let err = store.unlock(PASS).unwrap_err();
    assert!(matches!(err, VaultError::Corrupted { .. }), "{err:?}");
    assert!(err.to_string().contains("no passphrase slot"), "{err}");
}
