//! A new user's whole journey in the app with no terminal (issue 15), through the accessibility
//! tree and the keyboard: a fresh profile with no vault, the vault created in the app, an
//! encrypted Aegis export (written by an independent script: core/tests/data/import/
//! make_fixtures.py) imported through the file chooser and its preview, codes read off the rows
//! equal to oathtool's, one copied (read back with xclip), an account added from a QR code image
//! through the file chooser, a backup exported, and restored into a second fresh profile.

use crate::driver::session::{
    AEGIS_PASSWORD, GITHUB_SECRET, cli, clipboard, fixture_codes_hold, totp_codes,
};
use crate::driver::{self, Accessible, Xvfb, a11y_run};
use latchkey_dbus::testing::{TestBus, target_bin};
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

const PASSPHRASE: &str = "correct horse battery staple";
const GITHUB: &str = "GitHub (alice@example.com)";

fn fixture() -> String {
    crate::driver::session::aegis_fixture()
        .display()
        .to_string()
}

/// The accounts the CLI lists, as `issuer account` lines, sorted.
fn listed(bus: &TestBus) -> Vec<String> {
    let out = cli(bus, &["list", "--json"]);
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("list json");
    let mut names: Vec<String> = v
        .as_array()
        .expect("an array")
        .iter()
        .map(|a| {
            format!(
                "{} {}",
                a["issuer"].as_str().unwrap_or(""),
                a["account"].as_str().unwrap_or("")
            )
        })
        .collect();
    names.sort();
    names
}

#[test]
fn a_new_user_does_everything_in_the_app_without_a_terminal() {
    if driver::display().is_none() {
        return;
    }
    // Keys are pressed (Ctrl+L in the file chooser): a display of its own.
    let x = Xvfb::start();
    let display = x.display().to_string();
    let bus = TestBus::start(&target_bin("latchkeyd")).expect("bus");
    let _daemon = bus.spawn_daemon(&target_bin("latchkeyd")).expect("daemon");
    let home = bus.root().join("home");
    let backup = home.join("my-latchkey-backup.latchkey");
    let image = home.join("matrix-qr.png");
    let status = Command::new("qrencode")
        .args(["-s", "6", "-o"])
        .arg(&image)
        .arg("otpauth://totp/Matrix:erin?secret=NBSWY3DPO5XXE3DE&issuer=Matrix")
        .status()
        .expect("qrencode (apt install qrencode)");
    assert!(status.success());
    let first = {
        let _app = Accessible::start(&bus, &display);
        let run = |args: &[&str]| a11y_run(&bus, &display, "journey.py", args);
        let out = run(&["create", PASSPHRASE, &fixture(), AEGIS_PASSWORD]);
        assert!(
            out.contains(
                "ACCOUNTS Bank (carol), Corp (bob), GitHub (alice@example.com), Steam (dave)"
            ),
            "{out}"
        );

        // The codes on screen are oathtool's.
        fixture_codes_hold(&run(&["codes"]));
        let github = totp_codes(GITHUB_SECRET, "sha1", 6, 30);

        // Copy: another X client reads GitHub's code from the clipboard.
        run(&["copy", GITHUB]);
        let copied = clipboard(&display);
        assert!(
            github.contains(&copied),
            "clipboard has {copied:?}, oathtool says one of {github:?}"
        );

        // A QR code image through the file chooser.
        run(&["qr", &image.display().to_string(), "Matrix (erin)"]);

        // Moved to a phone: after the passphrase, its QR code and link, which holds its secret.
        let out = run(&["phone", "Matrix (erin)", PASSPHRASE]);
        let link = out
            .lines()
            .find_map(|l| l.strip_prefix("LINK "))
            .expect("the link");
        assert!(
            link.starts_with("otpauth://totp/") && link.contains("secret=NBSWY3DPO5XXE3DE"),
            "{link}"
        );

        // A backup, written private.
        run(&["export", &backup.display().to_string(), PASSPHRASE]);
        let mode = std::fs::metadata(&backup)
            .expect("the backup")
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "the export is readable by others: {mode:o}"
        );
        let exported = listed(&bus);

        // Google Authenticator's transfer links, pasted (the clipboard served by xclip).
        let links = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../core/tests/data/import/google-migration.txt"),
        )
        .expect("the Google fixture");
        let mut server = Command::new("xclip")
            .args(["-selection", "clipboard", "-quiet", "-i"])
            .env("DISPLAY", &display)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("xclip");
        {
            use std::io::Write;
            let mut stdin = server.stdin.take().expect("stdin");
            stdin.write_all(&links).expect("write the links");
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
        run(&["paste", "3"]);
        let _ = server.kill();
        let _ = server.wait();
        assert_eq!(listed(&bus).len(), 8);
        exported
    };
    assert_eq!(first.len(), 5, "{first:?}");

    // A second fresh profile: the backup becomes its vault, in the app.
    let bus2 = TestBus::start(&target_bin("latchkeyd")).expect("second bus");
    let _daemon2 = bus2
        .spawn_daemon(&target_bin("latchkeyd"))
        .expect("second daemon");
    let _app2 = Accessible::start(&bus2, &display);
    let out = a11y_run(
        &bus2,
        &display,
        "journey.py",
        &["restore", &backup.display().to_string(), PASSPHRASE, "5"],
    );
    assert!(out.contains("Matrix (erin)"), "{out}");
    assert_eq!(
        listed(&bus2),
        first,
        "the restored vault holds what was exported"
    );
    let code = cli(&bus2, &["code", "GitHub"]);
    let code = String::from_utf8_lossy(&code.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(
        totp_codes(GITHUB_SECRET, "sha1", 6, 30).contains(&code),
        "{code}"
    );
}
