//! The main window: unlock, codes, copy, an approval, live changes, adding by link and QR
//! image, a daemon restart (automation hook); the first run, the rows and Preferences (read and
//! pressed through the accessibility tree).

use crate::driver::session::{
    GITHUB_SECRET, PASS, cli, cli_unlock, clipboard, issuers, reference_codes, seeded,
};
use crate::driver::{self, App, a11y_run};
use latchkey_dbus::testing::target_bin;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn gtk_client_end_to_end() {
    let Some(display) = driver::display() else {
        return;
    };
    let (bus, daemon, _) = seeded(true);
    bus.call(
        "org.latchkey.Latchkey1.Vault.AddUri",
        &["string:otpauth://totp/Example:bob?secret=KRSXG5CTMVRXEZLU&issuer=Example"],
    )
    .expect("add");
    bus.call("org.latchkey.Latchkey1.Vault.Lock", &[])
        .expect("lock");

    // Copied codes are cleared from the clipboard after 2 s (the default is 30).
    let prefs = bus.root().join("config/latchkey");
    std::fs::create_dir_all(&prefs).unwrap();
    std::fs::write(prefs.join("gtk.toml"), "clipboard_clear_seconds = 2\n").unwrap();
    let mut app = App::start(&bus, &display);

    // Unlock: a wrong passphrase is refused with a message, the right one opens the list.
    app.wait("the unlock page", 20, |s| s["page"] == "unlock");
    app.ok("passphrase not the passphrase");
    app.ok("action unlock");
    let s = app.wait("an unlock error", 20, |s| s["unlock_error"] != "");
    assert_eq!(s["page"], "unlock", "{s}");
    assert!(
        s["unlock_error"]
            .as_str()
            .unwrap()
            .contains("Wrong passphrase"),
        "{s}"
    );
    // The brute-force delay starts after a few failures; one failure may still be retried.
    app.ok(&format!("passphrase {PASS}"));
    app.ok("action unlock");
    let s = app.wait("the seeded accounts", 20, |s| {
        s["page"] == "accounts" && s["shown"] == 2
    });
    assert_eq!(issuers(&s), ["Example", "GitHub"], "{s}");

    // Copy (as Ctrl+C does): the clipboard holds GitHub's code, checked with oathtool.
    app.ok("search git");
    let s = app.wait("the search result", 10, |s| s["shown"] == 1);
    assert_eq!(issuers(&s), ["GitHub"], "{s}");
    app.ok("select 0");
    app.ok("action copy-selected");
    app.wait("the copy toast", 10, |s| {
        s["toast"]
            .as_str()
            .is_some_and(|t| t == "GitHub: code copied")
    });
    let copied = clipboard(&display);
    let expected = reference_codes(GITHUB_SECRET);
    assert!(
        expected.contains(&copied),
        "clipboard has {copied:?}, oathtool says one of {expected:?}"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while clipboard(&display) == copied {
        assert!(
            Instant::now() < deadline,
            "the code stayed on the clipboard"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    app.ok("search ");

    // An approval request raises the dialog; picking the right number approves it.
    let mut requester = bus
        .command(&target_bin("latchkey"))
        .args(["request-approval", "--title", "Sign in to Example?"])
        .args(["--number-matching", "--timeout", "60"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("request-approval");
    let mut line = String::new();
    BufReader::new(requester.stdout.take().unwrap())
        .read_line(&mut line)
        .expect("number");
    let number: u32 = line
        .trim()
        .parse()
        .expect("the requester prints its number");
    let s = app.wait("the approval dialog", 20, |s| {
        s["dialogs"].as_array().is_some_and(|d| !d.is_empty())
    });
    let dialog = &s["dialogs"][0];
    assert_eq!(dialog["heading"], "Approve Sign-In?", "{s}");
    let body = dialog["body"].as_str().unwrap_or("");
    let who = body.find("latchkey \u{2014} ").unwrap_or(usize::MAX);
    let claim = body
        .find("Title: \u{201c}Sign in to Example?\u{201d}")
        .unwrap_or(0);
    assert!(
        who < claim && body.contains("process"),
        "who asks first, as checked; the title after it, as its claim: {s}"
    );
    let pick = format!("n{number}");
    assert!(
        dialog["responses"]
            .as_array()
            .unwrap()
            .contains(&Value::from(pick.clone())),
        "{s}"
    );
    let path = dialog["path"].as_str().unwrap().to_string();
    app.ok(&format!("respond {path} {pick}"));
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(st) = requester.try_wait().expect("wait") {
            break st;
        }
        assert!(Instant::now() < deadline, "the request was not resolved");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "request-approval exited with {status}");
    app.wait("the dialog to close", 10, |s| {
        s["dialogs"] == Value::Array(vec![])
    });

    // Live: an account added by another client appears without any action in the app.
    let out = cli(
        &bus,
        &[
            "add",
            "otpauth://totp/Zulip:carol?secret=MFRGGZDFMZTWQ2LK&issuer=Zulip",
        ],
    );
    assert!(out.status.success(), "{out:?}");
    let s = app.wait("the new account", 10, |s| s["shown"] == 3);
    assert_eq!(issuers(&s), ["Example", "GitHub", "Zulip"], "{s}");

    // Adding in the app: a pasted otpauth:// link, and a QR code image (made by qrencode).
    app.ok("add-link otpauth://totp/Forgejo:dan?secret=ONSWG4TFOQYTEMZU&issuer=Forgejo");
    app.wait("the pasted account", 10, |s| s["shown"] == 4);
    let png = bus.root().join("home/qr.png");
    let status = Command::new("qrencode")
        .args(["-s", "6", "-o"])
        .arg(&png)
        .arg("otpauth://totp/Matrix:erin?secret=NBSWY3DPO5XXE3DE&issuer=Matrix")
        .status()
        .expect("qrencode (apt install qrencode)");
    assert!(status.success());
    app.ok(&format!("add-qr {}", png.display()));
    let s = app.wait("the scanned account", 10, |s| s["shown"] == 5);
    assert_eq!(
        issuers(&s),
        ["Example", "Forgejo", "GitHub", "Matrix", "Zulip"],
        "{s}"
    );
    let out = cli(&bus, &["list", "--json"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("erin"),
        "{out:?}"
    );
    // The daemon reads the image (the app has no QR decoder of its own) and its named errors
    // reach the dialog: a file that is not an image, and the same code a second time.
    let mut refused = |file: &std::path::Path, expected: &str| {
        app.ok("close-others");
        app.ok(&format!("add-qr {}", file.display()));
        let s = app.wait(expected, 10, |s| {
            s["add_errors"].as_array().is_some_and(|e| !e.is_empty())
        });
        assert!(
            s["add_errors"][0]
                .as_str()
                .is_some_and(|e| e.contains(expected)),
            "{s}"
        );
        s
    };
    let text = bus.root().join("home/not-an-image.png");
    std::fs::write(&text, "otpauth://totp/X:y?secret=JBSWY3DPEHPK3PXP").expect("write");
    refused(&text, "not a PNG or JPEG image");
    let s = refused(&png, "already in Latchkey");
    assert_eq!(s["shown"], 5, "nothing was added: {s}");
    app.ok("close-others");

    // The daemon restarts: the app notices, reconnects and shows the (locked) vault again.
    daemon.stop().expect("stop the daemon");
    let _restarted = bus.spawn_daemon(&target_bin("latchkeyd")).expect("restart");
    app.wait("the unlock page after the restart", 20, |s| {
        s["page"] == "unlock"
    });
    assert_eq!(cli_unlock(&bus, PASS), Some(0));
    app.wait("the accounts after the restart", 20, |s| {
        s["page"] == "accounts" && s["shown"] == 5
    });
}

/// Wrong passphrases typed anywhere (here the CLI) start the brute-force delay; the unlock
/// page shows it and refuses to send a passphrase until it has passed.
#[test]
fn unlock_page_shows_the_brute_force_delay() {
    let Some(display) = driver::display() else {
        return;
    };
    let (bus, _daemon, _) = seeded(true);
    bus.call("org.latchkey.Latchkey1.Vault.Lock", &[])
        .expect("lock");
    let mut app = App::start(&bus, &display);
    let s = app.wait("the unlock page", 20, |s| s["page"] == "unlock");
    assert_eq!(s["unlock_wait"], 0, "{s}");
    let mut failures = 0;
    let deadline = Instant::now() + Duration::from_secs(30);
    while failures < 5 {
        assert!(
            Instant::now() < deadline,
            "could not make 5 failed attempts"
        );
        if cli_unlock(&bus, "wrong") == Some(6) {
            failures += 1;
        } else {
            // Too early: refused without counting; wait for the delay.
            std::thread::sleep(Duration::from_millis(300));
        }
    }
    let s = app.wait("the delay on the unlock page", 10, |s| {
        s["unlock_wait"].as_u64().is_some_and(|w| w > 0)
    });
    assert_eq!(s["page"], "unlock", "{s}");
}

#[test]
fn first_run_in_the_app_without_a_terminal() {
    if driver::display().is_none() {
        return;
    }
    // Escape is pressed: a display of its own, so no other test's window has the focus.
    let x = driver::Xvfb::start();
    let display = x.display().to_string();
    // A fresh profile whose service cannot start (its activation names no program).
    let bus =
        latchkey_dbus::testing::TestBus::start(std::path::Path::new("/nonexistent/latchkeyd"))
            .expect("bus");
    let _app = driver::Accessible::start(&bus, &display);
    a11y_run(&bus, &display, "first_run.py", &["unreachable"]);
    // The service appears; the app finds it on Try Again, with no vault yet.
    let _daemon = bus.spawn_daemon(&target_bin("latchkeyd")).expect("daemon");
    a11y_run(&bus, &display, "first_run.py", &["create"]);
    // The vault the app created opens with the passphrase typed into it, and only with it.
    let status = cli(&bus, &["status", "--json"]);
    let status: Value = serde_json::from_slice(&status.stdout).expect("status json");
    assert_eq!(status["initialized"], true, "{status}");
    assert_eq!(status["locked"], false, "{status}");
    assert!(cli(&bus, &["lock"]).status.success());
    assert_ne!(cli_unlock(&bus, "correct horse battery stapl"), Some(0));
    assert_eq!(cli_unlock(&bus, "correct horse battery staple"), Some(0));
    // The window's X11 class is the app id, as the desktop file's name.
    let tree = Command::new("xwininfo")
        .args(["-root", "-tree", "-display", &display])
        .output()
        .expect("xwininfo (x11-utils)");
    let tree = String::from_utf8_lossy(&tree.stdout);
    assert!(
        tree.contains("(\"org.latchkey.Latchkey\" \"org.latchkey.Latchkey\")"),
        "{tree}"
    );
}

/// The list read through the accessibility tree: names per account, the reveal toggle, codes
/// and countdowns as words; the revealed code equals oathtool's.
#[test]
fn account_rows_read_as_their_accounts() {
    let Some(display) = driver::display() else {
        return;
    };
    let (bus, _daemon, _) = seeded(true);
    bus.call(
        "org.latchkey.Latchkey1.Vault.AddUri",
        &["string:otpauth://hotp/root?secret=KRUGKIDROVUWG2ZAMJZG653OEBTG66BA&counter=3"],
    )
    .expect("add the HOTP account");
    let _app = driver::Accessible::start(&bus, &display);
    let out = a11y_run(&bus, &display, "rows.py", &["read"]);
    let code = out
        .lines()
        .find_map(|l| l.strip_prefix("CODE "))
        .unwrap_or_default()
        .to_string();
    let expected = reference_codes(GITHUB_SECRET);
    assert!(
        expected.contains(&code),
        "read {code:?}, oathtool says one of {expected:?}"
    );
}

/// Every service setting in Preferences; weakening one is confirmed first; nothing changes
/// while the vault is locked.
#[test]
fn preferences_hold_every_service_setting() {
    if driver::display().is_none() {
        return;
    }
    // Ctrl+, is pressed: a display of its own, so no other test's window has the focus.
    let x = driver::Xvfb::start();
    let display = x.display().to_string();
    let (bus, _daemon, _) = seeded(true);
    let setting = |key: &str| {
        let out = cli(&bus, &["config", "get", key]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(setting("lock_on_suspend"), "true");
    {
        let _app = driver::Accessible::start(&bus, &display);
        a11y_run(&bus, &display, "prefs.py", &["weaken"]);
        // The app sends the change once the dialog is answered: wait for it (up to 5 s).
        let deadline = Instant::now() + Duration::from_secs(5);
        while setting("lock_on_suspend") != "false" && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert_eq!(
            setting("lock_on_suspend"),
            "false",
            "Change It switched it off"
        );
    }
    assert!(cli(&bus, &["lock"]).status.success());
    let _app = driver::Accessible::start(&bus, &display);
    a11y_run(&bus, &display, "prefs.py", &["locked"]);
}
