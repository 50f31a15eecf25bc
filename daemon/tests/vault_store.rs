//! Behaviour of `vault::Store`: round trips, refusals, backups, permissions and slot handling.

use latchkeyd::vault::{KdfParams, Store, VaultError};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

const PASS: &[u8] = b"correct horse battery staple";

fn kdf() -> KdfParams {
    KdfParams::insecure_for_tests()
}

fn store_in(dir: &tempfile::TempDir) -> Store {
    Store::new(dir.path().join("vault.latchkey"))
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Names in the vault's directory, sorted, to catch leftover temp files.
fn dir_entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn create_then_unlock_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    assert!(!store.exists());
    let session = store.create(PASS, kdf(), b"{\"accounts\":[]}", 0).unwrap();
    assert_eq!(format!("{session:?}"), "Session(<redacted>)");
    assert!(store.exists());
    let (_session, body) = store.unlock(PASS).unwrap();
    assert_eq!(&body[..], b"{\"accounts\":[]}");
    assert_eq!(mode(store.path()), 0o600);
    assert_eq!(dir_entries(dir.path()), ["vault.latchkey"]);
}

#[test]
fn empty_body_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    store.create(PASS, kdf(), b"", 0).unwrap();
    let (_s, body) = store.unlock(PASS).unwrap();
    assert!(body.is_empty());
}

#[test]
fn inspect_reports_count_and_kdf_without_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    let mut session = store.create(PASS, kdf(), b"x", 3).unwrap();
    let info = store.inspect().unwrap();
    assert_eq!((info.version, info.account_count, info.kdf), (1, 3, kdf()));
    store.save(&mut session, b"y", 7).unwrap();
    assert_eq!(store.inspect().unwrap().account_count, 7);
}

#[test]
fn wrong_passphrase_is_bad_passphrase_and_file_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    store.create(PASS, kdf(), b"secret body", 1).unwrap();
    let before = std::fs::read(store.path()).unwrap();
    let err = store.unlock(b"Correct horse battery staple").unwrap_err();
    assert!(matches!(err, VaultError::BadPassphrase), "{err:?}");
    assert!(!err.to_string().contains("horse"));
    assert!(matches!(
        store.unlock(b"").unwrap_err(),
        VaultError::BadPassphrase
    ));
    assert_eq!(std::fs::read(store.path()).unwrap(), before);
}

#[test]
fn missing_file_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    assert!(matches!(
        store.unlock(PASS).unwrap_err(),
        VaultError::NotFound(_)
    ));
    assert!(matches!(
        store.inspect().unwrap_err(),
        VaultError::NotFound(_)
    ));
}

#[test]
fn create_refuses_any_existing_file_and_leaves_it_alone() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    let cases: [&[u8]; 3] = [
        b"",
        b"garbage that is not a vault",
        b"LATCHKEY\x00\x01truncated",
    ];
    for content in cases {
        std::fs::write(store.path(), content).unwrap();
        let err = store.create(PASS, kdf(), b"body", 0).unwrap_err();
        assert!(matches!(err, VaultError::AlreadyExists(_)), "{err:?}");
        assert_eq!(std::fs::read(store.path()).unwrap(), content);
        assert_eq!(dir_entries(dir.path()), ["vault.latchkey"]);
    }
    // Unreadable (mode 000) still counts as existing.
    std::fs::set_permissions(store.path(), std::fs::Permissions::from_mode(0o000)).unwrap();
    assert!(matches!(
        store.create(PASS, kdf(), b"b", 0),
        Err(VaultError::AlreadyExists(_))
    ));
    std::fs::set_permissions(store.path(), std::fs::Permissions::from_mode(0o600)).unwrap();
    // A real vault too.
    std::fs::remove_file(store.path()).unwrap();
    store.create(PASS, kdf(), b"first", 0).unwrap();
    let before = std::fs::read(store.path()).unwrap();
    assert!(matches!(
        store.create(PASS, kdf(), b"second", 0),
        Err(VaultError::AlreadyExists(_))
    ));
    assert_eq!(std::fs::read(store.path()).unwrap(), before);
}

#[test]
fn create_refuses_a_dangling_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    std::os::unix::fs::symlink(dir.path().join("nowhere"), store.path()).unwrap();
    assert!(matches!(
        store.create(PASS, kdf(), b"b", 0),
        Err(VaultError::AlreadyExists(_))
    ));
    assert!(!dir.path().join("nowhere").exists());
}

#[test]
fn create_makes_missing_directories_private() {
    let dir = tempfile::tempdir().unwrap();
    let nested: PathBuf = dir.path().join("a").join("latchkey");
    let store = Store::new(nested.join("vault.latchkey"));
    store.create(PASS, kdf(), b"b", 0).unwrap();
    assert_eq!(mode(&nested), 0o700);
    assert_eq!(mode(store.path()), 0o600);
}

