//! Flooding by an app that is not Latchkey's client (python3 with dbus-python, as an attacker
//! would run it): its account adds are bounded and deduplicated, a burst of changes leaves one
//! backup without pushing earlier days out, and its calls do not keep the vault unlocked.

use super::*;
use latchkey_dbus::BackupProxy;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A foreign app: python3 calling the daemon with dbus-python; prints one JSON value.
const PYTHON_APP: &str = r#"
import dbus, json, sys, time
bus = dbus.SessionBus()
obj = bus.get_object('org.latchkey.Latchkey1', '/org/latchkey/Latchkey1')
vault = dbus.Interface(obj, 'org.latchkey.Latchkey1.Vault')
props = dbus.Interface(obj, 'org.freedesktop.DBus.Properties')
def attempt(call):
    try:
        return ['ok', str(call())]
    except dbus.exceptions.DBusException as e:
        return [e.get_dbus_name(), e.get_dbus_message()]
mode = sys.argv[1]
if mode == 'add':
    print(json.dumps([attempt(lambda: vault.AddUri(uri)) for uri in sys.argv[2:]]))
elif mode == 'codes':
    account, seconds = sys.argv[2], float(sys.argv[3])
    end = time.monotonic() + seconds
    out = []
    while time.monotonic() < end:
        out.append(attempt(lambda: vault.GetCode(account)[0])[0])
        time.sleep(0.5)
    locked = bool(props.Get('org.latchkey.Latchkey1.Vault', 'Locked'))
    print(json.dumps({'calls': out, 'locked': locked}))
"#;

/// Runs the python app on `bus` with `args`; its JSON output.
fn python_app(bus: &TestBus, args: &[&str]) -> serde_json::Value {
    let mut cmd = bus.command(Path::new("/usr/bin/python3"));
    cmd.arg("-c").arg(PYTHON_APP).args(args);
    let out = run_bounded(cmd, "");
    assert!(
        out.status.success(),
        "python app failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("python app prints JSON")
}

/// Runs `cmd` with `stdin` to completion, killing it (by its PID) after 60 s.
fn run_bounded(mut cmd: Command, stdin: &str) -> std::process::Output {
    use std::io::Write;
    let limit = Duration::from_secs(60);
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin.as_bytes()).expect("stdin");
    }
    let deadline = Instant::now() + limit;
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs our own CLI (`latchkey`, a trusted client) with `args` and `stdin`.
fn cli(bus: &TestBus, args: &[&str], stdin: &str) -> std::process::Output {
    let mut cmd = bus.command(&latchkey_dbus::testing::target_bin("latchkey"));
    cmd.args(args);
    run_bounded(cmd, stdin)
}

