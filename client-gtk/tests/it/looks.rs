//! How the app looks and answers the keyboard, measured through the accessibility tree: sizes
//! from 360 px to a wide screen, every shortcut the issue lists, the Dutch translation; and the
//! desktop files a software centre reads.

use crate::driver::session::{cli, seeded};
use crate::driver::{self, Accessible, Xvfb, a11y_run};
use latchkey_dbus::testing::TestBus;

/// A vault with a time-based account, an HOTP account without an issuer and a long name.
fn vault() -> (TestBus, latchkey_dbus::testing::DaemonProcess) {
    let (bus, daemon, _) = seeded(true);
    for uri in [
        "otpauth://hotp/root?secret=KRUGKIDROVUWG2ZAMJZG653OEBTG66BA&counter=3",
        "otpauth://totp/The%20Very%20Long%20Example%20Corporation%20Intranet:someone.with.a.long.name%40example.com?secret=GEZDGNBVGY3TQOJQ&issuer=The%20Very%20Long%20Example%20Corporation%20Intranet&digits=8",
    ] {
        bus.call(
            "org.latchkey.Latchkey1.Vault.AddUri",
            &[&format!("string:{uri}")],
        )
        .expect("add");
    }
    (bus, daemon)
}

/// At 1280 px the list is clamped and rows compact; at 360 px the HOTP hint does not widen the
/// window and the title is whole.
#[test]
fn the_window_fits_from_360_px_to_a_wide_screen() {
    if driver::display().is_none() {
        return;
    }
    // The window is found by its class and resized: a display of its own.
    let x = Xvfb::start();
    let display = x.display().to_string();
    let (bus, _daemon) = vault();
    let _app = Accessible::start(&bus, &display);
    a11y_run(&bus, &display, "looks.py", &["sizes"]);
}

/// Ctrl+F, Ctrl+?, Ctrl+N with Enter in the link field, the HOTP counter in the form, a row's
/// details titled and closed with Ctrl+W, Lock and Keyboard Shortcuts in the primary menu.
#[test]
fn the_keyboard_reaches_everything() {
    if driver::display().is_none() {
        return;
    }
    let x = Xvfb::start();
    let display = x.display().to_string();
    let (bus, _daemon) = vault();
    let _app = Accessible::start(&bus, &display);
    a11y_run(&bus, &display, "looks.py", &["keys"]);
    let out = cli(&bus, &["list", "--json"]);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("list json");
    let joe = list
        .as_array()
        .expect("an array")
        .iter()
        .find(|a| a["account"] == "joe")
        .expect("the account added with the form");
    assert_eq!(joe["kind"], "hotp", "{joe}");
    assert_eq!(joe["counter"], 7, "the counter typed into the form: {joe}");
    assert!(
        list.as_array()
            .expect("an array")
            .iter()
            .any(|a| a["account"] == "dan"),
        "the link added with Enter: {list}"
    );
}

/// With LANGUAGE=nl the app reads in Dutch, names and menus included.
#[test]
fn the_app_speaks_dutch() {
    if driver::display().is_none() {
        return;
    }
    let x = Xvfb::start();
    let display = x.display().to_string();
    let (bus, _daemon, _) = seeded(true);
    let _app = Accessible::start_with(
        &bus,
        &display,
        &[("LANGUAGE", "nl"), ("LANG", "C.UTF-8"), ("LC_ALL", "")],
    );
    a11y_run(&bus, &display, "looks.py", &["dutch"]);
}

/// The metainfo and desktop file validate; every screenshot the metainfo shows is a file in
/// this repository, its release is this version, and both icons exist.
#[test]
fn the_desktop_files_validate_and_point_at_the_repository() {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let metainfo = data.join("org.latchkey.Latchkey.metainfo.xml");
    let out = std::process::Command::new("appstreamcli")
        .args(["validate", "--no-net"])
        .arg(&metainfo)
        .output()
        .expect("appstreamcli (apt install appstream)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = std::process::Command::new("desktop-file-validate")
        .arg(data.join("org.latchkey.Latchkey.desktop"))
        .output()
        .expect("desktop-file-validate (apt install desktop-file-utils)");
    assert!(out.status.success(), "{out:?}");
    let text = std::fs::read_to_string(&metainfo).expect("metainfo");
    let raw = concat!(env!("CARGO_PKG_REPOSITORY"), "/raw/branch/main/");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let images: Vec<&str> = text
        .split("<image>")
        .skip(1)
        .filter_map(|s| s.split("</image>").next())
        .collect();
    assert!(images.len() >= 3, "{images:?}");
    for image in images {
        let path = image
            .strip_prefix(raw)
            .unwrap_or_else(|| panic!("{image} is not in the repository ({raw})"));
        assert!(root.join(path).is_file(), "{path} is not in the repository");
    }
    assert!(
        text.contains(&format!(
            "<release version=\"{}\"",
            env!("CARGO_PKG_VERSION")
        )),
        "no release note for {}",
        env!("CARGO_PKG_VERSION")
    );
    for url in ["homepage", "bugtracker", "vcs-browser"] {
        assert!(
            text.contains(&format!("<url type=\"{url}\">")),
            "no {url} URL"
        );
    }
    for icon in [
        "icons/hicolor/scalable/apps/org.latchkey.Latchkey.svg",
        "icons/hicolor/symbolic/apps/org.latchkey.Latchkey-symbolic.svg",
    ] {
        assert!(data.join(icon).is_file(), "{icon}");
    }
}
