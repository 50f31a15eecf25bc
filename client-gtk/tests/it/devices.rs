//! The Devices page (sync in the app), through the accessibility tree: sync turned on with the
//! folder chosen in the file chooser, a second machine (a second daemon on its own bus, driven
//! by the CLI) joins with the code the page shows, and the page forgets it; the app joining a
//! machine set up with the CLI, with mistyped codes first (refused in the form, or by the
//! inviting machine, then joined again); the app following a phone's encrypted Aegis backups.
//! Two daemons on one machine sync through the same folder path, so no Syncthing is needed.

use crate::driver::session::{
    AEGIS_PASSWORD, PASS, aegis_fixture, cli, fixture_codes_hold, seeded,
};
use crate::driver::{self, Accessible, Xvfb, a11y_run};
use latchkey_dbus::testing::{DaemonProcess, TestBus, mistype, target_bin};
use serde_json::Value;
use std::time::{Duration, Instant};

/// The devices the CLI lists on `bus`.
fn devices(bus: &TestBus) -> Vec<Value> {
    let out = cli(bus, &["sync", "devices", "--json"]);
    serde_json::from_slice::<Value>(&out.stdout)
        .ok()
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
}

/// Waits until `ok` holds for the devices on `bus`.
fn wait_devices(bus: &TestBus, what: &str, ok: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let list = devices(bus);
        if ok(&list) {
            return list;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}: {list:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Another machine: a daemon on its own bus with a new, empty vault made by the CLI.
fn machine() -> (TestBus, DaemonProcess) {
    let bus = TestBus::start(&target_bin("latchkeyd")).expect("another bus");
    let daemon = bus
        .spawn_daemon(&target_bin("latchkeyd"))
        .expect("another daemon");
    let init = bus
        .command(&target_bin("latchkey"))
        .args(["init", "--passphrase-stdin"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            if let Some(mut i) = c.stdin.take() {
                writeln!(i, "{PASS}")?;
            }
            c.wait()
        })
        .expect("init");
    assert!(init.success());
    (bus, daemon)
}

/// `latchkey sync status --json` on `bus`.
fn status(bus: &TestBus) -> Value {
    let out = cli(bus, &["sync", "status", "--json"]);
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).expect("status json")
}

/// The `issuer (account)` names the CLI lists on `bus`, as the app names its rows.
fn accounts(bus: &TestBus) -> Vec<String> {
    let out = cli(bus, &["list", "--json"]);
    serde_json::from_slice::<Value>(&out.stdout)
        .ok()
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .map(|a| {
            format!(
                "{} ({})",
                a["issuer"].as_str().unwrap_or(""),
                a["account"].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn sync_is_turned_on_shared_and_a_device_forgotten_in_the_app() {
    if driver::display().is_none() {
        return;
    }
    // Keys are pressed (Ctrl+L in the folder chooser): a display of its own.
    let x = Xvfb::start();
    let display = x.display().to_string();
    let (bus, _daemon, _) = seeded(true);
    let folder = bus.root().join("shared");
    std::fs::create_dir_all(&folder).expect("the shared folder");
    let folder = format!("{}/", folder.display());
    let _app = Accessible::start(&bus, &display);
    a11y_run(&bus, &display, "devices.py", &["enable", &folder, "Desk"]);
    let out = a11y_run(&bus, &display, "devices.py", &["invite"]);
    let code = out
        .lines()
        .find_map(|l| l.strip_prefix("CODE "))
        .expect("the page shows a code")
        .to_string();

    // The second machine joins with that code, through the same folder.
    let (laptop, _second) = machine();
    let join = cli(
        &laptop,
        &["sync", "join", &folder, &code, "--name", "Laptop"],
    );
    assert!(join.status.success(), "{join:?}");
    wait_devices(&bus, "Laptop admitted", |d| {
        d.iter()
            .any(|x| x["name"] == "Laptop" && x["forgotten"] == false)
    });

    // Forgotten in the app.
    a11y_run(&bus, &display, "devices.py", &["forget", "Laptop"]);
    wait_devices(&bus, "Laptop forgotten", |d| {
        d.iter()
            .any(|x| x["name"] == "Laptop" && x["forgotten"] == true)
    });
}

#[test]
fn the_app_joins_a_computer_set_up_with_the_cli_and_their_accounts_merge() {
    if driver::display().is_none() {
        return;
    }
    // Keys are pressed (Ctrl+L in the folder chooser): a display of its own.
    let x = Xvfb::start();
    let display = x.display().to_string();
    // The first computer, "Desk", set up in a terminal.
    let (desk, _desk_daemon) = machine();
    let shared = desk.root().join("shared");
    std::fs::create_dir_all(&shared).expect("the shared folder");
    let shared = shared.display().to_string();
    let on = cli(&desk, &["sync", "enable", &shared, "--name", "Desk"]);
    assert!(on.status.success(), "{on:?}");
    let invite = cli(&desk, &["sync", "invite"]);
    assert!(invite.status.success(), "{invite:?}");
    let code = String::from_utf8_lossy(&invite.stdout).trim().to_string();
    assert_eq!(code.len(), 39, "{code}");

    // The second computer joins in the app, through the same folder.
    let (bus, _daemon, _) = seeded(true);
    let _app = Accessible::start(&bus, &display);
    let folder = format!("{shared}/");
    // In one form: a code with its last group left off, then one whose last letter (naming the
    // inviting computer) is mistyped: each refused in the daemon's words, in the form, which
    // stays open; nothing changes. Then one with a letter of its secret mistyped: Desk refuses
    // it, and the page says so instead of waiting.
    a11y_run(
        &bus,
        &display,
        "devices.py",
        &[
            "join",
            "Join Your Other Computers",
            &folder,
            "Laptop",
            &code[..code.len() - 5],
            "the invite code is not valid",
            &mistype(&code, 38),
            "no computer syncing through this folder made that invite code",
            &mistype(&code, 0),
            "Asked to join",
        ],
    );
    a11y_run(
        &bus,
        &display,
        "devices.py",
        &["says", "the inviting computer refused this machine"],
    );
    assert_eq!(devices(&desk).len(), 1, "a refused code reached Desk");

    // Joined again from the page, with the right code.
    a11y_run(
        &bus,
        &display,
        "devices.py",
        &[
            "join",
            "Join Again",
            &folder,
            "Laptop",
            &code,
            "Asked to join",
        ],
    );
    wait_devices(&desk, "Desk lists Laptop", |d| {
        d.iter()
            .any(|x| x["name"] == "Laptop" && x["forgotten"] == false && x["this_device"] == false)
    });

    // An account added on Desk shows in the app; the app's own reaches Desk.
    let add = cli(
        &desk,
        &[
            "add",
            "otpauth://totp/Alpha:desk?secret=JBSWY3DPEHPK3PXA&issuer=Alpha",
        ],
    );
    assert!(add.status.success(), "{add:?}");
    a11y_run(&bus, &display, "devices.py", &["account", "Alpha (desk)"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !accounts(&desk).iter().any(|a| a == "GitHub (alice)") {
        assert!(
            Instant::now() < deadline,
            "the app's account never reached Desk: {:?}",
            accounts(&desk)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(status(&bus)["name"], "Laptop");
}

#[test]
fn the_app_follows_a_phones_aegis_backups() {
    if driver::display().is_none() {
        return;
    }
    // Keys are pressed (Ctrl+L in the folder chooser): a display of its own.
    let x = Xvfb::start();
    let display = x.display().to_string();
    let (bus, _daemon, _) = seeded(true);
    // The phone's folder, holding a backup written by an independent script.
    let phone = bus.root().join("phone");
    std::fs::create_dir_all(&phone).expect("the phone's folder");
    std::fs::copy(
        aegis_fixture(),
        phone.join("aegis-backup-20261207-080000.json"),
    )
    .expect("the backup");
    let _app = Accessible::start(&bus, &display);
    let out = a11y_run(
        &bus,
        &display,
        "devices.py",
        &[
            "follow",
            &format!("{}/", phone.display()),
            "not the password",
            AEGIS_PASSWORD,
        ],
    );
    assert!(
        out.contains(
            "ACCOUNTS Bank (carol), Corp (bob), GitHub (alice), GitHub (alice@example.com), \
             Steam (dave)"
        ),
        "{out}"
    );
    let s = status(&bus);
    assert_eq!(
        s["aegis_backup"], "aegis-backup-20261207-080000.json",
        "{s}"
    );
    // The codes on the rows are oathtool's.
    fixture_codes_hold(&a11y_run(&bus, &display, "journey.py", &["codes"]));
}