#[test]
fn create_rejects_unusable_kdf_params_without_writing() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    let bad = [
        KdfParams {
            m_cost: 4,
            t_cost: 1,
            p_cost: 1,
        },
        KdfParams {
            m_cost: 64,
            t_cost: 0,
            p_cost: 1,
        },
        KdfParams {
            m_cost: 64,
            t_cost: 65,
            p_cost: 1,
        },
        KdfParams {
            m_cost: 64,
            t_cost: 1,
            p_cost: 0,
        },
        KdfParams {
            m_cost: 1024,
            t_cost: 1,
            p_cost: 17,
        },
        KdfParams {
            m_cost: 4 * 1024 * 1024 + 1,
            t_cost: 1,
            p_cost: 1,
        },
    ];
    for params in bad {
        let err = store.create(PASS, params, b"b", 0).unwrap_err();
        assert!(
            matches!(err, VaultError::InvalidKdfParams(_)),
            "{params:?}: {err:?}"
        );
    }
    assert!(dir_entries(dir.path()).is_empty());
    assert!(KdfParams::interactive().validate().is_ok());
    assert!(KdfParams::insecure_for_tests().validate().is_ok());
}

#[test]
fn save_keeps_previous_version_as_private_backup() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    assert_eq!(store.backup_path(), dir.path().join("vault.latchkey.bak"));
    let mut session = store.create(PASS, kdf(), b"v1", 1).unwrap();
    let v1_bytes = std::fs::read(store.path()).unwrap();
    store.save(&mut session, b"v2", 2).unwrap();
    assert_eq!(std::fs::read(store.backup_path()).unwrap(), v1_bytes);
    store.save(&mut session, b"v3", 3).unwrap();

    assert_eq!(&store.unlock(PASS).unwrap().1[..], b"v3");
    let backup = Store::new(store.backup_path());
    assert_eq!(&backup.unlock(PASS).unwrap().1[..], b"v2");
    assert_eq!(backup.inspect().unwrap().account_count, 2);
    assert_eq!(mode(store.path()), 0o600);
    assert_eq!(mode(&store.backup_path()), 0o600);
    assert_eq!(
        dir_entries(dir.path()),
        ["vault.latchkey", "vault.latchkey.bak"]
    );
}

#[test]
fn backup_is_private_even_if_the_vault_was_not() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    let mut session = store.create(PASS, kdf(), b"v1", 1).unwrap();
    std::fs::set_permissions(store.path(), std::fs::Permissions::from_mode(0o644)).unwrap();
    store.save(&mut session, b"v2", 1).unwrap();
    assert_eq!(mode(store.path()), 0o600);
    assert_eq!(mode(&store.backup_path()), 0o600);
}

#[test]
fn remove_leftovers_deletes_only_the_temp_files_of_interrupted_writes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = store_in(&dir);
    let mut session = store.create(PASS, kdf(), b"v1", 1).expect("create");
    store.save(&mut session, b"v2", 1).expect("save");
    assert_eq!(store.remove_leftovers().expect("nothing to remove"), 0);
    // What a SIGKILL between creating and renaming the temp files leaves behind...
    let leftovers = [
        ".vault.latchkey.tmp-0123456789abcdef",
        ".vault.latchkey.bak-tmp-fedcba9876543210",
    ];
    // ...and names that merely look alike, which are not ours to delete.
    let others = [
        ".vault.latchkey.tmp-0123",
        ".vault.latchkey.tmp-0123456789ABCDEF",
        ".other.latchkey.tmp-0123456789abcdef",
        "vault.latchkey.tmp-0123456789abcdef",
        "notes.txt",
    ];
    for name in leftovers.iter().chain(&others) {
        std::fs::write(dir.path().join(name), b"x").expect("plant a file");
    }
    std::fs::create_dir(dir.path().join(".vault.latchkey.tmp-aaaaaaaaaaaaaaaa")).expect("mkdir");

    assert_eq!(store.remove_leftovers().expect("remove leftovers"), 2);
    let mut want: Vec<&str> = others.to_vec();
    want.extend([
        ".vault.latchkey.tmp-aaaaaaaaaaaaaaaa",
        "vault.latchkey",
        "vault.latchkey.bak",
    ]);
    want.sort_unstable();
    assert_eq!(dir_entries(dir.path()), want);
    assert_eq!(&store.unlock(PASS).expect("unlock").1[..], b"v2");
}

#[test]
fn each_save_uses_a_fresh_nonce() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    let mut session = store.create(PASS, kdf(), b"same", 1).unwrap();
    let a = std::fs::read(store.path()).unwrap();
    store.save(&mut session, b"same", 1).unwrap();
    let b = std::fs::read(store.path()).unwrap();
    assert_ne!(a, b);
}

