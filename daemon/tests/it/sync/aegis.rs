//! Following a phone's Aegis backups: encrypted backups written by an independent script from
//! Aegis's published format (add, edit, remove entries) are mirrored exactly by Aegis entry;
//! Latchkey's own accounts are untouched; the folder is never written to.

use super::Machine;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

const PASSWORD: &str = "aegis phone password";

fn write_backup(folder: &Path, name: &str, entries: &[(&str, &str, &str)]) {
    let spec = serde_json::json!({
        "path": folder.join(name),
        "password": PASSWORD,
        "entries": entries.iter().map(|(uuid, issuer, secret)| serde_json::json!({
            "uuid": uuid, "issuer": issuer, "name": "phone", "secret": secret,
        })).collect::<Vec<_>>(),
    });
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/sync/aegis_backup.py");
    let mut child = Command::new("/usr/bin/python3")
        .arg(script)
        .stdin(Stdio::piped())
        .spawn()
        .expect("python3 runs (apt install python3-cryptography)");
    serde_json::to_writer(child.stdin.take().expect("stdin"), &spec).expect("spec");
    assert!(
        child.wait().expect("waits").success(),
        "the backup writer failed"
    );
}

fn files(folder: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(folder)
        .expect("folder")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

async fn by_issuer(m: &Machine) -> BTreeMap<String, String> {
    m.accounts()
        .await
        .into_iter()
        .map(|(k, v)| (k, v.1))
        .collect()
}

#[tokio::test]
async fn the_newest_aegis_backup_is_mirrored_exactly_and_nothing_else_is_touched() {
    let phone = tempfile::tempdir().expect("folder");
    let m = Machine::start().await;
    m.vault().await.create(super::PASS).await.expect("create");
    let mine = m.add("Mine", 9).await;
    write_backup(
        phone.path(),
        "aegis-backup-20260101-080000.json",
        &[
            (
                "0f6b2a36-1a7e-4b89-9d3c-6b1f2a3c4d01",
                "Phone1",
                "JBSWY3DPEHPK3PXA",
            ),
            (
                "0f6b2a36-1a7e-4b89-9d3c-6b1f2a3c4d02",
                "Phone2",
                "JBSWY3DPEHPK3PXB",
            ),
        ],
    );
    let written = files(phone.path());
    let sync = m.sync().await;
    let folder = phone.path().to_str().expect("utf-8");
    let e = sync
        .follow_aegis(folder, "wrong password")
        .await
        .expect_err("a wrong password is caught at once");
    assert!(e.to_string().contains("BadPassphrase"), "{e}");
    sync.follow_aegis(folder, PASSWORD).await.expect("follow");
    super::until("the first backup is mirrored", || async {
        let a = by_issuer(&m).await;
        a.contains_key("Phone1") && a.contains_key("Phone2")
    })
    .await;
    let phone1 = by_issuer(&m).await["Phone1"].clone();

    // The phone renames one entry, removes one, adds one; a newer backup arrives.
    write_backup(
        phone.path(),
        "aegis-backup-20260102-080000.json",
        &[
            (
                "0f6b2a36-1a7e-4b89-9d3c-6b1f2a3c4d01",
                "Phone1 renamed",
                "JBSWY3DPEHPK3PXA",
            ),
            (
                "0f6b2a36-1a7e-4b89-9d3c-6b1f2a3c4d03",
                "Phone3",
                "JBSWY3DPEHPK3PXC",
            ),
        ],
    );
    super::until("the newer backup is mirrored exactly", || async {
        let a = by_issuer(&m).await;
        a.keys().cloned().collect::<Vec<_>>() == ["Mine", "Phone1 renamed", "Phone3"]
    })
    .await;
    let now = by_issuer(&m).await;
    assert_eq!(
        now["Phone1 renamed"], phone1,
        "an edit keeps the account (same id)"
    );
    assert_eq!(now["Mine"], mine, "Latchkey's own account is untouched");
    assert_eq!(
        sync.aegis_backup().await.expect("backup"),
        "aegis-backup-20260102-080000.json"
    );
    assert_eq!(sync.aegis_error().await.expect("error"), "");

    // An older backup arriving late changes nothing: the newest by name is what is mirrored.
    write_backup(
        phone.path(),
        "aegis-backup-20251231-080000.json",
        &[(
            "0f6b2a36-1a7e-4b89-9d3c-6b1f2a3c4d09",
            "Old",
            "JBSWY3DPEHPK3PXD",
        )],
    );
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert!(!by_issuer(&m).await.contains_key("Old"));

    // Latchkey never wrote into the phone's folder.
    let mut expected = written;
    expected.push("aegis-backup-20251231-080000.json".into());
    expected.push("aegis-backup-20260102-080000.json".into());
    expected.sort();
    assert_eq!(files(phone.path()), expected);

    // After stopping, newer backups are ignored and the mirrored accounts stay.
    sync.stop_following_aegis().await.expect("stop");
    write_backup(phone.path(), "aegis-backup-20260103-080000.json", &[]);
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(
        by_issuer(&m).await.keys().cloned().collect::<Vec<_>>(),
        ["Mine", "Phone1 renamed", "Phone3"]
    );
}
