//! Automatic backups against the real daemon: one after each change, 0600 in a 0700 folder,
//! pruned to BackupKeep without touching other files; restoring the newest one on a "fresh
//! machine" (another private bus and data directory, nothing but the file and the passphrase)
//! gives the same accounts and codes; damaged files and wrong passphrases change nothing.

use crate::common::daemon::{add_bank_account, bin, connect, time_codes, vault_proxy};
use latchkey_dbus::testing::TestBus;
use latchkey_dbus::{BackupProxy, Error, SettingsProxy, VaultProxy};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

const PASS: &str = "backup pass";
const FOREIGN: [&str; 3] = [
    "notes.txt",
    "latchkey-otherbox-20200101T000000.000Z.latchkey",
    "vault.latchkey",
];

async fn proxies(conn: &zbus::Connection) -> (VaultProxy<'_>, BackupProxy<'_>) {
    let vault = vault_proxy(conn).await;
    let backup = BackupProxy::builder(conn)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .expect("backup");
    (vault, backup)
}

/// Our backups in `folder`, oldest first (names from ListBackups, checked on disk).
async fn ours(backup: &BackupProxy<'_>) -> Vec<String> {
    let (_, list) = backup.list_backups().await.expect("list");
    list.into_iter().filter(|b| b.3).map(|b| b.0).collect()
}

