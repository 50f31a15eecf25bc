//! `latchkey export` and `latchkey backup` end to end: the real CLI and daemon on private buses.

use crate::common::Env;
use std::os::unix::fs::PermissionsExt;

const PASS: &str = "vault pass\n";

fn initialized() -> Env {
    let env = Env::new();
    env.ok(&["init", "--passphrase-stdin"], Some(PASS));
    env.ok(
        &[
            "add",
            "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example",
        ],
        None,
    );
    env.ok(
        &[
            "add",
            "otpauth://hotp/Srv:root?secret=KRUGKIDROVUWG2ZAMJZG653OEBTG66BA&counter=3",
        ],
        None,
    );
    env
}

/// Runs `latchkey ARGS` until `done` accepts its output or 5 s passed, and returns the last
/// output: automatic backups follow a change, they do not hold up its reply.
fn once_backed_up(env: &Env, args: &[&str], done: impl Fn(&str) -> bool) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let out = env.ok(args, None);
        if done(&out) || std::time::Instant::now() > deadline {
            return out;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

fn list(env: &Env) -> serde_json::Value {
    serde_json::from_str(&env.ok(&["list", "--json"], None)).expect("json")
}

fn labels(env: &Env) -> Vec<String> {
    let mut v: Vec<String> = list(env)
        .as_array()
        .expect("array")
        .iter()
        .map(|a| format!("{}:{}", a["issuer"], a["account"]))
        .collect();
    v.sort();
    v
}

fn code(env: &Env, query: &str) -> String {
    env.ok(&["code", query, "--quiet"], None).trim().to_string()
}

#[test]
fn export_writes_private_files_and_imports_back() {
    let env = initialized();
    let out = env.root().join("export.aegis.json");
    let path = out.to_str().expect("utf-8");
    let aegis_args = [
        "export",
        "--format",
        "aegis",
        "--output",
        path,
        "--passphrase-stdin",
    ];
    env.ok(&aegis_args, Some(PASS));
    let mode = std::fs::metadata(&out)
        .expect("written")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    let text = std::fs::read_to_string(&out).expect("read");
    assert!(!text.contains("JBSWY3DPEHPK3PXP"), "encrypted by default");
    // Never over an existing file without --force.
    let before = std::fs::read(&out).expect("read");
    let refused = env.run(&aegis_args, Some(PASS));
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--force"));
    assert_eq!(std::fs::read(&out).expect("read"), before, "left untouched");
    env.ok(
        &[
            "export",
            "--format",
            "latchkey",
            "--output",
            path,
            "--force",
            "--passphrase-stdin",
        ],
        Some(PASS),
    );
    assert!(std::fs::read(&out).expect("read").starts_with(b"LATCHKEY"));

    // Wrong passphrase: exit code 6, nothing written.
    let other = env.root().join("nothing.json");
    let bad = env.run(
        &[
            "export",
            "--format",
            "aegis",
            "--output",
            other.to_str().expect("utf-8"),
            "--passphrase-stdin",
        ],
        Some("wrong\n"),
    );
    assert_eq!(
        bad.status.code(),
        Some(6),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    assert!(!other.exists());

    // Plaintext needs the flag, and (without a terminal) --yes.
    let (_, err) = env.fails(&["export", "--format", "uris"], 2);
    assert!(err.contains("--plaintext"), "{err}");
    let (_, err) = env.fails(&["export", "--format", "uris", "--plaintext"], 2);
    assert!(err.contains("--yes"), "{err}");
    let uris = env.export_plain("uris", PASS, None);
    assert_eq!(uris.lines().count(), 2);
    assert!(uris.contains("secret=JBSWY3DPEHPK3PXP"), "{uris}");

    // Into a second vault: the latchkey export and the URI list both give the same accounts.
    let second = Env::new();
    second.ok(&["init", "--passphrase-stdin"], Some("second pass\n"));
    let imported = second.ok(&["import", path, "--passphrase-stdin"], Some(PASS));
    assert!(imported.contains('2'), "{imported}");
    assert_eq!(labels(&second), labels(&env));
    assert_eq!(code(&second, "Example"), code(&env, "Example"));
    let uri_file = second.root().join("uris.txt");
    std::fs::write(&uri_file, &uris).expect("write");
    let again = second.ok(
        &["import", uri_file.to_str().expect("utf-8"), "--json"],
        None,
    );
    let again: serde_json::Value = serde_json::from_str(&again).expect("json");
    assert_eq!(
        again["skipped"].as_array().map(Vec::len),
        Some(2),
        "same accounts: {again}"
    );
}

#[test]
fn backup_now_list_and_restore_on_a_fresh_machine() {
    let env = initialized();
    let listed = once_backed_up(&env, &["backup", "list", "--json"], |l| {
        l.matches(".latchkey\"").count() == 1
    });
    let listed: serde_json::Value = serde_json::from_str(&listed).expect("json");
    let backups = listed["backups"].as_array().expect("backups");
    assert_eq!(
        backups.len(),
        1,
        "two adds in a row leave one automatic backup, of the newest state: {listed}"
    );
    let folder = listed["folder"].as_str().expect("folder").to_string();
    assert_eq!(
        folder,
        env.root()
            .join("data/latchkey/backups")
            .display()
            .to_string()
    );
    let newest = env.ok(&["backup", "now"], None);
    let newest = newest.trim();
    assert!(std::path::Path::new(newest).is_file(), "{newest}");
    let human = env.ok(&["backup", "list"], None);
    assert!(human.contains("Backup folder:"), "{human}");
    assert_eq!(
        human.lines().filter(|l| l.contains(".latchkey")).count(),
        2,
        "BackupNow joins the history beside the automatic one"
    );

    let fresh = Env::new();
    let (_, err) = fresh.fails(&["backup", "restore", "/nonexistent/backup"], 1);
    assert!(err.contains("cannot read"), "{err}");
    let restored = fresh.ok(
        &["backup", "restore", newest, "--passphrase-stdin"],
        Some(PASS),
    );
    assert!(restored.contains("Restored 2 account(s)"), "{restored}");
    assert_eq!(labels(&fresh), labels(&env));
    assert_eq!(code(&fresh, "Example"), code(&env, "Example"));
    // Restoring again merges: nothing new.
    let merged = fresh.ok(
        &["backup", "restore", newest, "--passphrase-stdin"],
        Some(PASS),
    );
    assert!(
        merged.contains("0 account(s) added, 2 already there"),
        "{merged}"
    );
    // A damaged copy: a clear error, exit 1, nothing changed.
    let damaged = fresh.root().join("damaged.latchkey");
    let mut bytes = std::fs::read(newest).expect("read");
    bytes.truncate(bytes.len() - 5);
    std::fs::write(&damaged, &bytes).expect("write");
    let out = fresh.run(
        &[
            "backup",
            "restore",
            damaged.to_str().expect("utf-8"),
            "--passphrase-stdin",
        ],
        Some(PASS),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("corrupted"));
    assert_eq!(labels(&fresh).len(), 2);
}

#[test]
fn a_failing_backup_shows_in_status_and_settings_are_checked() {
    let env = initialized();
    let (_, err) = env.fails(&["config", "set", "backup_folder", "relative/dir"], 2);
    assert!(err.contains("absolute"), "{err}");
    let (_, err) = env.fails(&["config", "set", "backup_keep", "0"], 2);
    assert!(err.contains("between 1 and"), "{err}");
    let blocker = env.root().join("a-file");
    std::fs::write(&blocker, b"x").expect("write");
    env.ok(
        &[
            "config",
            "set",
            "backup_folder",
            blocker.to_str().expect("utf-8"),
        ],
        None,
    );
    assert_eq!(
        env.ok(&["config", "get", "backup_folder"], None).trim(),
        blocker.display().to_string()
    );
    env.ok(
        &["add", "otpauth://totp/New:one?secret=ONSWG4TFOQYTEMZU"],
        None,
    );
    let status = once_backed_up(&env, &["status"], |s| s.contains("automatic backup failed"));
    assert!(
        status.contains("the last automatic backup failed"),
        "{status}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["status", "--json"], None)).expect("json");
    assert!(
        json["backup_error"]
            .as_str()
            .is_some_and(|e| e.contains("not a directory")),
        "{json}"
    );
    assert_eq!(json["accounts"], 3, "the change itself succeeded");
}
