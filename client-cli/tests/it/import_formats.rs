//! `latchkey import` of 2FAS, andOTP, FreeOTP+, Bitwarden and QR images end to end (real CLI
//! and daemon on a private bus), with fixtures from core/tests/data/import/
//! make_fixtures_formats.py and make_qr_fixtures.py (Python, independent of our code).

use crate::common::Env;

const PASS: &str = "import test passphrase\n";

fn fixture(name: &str) -> String {
    format!(
        "{}/../core/tests/data/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn counts(text: &str) -> (usize, usize, usize) {
    let v: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
    let n = |k: &str| v[k].as_array().map(Vec::len).unwrap_or(usize::MAX);
    (n("added"), n("skipped"), n("failed"))
}

fn initialized() -> Env {
    let env = Env::new();
    env.ok(&["init", "--passphrase-stdin"], Some("vault pass\n"));
    env
}

#[test]
fn encrypted_exports_need_the_right_passphrase_and_add_nothing_otherwise() {
    let env = initialized();
    let vault = std::fs::read(env.bus.vault_path()).expect("vault");
    for (name, format) in [
        ("2fas-encrypted.2fas", "2FAS"),
        ("andotp-encrypted.json.aes", "andOTP"),
    ] {
        let file = fixture(name);
        let out = env.run(&["import", &file, "--passphrase-stdin"], Some("wrong\n"));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(6), "{name}: {stderr}");
        assert!(
            stderr.contains(&format!("wrong passphrase for the {format} export")),
            "{stderr}"
        );
        let out = env.run(&["import", &file, "--passphrase-stdin"], Some("\n"));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(6), "{name}: {stderr}");
        assert!(
            stderr.contains(&format!("the {format} export is encrypted")),
            "{stderr}"
        );
    }
    assert_eq!(
        std::fs::read(env.bus.vault_path()).expect("vault"),
        vault,
        "the vault file is byte-identical after refused imports"
    );
    let text = env.ok(
        &[
            "import",
            &fixture("2fas-encrypted.2fas"),
            "--passphrase-stdin",
        ],
        Some(PASS),
    );
    assert!(text.contains("Added 4 account(s)"), "{text}");
    // The same four accounts in every other format: all duplicates. andOTP's first encrypted
    // format has no header, so it is read when named.
    for args in [
        vec!["--format", "andotp", "andotp-encrypted-old.json.aes"],
        vec!["andotp-encrypted.json.aes"],
    ] {
        let (name, flags) = args.split_last().expect("name");
        let file = fixture(name);
        let mut cmd = vec!["import", file.as_str(), "--passphrase-stdin", "--json"];
        cmd.extend(flags);
        let out = env.ok(&cmd, Some(PASS));
        assert_eq!(counts(&out), (0, 4, 0), "{name}");
    }
    for name in [
        "2fas-plain.2fas",
        "andotp-plain.json",
        "freeotp-plus.json",
        "bitwarden.json",
    ] {
        let out = env.ok(&["import", &fixture(name), "--json"], None);
        assert_eq!(counts(&out), (0, 4, 0), "{name}");
    }
}

#[test]
fn qr_images_bitwarden_and_named_errors() {
    let env = initialized();
    let out = env.ok(&["import", &fixture("qr-multi.png")], None);
    assert!(out.contains("Added 5 account(s)"), "{out}");
    assert!(
        out.contains("Note: 1 QR code(s) without an otpauth:// URI passed over"),
        "{out}"
    );
    // GitHub (alice) came with the migration code, with the same secret.
    let out = env.ok(&["import", &fixture("qr-single.jpg"), "--json"], None);
    assert_eq!(counts(&out), (0, 1, 0));
    let vault = std::fs::read(env.bus.vault_path()).expect("vault");

    let (_, stderr) = env.fails(&["import", &fixture("bitwarden-encrypted.json")], 1);
    assert!(stderr.contains("\"JSON (Encrypted)\""), "{stderr}");
    let (_, stderr) = env.fails(&["import", &fixture("qr-none.png")], 1);
    assert!(stderr.contains("QR image: no QR code found"), "{stderr}");
    let (_, stderr) = env.fails(&["import", &fixture("qr-huge.png")], 1);
    assert!(stderr.contains("too large"), "{stderr}");
    let (_, stderr) = env.fails(
        &["import", &fixture("2fas-plain.2fas"), "--format", "qr"],
        1,
    );
    assert!(stderr.contains("not a PNG or JPEG image"), "{stderr}");
    let (_, stderr) = env.fails(
        &[
            "import",
            &fixture("freeotp-plus.json"),
            "--format",
            "bitwarden",
        ],
        1,
    );
    assert!(
        stderr.contains("Bitwarden: the export has no items"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(env.bus.vault_path()).expect("vault"), vault);
}

/// Without `--passphrase-stdin` the CLI asks on the terminal only once the daemon says the
/// export is encrypted; `script` (util-linux) gives it a real pseudo-terminal.
#[test]
fn terminal_prompt_when_the_daemon_asks_for_a_passphrase() {
    use std::io::Write;
    use std::process::Stdio;
    let env = initialized();
    let cmdline = format!(
        "{} import {}",
        crate::common::cli_bin().display(),
        fixture("andotp-encrypted.json.aes")
    );
    let mut child = env
        .bus
        .command(std::path::Path::new("script"))
        .args(["-qec", &cmdline, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script (util-linux) runs");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin
        .write_all(PASS.as_bytes())
        .expect("type the passphrase");
    drop(stdin);
    let out = child.wait_with_output().expect("finishes");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("the andOTP export is encrypted"), "{text}");
    assert!(text.contains("Passphrase of the export:"), "{text}");
    assert!(text.contains("Added 4 account(s)"), "{text}");
}
