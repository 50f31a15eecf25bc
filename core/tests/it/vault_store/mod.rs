//! Behaviour of `vault::Store`: round trips, refusals, backups, permissions and slot handling.
//!
//! Here: creating and opening. [`saves`]: saving, backups, leftovers and passphrase changes.
//! [`format`]: the file format against an independent writer, and what errors show.

mod format;
mod saves;

use latchkey_core::vault::{KdfParams, Store, VaultError};
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
