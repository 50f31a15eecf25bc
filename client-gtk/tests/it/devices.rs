//! The Devices page (sync in the app), through the accessibility tree: sync turned on with the
//! folder chosen in the file chooser, a second machine (a second daemon on its own bus, driven
//! by the CLI) joins with the code the page shows, and the page forgets it.

use crate::driver::session::{PASS, cli, seeded};
use crate::driver::{self, Accessible, Xvfb, a11y_run};
use latchkey_dbus::testing::{TestBus, target_bin};
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
    let laptop = TestBus::start(&target_bin("latchkeyd")).expect("second bus");
    let _second = laptop
        .spawn_daemon(&target_bin("latchkeyd"))
        .expect("second daemon");
    let init = laptop
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