fn cli_ok(bus: &TestBus, args: &[&str], stdin: &str) -> String {
    let out = cli(bus, args, stdin);
    assert!(
        out.status.success(),
        "latchkey {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// A distinct valid base32 secret for each `i` below 1024.
fn secret(i: usize) -> String {
    const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    format!(
        "JBSWY3DPEHPK3P{}{}",
        B32[i / 32 % 32] as char,
        B32[i % 32] as char
    )
}

fn uri(i: usize) -> String {
    format!("otpauth://totp/Flood:user{i}?secret={}", secret(i))
}

/// Writes config.toml before the daemon starts (foreign callers may not change settings).
fn write_config(bus: &TestBus, toml: &str) {
    let dir = bus.root().join("config/latchkey");
    std::fs::create_dir_all(&dir).expect("config dir");
    std::fs::write(dir.join("config.toml"), toml).expect("config");
}

/// A daemon that trusts only its own clients, with `toml` as its config.
fn foreign_setup(toml: &str) -> (TestBus, latchkey_dbus::testing::DaemonProcess) {
    let bus = TestBus::start(bin()).expect("bus");
    write_config(&bus, toml);
    let daemon = bus
        .spawn_daemon_with(bin(), &[("LATCHKEY_TEST_TRUST_ALL_CALLERS", "0")])
        .expect("daemon");
    cli_ok(&bus, &["init", "--passphrase-stdin"], "pw\n");
    (bus, daemon)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_app_adding_50_accounts_is_stopped_after_a_few() {
    let (bus, _daemon) = foreign_setup("");
    // The same account twice, then 49 others: only the first few get in.
    let mut args = vec!["add".to_string(), uri(0), uri(0)];
    args.extend((1..50).map(uri));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let results = python_app(&bus, &args);
    let results = results.as_array().expect("list");
    let names: Vec<&str> = results
        .iter()
        .map(|r| r[0].as_str().unwrap_or(""))
        .collect();
    assert_eq!(names[0], "ok");
    assert_eq!(
        names[1], "org.latchkey.Latchkey1.Error.AlreadyExists",
        "{:?}",
        results[1]
    );
    let added = names.iter().filter(|n| **n == "ok").count();
    assert_eq!(
        added, 5,
        "a foreign app adds 5 accounts per unlock: {names:?}"
    );
    assert!(names[2..6].iter().all(|n| *n == "ok"), "{names:?}");
    for r in &results[6..] {
        assert_eq!(
            r[0], "org.latchkey.Latchkey1.Error.AddLimitReached",
            "{r:?}"
        );
        let message = r[1].as_str().unwrap_or("");
        assert!(message.contains("in Latchkey itself"), "{message}");
    }
    let client = connect(&bus).await;
    let vault = crate::common::daemon::vault_proxy(&client).await;
    assert_eq!(vault.account_count().await.expect("count"), 5);
    // The user's own client is not bounded, and is deduplicated too.
    cli_ok(&bus, &["add", &uri(100)], "");
    let again = cli(&bus, &["add", &uri(100)], "");
    assert!(!again.status.success(), "the same account twice");
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("already in Latchkey"), "{stderr}");
    assert_eq!(vault.account_count().await.expect("count"), 6);
}

/// This machine's name as backup names spell it (`backup/names.rs`).
fn host() -> String {
    let raw = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let host: String = raw
        .trim()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(64)
        .collect();
    if host.is_empty() {
        "localhost".into()
    } else {
        host
    }
}

/// `latchkey-<host>-<YYYYMMDD>T<HHMMSS>.<mmm>Z.latchkey` for `millis`, via `date -u`.
fn backup_name(millis: u64) -> String {
    let out = Command::new("date")
        .args(["-u", "-d", &format!("@{}", millis / 1000), "+%Y%m%dT%H%M%S"])
        .output()
        .expect("date");
    let stamp = String::from_utf8(out.stdout).expect("utf-8");
    format!(
        "latchkey-{}-{}.{:03}Z.latchkey",
        host(),
        stamp.trim(),
        millis % 1000
    )
}

fn backups_in(folder: &Path) -> Vec<PathBuf> {
    let mut list: Vec<PathBuf> = std::fs::read_dir(folder)
        .expect("folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "latchkey"))
        .collect();
    list.sort();
    list
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_changes_writes_one_backup_and_earlier_days_survive() {
    let bus = TestBus::start(bin()).expect("bus");
    write_config(&bus, "backup_keep = 3\n");
    let folder = bus.root().join("data/latchkey/backups");
    std::fs::create_dir_all(&folder).expect("folder");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as u64;
    // Backups this machine wrote three days ago and a few minutes ago (any content: pruning
    // goes by the name).
    let old = folder.join(backup_name(now - 3 * 86_400_000));
    let earlier = [now - 120_000, now - 60_000].map(|t| folder.join(backup_name(t)));
    for f in std::iter::once(&old).chain(&earlier) {
        std::fs::write(f, b"an earlier backup").expect("seed");
    }
    let _daemon = bus.spawn_daemon(bin()).expect("daemon");
    let client = connect(&bus).await;
    let vault = VaultProxy::new(&client).await.expect("vault");
    vault.create("pw").await.expect("create");
    for i in 0..20 {
        vault.add_uri(&uri(i)).await.expect("add");
    }
    let backup = BackupProxy::builder(&client)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .expect("backup");
    // Backups follow the changes without holding up their replies: wait (up to 5 s) until
    // the folder settles with the last add's backup in it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let (after, last) = loop {
        let after = backups_in(&folder);
        let last = backup.last_backup_file().await.expect("last");
        let settled = after.len() == 3 && after.iter().any(|p| p.ends_with(&last));
        if settled || std::time::Instant::now() > deadline {
            break (after, last);
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    let new: Vec<&PathBuf> = after
        .iter()
        .filter(|p| *p != &old && !earlier.contains(p))
        .collect();
    assert_eq!(
        new.len(),
        1,
        "20 adds in a burst leave one backup: {after:?}"
    );
    assert!(
        old.exists(),
        "the backup of an earlier day survives the burst: {after:?}"
    );
    assert_eq!(after.len(), 3, "backup_keep = 3: {after:?}");
    assert!(new[0].ends_with(&last), "{last} is the burst's backup");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_code_requests_do_not_keep_the_vault_unlocked() {
    let (bus, _daemon) = foreign_setup("auto_lock_timeout = 2\nrequire_app_consent = false\n");
    let id = cli_ok(&bus, &["add", &uri(0)], "").trim().to_string();
    let client = connect(&bus).await;
    let vault = crate::common::daemon::vault_proxy(&client).await;
    // Our own client's code requests every 0.5 s for 4 s keep it unlocked past the 2 s timeout.
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(4) {
        cli_ok(&bus, &["code", &id], "");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(
        !vault.locked().await.expect("locked"),
        "own client activity must keep the vault unlocked"
    );
    // Another app asking for a code every 0.5 s for 6 s does not.
    let report = python_app(&bus, &["codes", &id, "6"]);
    let calls = report["calls"].as_array().expect("calls");
    assert_eq!(
        calls[0], "ok",
        "consent is off: the app gets codes while unlocked"
    );
    assert!(
        calls
            .iter()
            .any(|c| *c == "org.latchkey.Latchkey1.Error.Locked"),
        "the vault locked while the app kept asking: {calls:?}"
    );
    assert_eq!(report["locked"], true, "{report}");
    assert_eq!(
        vault.lock_reason().await.expect("reason"),
        "inactivity",
        "locked by the inactivity timer"
    );
}