/// Runs `change` and waits (up to 5 s) for its automatic backup to be written or to fail:
/// backups follow a change, they do not hold up its reply.
async fn backed_up<T>(backup: &BackupProxy<'_>, change: impl std::future::Future<Output = T>) -> T {
    let last = async || {
        (
            backup.last_backup_file().await.expect("last file"),
            backup.last_backup_error().await.expect("last error"),
        )
    };
    let before = last().await;
    let value = change.await;
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while last().await == before {
        assert!(
            std::time::Instant::now() < deadline,
            "no automatic backup after the change"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    value
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).expect("stat").permissions().mode() & 0o777
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backups_follow_changes_and_restore_on_a_fresh_machine() {
    let bus = TestBus::start(bin()).expect("bus");
    let _daemon = bus.spawn_daemon(bin()).expect("daemon");
    let conn = connect(&bus).await;
    let (vault, backup) = proxies(&conn).await;
    let settings = SettingsProxy::new(&conn).await.expect("settings");
    let folder: PathBuf = bus.root().join("synced/latchkey");
    let e = settings
        .set_backup_folder("relative/dir")
        .await
        .expect_err("relative");
    assert!(e.to_string().contains("absolute"), "{e}");
    settings
        .set_backup_folder(folder.to_str().expect("utf-8"))
        .await
        .expect("folder");
    settings.set_backup_keep(3).await.expect("keep");
    assert_eq!(
        backup.folder().await.expect("Folder"),
        folder.display().to_string()
    );

    vault.create(PASS).await.expect("create");
    assert!(
        ours(&backup).await.is_empty(),
        "an empty new vault needs no backup"
    );
    std::fs::create_dir_all(&folder).expect("folder");
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    for name in FOREIGN {
        std::fs::write(folder.join(name), name).expect("foreign file");
    }

    let id = backed_up(
        &backup,
        vault.add_uri("otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example"),
    )
    .await
    .expect("add");
    let first = ours(&backup).await;
    assert_eq!(first.len(), 1, "a backup after add");
    let mut changes = std::collections::HashMap::new();
    changes.insert("issuer", zbus::zvariant::Value::from("Renamed"));
    backed_up(&backup, vault.update_account(&id, changes))
        .await
        .expect("rename");
    // A burst of changes leaves one backup, always of the newest state.
    let renamed = ours(&backup).await;
    assert_eq!(renamed.len(), 1, "the rename's backup replaced the add's");
    assert_ne!(renamed, first, "a backup after rename");
    let second = backed_up(&backup, add_bank_account(&vault)).await;
    assert_eq!(ours(&backup).await.len(), 1);
    // Backups on demand are never replaced; they end the burst.
    for _ in 0..3 {
        backup.backup_now().await.expect("backup now");
    }
    assert_eq!(ours(&backup).await.len(), 3, "pruned to BackupKeep");
    let third = backed_up(
        &backup,
        vault.add_account("Temp", "x", "ONSWG4TFOQYTEMZU", "totp", "sha1", 6, 30, 0),
    )
    .await
    .expect("add 3");
    backed_up(&backup, vault.remove_account(&third))
        .await
        .expect("remove");
    let kept = ours(&backup).await;
    assert_eq!(kept.len(), 3, "pruned to BackupKeep: {kept:?}");
    assert_eq!(backup.last_backup_file().await.expect("last"), kept[2]);
    assert_eq!(backup.last_backup_error().await.expect("error"), "");
    assert_eq!(mode(&folder), 0o700);
    for name in &kept {
        assert_eq!(mode(&folder.join(name)), 0o600, "{name}");
    }
    for name in FOREIGN {
        assert_eq!(
            std::fs::read_to_string(folder.join(name)).expect("foreign file kept"),
            name
        );
    }
    let (_, all) = backup.list_backups().await.expect("list");
    assert!(
        all.iter().any(|b| b.0 == FOREIGN[1] && !b.3),
        "other machine's backup listed"
    );
    assert!(!all.iter().any(|b| b.0 == "notes.txt"));
    let newest = std::fs::read(folder.join(&kept[2])).expect("newest backup");
    assert!(!String::from_utf8_lossy(&newest).contains("JBSWY3DPEHPK3PXP"));

    // The newest backup already holds the last change (the removal).
    let expected = time_codes(&vault).await;
    assert_eq!(expected.len(), 2);
    let _ = second;

    // A fresh machine: its own bus and data directory, no vault. Damage first: nothing appears.
    let fresh = TestBus::start(bin()).expect("fresh bus");
    let _fresh_daemon = fresh.spawn_daemon(bin()).expect("fresh daemon");
    let fresh_conn = connect(&fresh).await;
    let (fv, fb) = proxies(&fresh_conn).await;
    let mut flipped = newest.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x01;
    let truncated = &newest[..newest.len() - 40];
    for (what, bytes) in [
        ("flipped", &flipped[..]),
        ("truncated", truncated),
        ("empty", &b""[..]),
        ("not a backup", &b"{\"version\":1}"[..]),
    ] {
        let e = Error::from(fb.restore(bytes, PASS).await.expect_err(what));
        assert!(matches!(e, Error::InvalidArgument(_)), "{what}: {e:?}");
        assert!(
            e.message().contains("corrupted") || e.message().contains("not a Latchkey backup"),
            "{what}: {}",
            e.message()
        );
        assert!(!fv.initialized().await.expect("initialized"), "{what}");
        assert!(!fresh.vault_path().exists(), "{what}: no vault file");
    }
    let e = Error::from(fb.restore(&newest, "wrong").await.expect_err("wrong"));
    assert!(matches!(e, Error::BadPassphrase(_)), "{e:?}");
    assert!(!fresh.vault_path().exists());

    let (outcome, added, skipped) = fb.restore(&newest, PASS).await.expect("restore");
    assert_eq!((outcome.as_str(), added, skipped), ("created", 2, 0));
    assert!(
        !fv.locked().await.expect("locked"),
        "restored vault is unlocked"
    );
    assert_eq!(mode(&fresh.vault_path()), 0o600);
    let restored = time_codes(&fv).await;
    if restored.iter().zip(&expected).all(|(a, b)| a.3 == b.3) {
        assert_eq!(restored, expected, "same codes on the fresh machine");
    }
    // The restored vault is a normal vault: it locks and unlocks with the same passphrase.
    fv.lock().await.expect("lock");
    fv.unlock(PASS).await.expect("unlock restored vault");

    // Into an existing unlocked vault the backup merges: everything is already there.
    let (outcome, added, skipped) = backup.restore(&newest, PASS).await.expect("merge");
    assert_eq!((outcome.as_str(), added, skipped), ("merged", 0, 2));
    // A locked vault is refused.
    vault.lock().await.expect("lock");
    let e = Error::from(backup.restore(&newest, PASS).await.expect_err("locked"));
    assert!(matches!(e, Error::Locked(_)), "{e:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_backup_never_blocks_the_change() {
    let bus = TestBus::start(bin()).expect("bus");
    let _daemon = bus.spawn_daemon(bin()).expect("daemon");
    let conn = connect(&bus).await;
    let (vault, backup) = proxies(&conn).await;
    let settings = SettingsProxy::new(&conn).await.expect("settings");
    // A file where the folder should be: the backup cannot be written.
    let blocker = bus.root().join("not-a-dir");
    std::fs::write(&blocker, b"x").expect("blocker");
    settings
        .set_backup_folder(blocker.to_str().expect("utf-8"))
        .await
        .expect("folder");
    vault.create(PASS).await.expect("create");
    backed_up(
        &backup,
        vault.add_uri("otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP"),
    )
    .await
    .expect("the change succeeds");
    assert_eq!(vault.account_count().await.expect("count"), 1);
    let error = backup.last_backup_error().await.expect("error");
    assert!(error.contains("not a directory"), "{error}");
    let e = Error::from(backup.backup_now().await.expect_err("fails"));
    assert!(matches!(e, Error::Storage(_)), "{e:?}");
    // Pointing it somewhere usable makes BackupNow work; turning automatic backups off stops them.
    settings
        .set_backup_folder("")
        .await
        .expect("default folder");
    let file = backup.backup_now().await.expect("backup now");
    let default = bus.root().join("data/latchkey/backups");
    assert!(default.join(&file).is_file());
    settings.set_automatic_backups(false).await.expect("off");
    vault
        .add_uri("otpauth://totp/C:d?secret=JBSWY3DPEHPK3PXP")
        .await
        .expect("add");
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        ours(&backup).await,
        vec![file],
        "no automatic backup when off"
    );
}
