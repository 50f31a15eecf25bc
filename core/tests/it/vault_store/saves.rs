//! Saving: the private backup, fresh nonces, temp-file leftovers, files changed on disk,
//! passphrase changes, and failed saves that leave everything as it was.

use super::*;

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
