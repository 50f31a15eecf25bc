//! The desktop's search, asked as GNOME Shell and KRunner ask (tests/a11y/search.py with
//! dbus-python) of the app started as D-Bus activation starts it (`--gapplication-service`):
//! results name accounts and never carry a code; activating one copies the code (read back
//! with xclip, checked with oathtool) and a notification names the account; a locked vault
//! answers nothing; a flood of searches is cut off; a result cannot be activated by a caller
//! that did not search for it.

use crate::driver;
use crate::driver::session::{GITHUB_SECRET, cli, clipboard, reference_codes, seeded};
use latchkey_dbus::testing::{TestBus, target_bin};
use serde_json::Value;
use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A process this test started, stopped by its PID when dropped.
struct Stopped(Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// search.py's lines, as JSON.
fn ask(bus: &TestBus, display: &str, args: &[&str]) -> Vec<Value> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/a11y/search.py");
    let out = bus
        .command(std::path::Path::new("/usr/bin/python3"))
        .arg(script)
        .args(args)
        .env("DISPLAY", display)
        .output()
        .expect("python3 (python3-dbus)");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect()
}

/// Waits until the app owns its name on `bus`.
fn wait_for_app(bus: &TestBus) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let owned = Command::new("dbus-send")
            .env("DBUS_SESSION_BUS_ADDRESS", bus.address())
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.GetNameOwner",
                "string:org.latchkey.Latchkey",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if owned {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "latchkey-gtk never took its name"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn desktop_search_names_accounts_copies_codes_and_never_shows_one() {
    let Some(display) = driver::display() else {
        return;
    };
    let (bus, _daemon, id) = seeded(true);
    let shown = bus.root().join("notifications.jsonl");
    let mut notifier = Command::new("/usr/bin/python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/a11y/notifications.py"
        ))
        .arg(&shown)
        .env("DBUS_SESSION_BUS_ADDRESS", bus.address())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 (python3-dbus)");
    let mut ready = String::new();
    std::io::BufReader::new(notifier.stdout.take().expect("stdout"))
        .read_line(&mut ready)
        .expect("the notification server starts");
    let _notifier = Stopped(notifier);
    let mut app = bus.command(&target_bin("latchkey-gtk"));
    app.arg("--gapplication-service")
        .env("DISPLAY", &display)
        .env("GDK_BACKEND", "x11")
        .env("GTK_A11Y", "none");
    if let Ok(x) = std::env::var("XAUTHORITY") {
        app.env("XAUTHORITY", x);
    }
    let app = app.spawn().expect("latchkey-gtk");
    let _app = Stopped(app);
    wait_for_app(&bus);

    // GNOME Shell: GitHub is found and named; no field holds a code.
    let lines = ask(&bus, &display, &["shell", "git"]);
    assert_eq!(lines[0]["ids"], Value::from(vec![id.clone()]), "{lines:?}");
    let meta = &lines[0]["metas"][0];
    assert_eq!(meta["name"], "GitHub", "{meta}");
    assert_eq!(meta["description"], "alice", "{meta}");
    assert!(meta.get("clipboardText").is_none(), "{meta}");
    let text = lines[0].to_string();
    for code in reference_codes(GITHUB_SECRET) {
        assert!(
            !text.contains(&code),
            "a code in the search's answer: {text}"
        );
    }
    // Activated: the code is on the clipboard and a notification names the account.
    let expected = reference_codes(GITHUB_SECRET);
    let copied = clipboard(&display);
    assert!(
        expected.contains(&copied),
        "clipboard {copied:?}, oathtool {expected:?}"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let notes = loop {
        let text = std::fs::read_to_string(&shown).unwrap_or_default();
        if !text.is_empty() || Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(notes.contains("GitHub (alice)"), "notifications: {notes:?}");
    assert!(
        !expected.iter().any(|c| notes.contains(c)),
        "a code in a notification: {notes}"
    );

    // KRunner likewise.
    let lines = ask(&bus, &display, &["krunner", "alice"]);
    let m = &lines[0]["matches"][0];
    assert_eq!(m[0], Value::from(id.clone()), "{lines:?}");
    assert_eq!(m[1], "GitHub");
    assert_eq!(m[5]["subtext"], "alice");
    assert_eq!(lines[1]["ran"], Value::from(id.clone()));

    // A caller that did not search for it cannot activate a result.
    let lines = ask(&bus, &display, &["stranger", &id]);
    assert_eq!(lines[0]["refused"], true, "{lines:?}");
    // A flood of searches is cut off.
    let lines = ask(&bus, &display, &["flood", "80", "git"]);
    let answered = lines[0]["answered"].as_u64().expect("a count");
    assert!(
        (1..80).contains(&answered),
        "{answered} of 80 searches answered"
    );
    // Locked: nothing is found.
    assert!(cli(&bus, &["lock"]).status.success());
    let lines = ask(&bus, &display, &["find", "git"]);
    assert_eq!(lines[0]["ids"], Value::Array(vec![]), "{lines:?}");
}
