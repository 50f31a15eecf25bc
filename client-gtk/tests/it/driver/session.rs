//! The environment the GTK tests share: a private bus, a real daemon, a seeded vault, and
//! independent references (oathtool for codes, xclip for the clipboard).

use latchkey_dbus::testing::{DaemonProcess, TestBus, target_bin};
use serde_json::Value;
use std::process::{Command, Stdio};

/// The vault's passphrase.
pub const PASS: &str = "right horse battery";
/// GitHub's seed (base32), for oathtool.
pub const GITHUB_SECRET: &str = "JBSWY3DPEHPK3PXP";

/// A bus with a daemon (every caller trusted, or consent required) and an unlocked vault
/// holding GitHub's account, whose id is returned.
pub fn seeded(trust_all: bool) -> (TestBus, DaemonProcess, String) {
    let daemon_bin = target_bin("latchkeyd");
    let bus = TestBus::start(&daemon_bin).expect("bus");
    let trust = if trust_all { "1" } else { "0" };
    let daemon = bus
        .spawn_daemon_with(&daemon_bin, &[("LATCHKEY_TEST_TRUST_ALL_CALLERS", trust)])
        .expect("daemon");
    bus.call(
        "org.latchkey.Latchkey1.Vault.Create",
        &[&format!("string:{PASS}")],
    )
    .expect("create");
    let uri = format!("otpauth://totp/GitHub:alice?secret={GITHUB_SECRET}&issuer=GitHub");
    let id = bus
        .call(
            "org.latchkey.Latchkey1.Vault.AddUri",
            &[&format!("string:{uri}")],
        )
        .expect("add")
        .trim()
        .to_string();
    (bus, daemon, id)
}

/// `latchkey unlock` with `passphrase` on stdin; its exit code.
pub fn cli_unlock(bus: &TestBus, passphrase: &str) -> Option<i32> {
    use std::io::Write;
    let mut cmd = bus
        .command(&target_bin("latchkey"))
        .args(["unlock", "--passphrase-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("latchkey unlock");
    let mut stdin = cmd.stdin.take().expect("stdin");
    writeln!(stdin, "{passphrase}").expect("write the passphrase");
    drop(stdin);
    cmd.wait().expect("wait").code()
}

/// Runs the CLI on the test bus.
pub fn cli(bus: &TestBus, args: &[&str]) -> std::process::Output {
    bus.command(&target_bin("latchkey"))
        .args(args)
        .output()
        .expect("run latchkey")
}

/// The issuers of the rows the app reports, in order.
pub fn issuers(s: &Value) -> Vec<String> {
    s["rows"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| r["issuer"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The encrypted Aegis export written by an independent script
/// (core/tests/data/import/make_fixtures.py), whose password is [`AEGIS_PASSWORD`].
pub fn aegis_fixture() -> std::path::PathBuf {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../core/tests/data/import/aegis-encrypted-v3.json");
    std::fs::canonicalize(path).expect("the Aegis fixture")
}

/// The Aegis fixture's password (make_fixtures.py).
pub const AEGIS_PASSWORD: &str = "import test passphrase";

/// Asserts that the `CODE <account> <digits>` lines a11y/journey.py's `codes` step printed are
/// oathtool's codes for the Aegis fixture's two time-based accounts (GitHub: SHA-1, 6 digits,
/// 30 s; Corp: SHA-256, 8 digits, 60 s).
pub fn fixture_codes_hold(out: &str) {
    let shown: Vec<(&str, &str)> = out
        .lines()
        .filter_map(|l| l.strip_prefix("CODE "))
        .filter_map(|l| l.rsplit_once(' '))
        .collect();
    let github = totp_codes(GITHUB_SECRET, "sha1", 6, 30);
    let corp = totp_codes("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "sha256", 8, 60);
    assert_eq!(shown.len(), 2, "{out}");
    for (account, code) in shown {
        let expected = match account {
            "GitHub (alice@example.com)" => &github,
            "Corp (bob)" => &corp,
            other => panic!("a code for an account not asked for: {other}"),
        };
        assert!(
            expected.iter().any(|e| e == code),
            "{account}: shown {code}, oathtool says one of {expected:?}"
        );
    }
}

/// TOTP codes (SHA-1, 6 digits, 30 s) for the windows around now, from oathtool.
pub fn reference_codes(secret: &str) -> Vec<String> {
    totp_codes(secret, "sha1", 6, 30)
}

/// TOTP codes of `secret` (base32) for the windows around now, from oathtool: the previous,
/// current and next one, so a code read at a window's edge still matches.
pub fn totp_codes(secret: &str, algorithm: &str, digits: u32, period: u64) -> Vec<String> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let out = Command::new("oathtool")
        .args([
            &format!("--totp={algorithm}"),
            "-b",
            "-d",
            &digits.to_string(),
            "-s",
            &format!("{period}s"),
            "-w",
            "2",
            &format!("--now=@{}", now - period),
            secret,
        ])
        .output()
        .expect("oathtool (apt install oathtool)");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// The clipboard's text as another X client (xclip) reads it.
pub fn clipboard(display: &str) -> String {
    let out = Command::new("xclip")
        .args(["-selection", "clipboard", "-o"])
        .env("DISPLAY", display)
        .output()
        .expect("xclip (apt install xclip)");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A third-party program (dbus-send) asking for account `id`'s code, waiting up to 60 s for the
/// user's answer.
pub fn ask_code(bus: &TestBus, id: &str) -> std::process::Child {
    Command::new("dbus-send")
        .env("DBUS_SESSION_BUS_ADDRESS", bus.address())
        .args([
            "--session",
            "--print-reply=literal",
            "--reply-timeout=60000",
            "--dest=org.latchkey.Latchkey1",
            "/org/latchkey/Latchkey1",
            "org.latchkey.Latchkey1.Vault.GetCode",
            &format!("string:{id}"),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dbus-send")
}