#[test]
fn changed_on_disk_is_refused_and_file_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    let mut first = store.create(PASS, kdf(), b"v1", 1).unwrap();
    let (mut second, _) = store.unlock(PASS).unwrap();
    store.save(&mut second, b"from second", 1).unwrap();
    let on_disk = std::fs::read(store.path()).unwrap();
    let backup = std::fs::read(store.backup_path()).unwrap();

    let err = store.save(&mut first, b"from first", 1).unwrap_err();
    assert!(matches!(err, VaultError::ChangedOnDisk(_)), "{err:?}");
    assert_eq!(std::fs::read(store.path()).unwrap(), on_disk);
    assert_eq!(std::fs::read(store.backup_path()).unwrap(), backup);
    assert_eq!(
        dir_entries(dir.path()),
        ["vault.latchkey", "vault.latchkey.bak"]
    );

    // Replaced by garbage, or damaged in place: still refused.
    std::fs::write(store.path(), b"not a vault").unwrap();
    assert!(matches!(
        store.save(&mut second, b"x", 1),
        Err(VaultError::ChangedOnDisk(_))
    ));
    assert_eq!(std::fs::read(store.path()).unwrap(), b"not a vault");
    let mut damaged = on_disk.clone();
    damaged[20] ^= 1;
    std::fs::write(store.path(), &damaged).unwrap();
    assert!(matches!(
        store.save(&mut second, b"x", 1),
        Err(VaultError::ChangedOnDisk(_))
    ));
    assert_eq!(std::fs::read(store.path()).unwrap(), damaged);
    let err = store
        .change_passphrase(&mut second, PASS, b"new", kdf(), b"x", 1)
        .unwrap_err();
    assert!(matches!(err, VaultError::ChangedOnDisk(_)), "{err:?}");
    assert_eq!(std::fs::read(store.path()).unwrap(), damaged);

    // Removed: not silently re-created.
    std::fs::remove_file(store.path()).unwrap();
    assert!(matches!(
        store.save(&mut second, b"x", 1),
        Err(VaultError::ChangedOnDisk(_))
    ));
    assert!(!store.exists());
    assert_eq!(dir_entries(dir.path()), ["vault.latchkey.bak"]);

    // Put back exactly as the session knew it: saving works again.
    std::fs::write(store.path(), &on_disk).unwrap();
    store.save(&mut second, b"back", 1).unwrap();
    assert_eq!(&store.unlock(PASS).unwrap().1[..], b"back");
}

#[test]
fn change_passphrase_rewraps_and_keeps_body() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    let mut session = store.create(PASS, kdf(), b"v1", 1).unwrap();
    let before = std::fs::read(store.path()).unwrap();

    let err = store
        .change_passphrase(&mut session, b"wrong", b"new", kdf(), b"v2", 2)
        .unwrap_err();
    assert!(matches!(err, VaultError::BadPassphrase), "{err:?}");
    assert_eq!(std::fs::read(store.path()).unwrap(), before);

    let stronger = KdfParams {
        m_cost: 64,
        t_cost: 2,
        p_cost: 1,
    };
    store
        .change_passphrase(&mut session, PASS, b"new passphrase", stronger, b"v2", 2)
        .unwrap();
    assert!(matches!(store.unlock(PASS), Err(VaultError::BadPassphrase)));
    let (_, body) = store.unlock(b"new passphrase").unwrap();
    assert_eq!(&body[..], b"v2");
    assert_eq!(store.inspect().unwrap().kdf, stronger);
    // The old version (old passphrase) is the backup.
    assert_eq!(std::fs::read(store.backup_path()).unwrap(), before);

    // The session stays usable, and now needs the new passphrase to change it again.
    store.save(&mut session, b"v3", 3).unwrap();
    assert!(matches!(
        store.change_passphrase(&mut session, PASS, b"x", kdf(), b"v3", 3),
        Err(VaultError::BadPassphrase)
    ));
    store
        .change_passphrase(&mut session, b"new passphrase", PASS, kdf(), b"v4", 4)
        .unwrap();
    assert_eq!(&store.unlock(PASS).unwrap().1[..], b"v4");
    assert_eq!(
        dir_entries(dir.path()),
        ["vault.latchkey", "vault.latchkey.bak"]
    );
}

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

#[test]
fn failed_save_leaves_the_vault_and_no_temp_files() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    let mut session = store.create(PASS, kdf(), b"v1", 1).unwrap();
    let before = std::fs::read(store.path()).unwrap();
    // A non-empty directory where the backup should go: the backup rename fails.
    std::fs::create_dir(store.backup_path()).unwrap();
    std::fs::write(store.backup_path().join("keep"), b"x").unwrap();
    let err = store.save(&mut session, b"v2", 2).unwrap_err();
    assert!(matches!(err, VaultError::Io { .. }), "{err:?}");
    assert_eq!(std::fs::read(store.path()).unwrap(), before);
    assert_eq!(
        dir_entries(dir.path()),
        ["vault.latchkey", "vault.latchkey.bak"]
    );
    // The session is still in step with the file once the obstacle is gone.
    std::fs::remove_dir_all(store.backup_path()).unwrap();
    store.save(&mut session, b"v2", 2).unwrap();
    assert_eq!(&store.unlock(PASS).unwrap().1[..], b"v2");
}
