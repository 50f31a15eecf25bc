//! `latchkey browser install/uninstall/status` into a temporary home: the manifests name the
//! built host and allow Latchkey's extension only, as each browser reads them.

use crate::common::{Env, mode};
use latchkey_dbus::testing::target_bin;

const NAME: &str = "org.latchkey.browser.json";

#[test]
fn install_writes_each_browsers_manifest_status_reports_it_and_uninstall_removes_it() {
    let env = Env::new();
    let files = [
        env.root()
            .join("home/.mozilla/native-messaging-hosts")
            .join(NAME),
        env.root()
            .join("config/chromium/NativeMessagingHosts")
            .join(NAME),
        env.root()
            .join("config/google-chrome/NativeMessagingHosts")
            .join(NAME),
    ];
    let status = env.json(&["browser", "status", "--json"]);
    assert_eq!(status.as_array().map(Vec::len), Some(3), "{status}");
    assert!(
        status
            .as_array()
            .expect("list")
            .iter()
            .all(|b| b["installed"] == false)
    );

    let host = target_bin("latchkey-browser-host");
    let out = env.ok(&["browser", "install"], None);
    assert!(out.contains(&host.display().to_string()), "{out}");
    for file in &files {
        let text = std::fs::read_to_string(file).expect("manifest written");
        let m: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(m["name"], "org.latchkey.browser");
        assert_eq!(m["type"], "stdio");
        assert_eq!(m["path"], host.display().to_string());
        assert_eq!(mode(file), 0o644);
        if file.to_string_lossy().contains(".mozilla") {
            assert_eq!(
                m["allowed_extensions"],
                serde_json::json!(["browser@latchkey.codeberg.page"])
            );
            assert!(m.get("allowed_origins").is_none());
        } else {
            // Chromium and Chrome: our fixed id only, no wildcard.
            assert_eq!(
                m["allowed_origins"],
                serde_json::json!(["chrome-extension://indcnkplngbcnodobnmlhecmkpfkeffp/"])
            );
        }
    }
    let status = env.json(&["browser", "status", "--json"]);
    for b in status.as_array().expect("list") {
        assert_eq!(b["installed"], true, "{b}");
        assert_eq!(b["host_runs"], true, "{b}");
    }

    // A manifest someone changed (another extension allowed) is reported, not trusted.
    let edited = std::fs::read_to_string(&files[1]).expect("read").replace(
        "indcnkplngbcnodobnmlhecmkpfkeffp",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    );
    std::fs::write(&files[1], edited).expect("edit");
    let text = env.ok(&["browser", "status"], None);
    assert!(
        text.contains("Chromium: the manifest is not the one"),
        "{text}"
    );

    // A host that is not there is refused at install, and nothing is written.
    std::fs::remove_file(&files[0]).expect("remove");
    let (_, err) = env.fails(&["browser", "install", "--host", "/nonexistent/host"], 1);
    assert!(
        err.contains("no latchkey-browser-host at /nonexistent/host"),
        "{err}"
    );
    assert!(!files[0].exists());

    // What a package installs system-wide: the same manifest, for the host where it puts it.
    let installed = "/usr/libexec/latchkey/latchkey-browser-host";
    let printed = env.ok(
        &["browser", "manifest", "chromium", "--host", installed],
        None,
    );
    let chromium = std::fs::read_to_string(&files[2]).expect("read");
    assert_eq!(
        printed,
        chromium.replace(&host.display().to_string(), installed)
    );
    let printed = env.ok(
        &["browser", "manifest", "firefox", "--host", installed],
        None,
    );
    let m: serde_json::Value = serde_json::from_str(&printed).expect("JSON");
    assert_eq!(m["path"], installed);
    assert_eq!(
        m["allowed_extensions"],
        serde_json::json!(["browser@latchkey.codeberg.page"])
    );
    let (_, err) = env.fails(&["browser", "manifest", "firefox", "--host", "host"], 1);
    assert!(err.contains("absolute path"), "{err}");

    let out = env.ok(&["browser", "uninstall"], None);
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(files.iter().all(|f| !f.exists()));
}

/// Browser fill end to end in a real Chromium: `browser_fill.py` drives it (Selenium, headless,
/// the unpacked extension, the host manifest this CLI installs in Chromium's profile folder) and
/// answers consent with `latchkey approve`/`deny`. A denied consent, another origin and a
/// cross-origin frame get nothing, an approved one gets oathtool's code, a locked vault nothing
/// until it is unlocked. In Chromium the toolbar popup and the keyboard shortcut fill too,
/// driven through the DevTools protocol (`chrome.action.openPopup()` in the extension's worker,
/// a real click in the popup, Alt+Shift+L as key events the browser handles).
#[test]
fn a_real_chromium_fills_the_code_only_where_and_when_allowed() {
    let stdout = fill_in(Browser::Chromium, 0);
    for step in STEPS.iter().chain(&CHROMIUM_STEPS) {
        assert!(stdout.contains(&format!("ok {step}\n")), "{stdout}");
    }
}

/// The same checks in a real Firefox (ESR, headless, geckodriver): a new profile, the extension
/// as a temporary add-on, the host manifest this CLI installs in
/// `$HOME/.mozilla/native-messaging-hosts/` of the test's home. In Firefox the context menu's
/// entry, the toolbar popup and the keyboard shortcut fill too, driven in the browser's own UI
/// through Marionette's chrome context (a right-click, then Latchkey's entry in the content
/// area's menu; a click on the extensions button, Latchkey's entry, then the account in the
/// popup; Alt+Shift+L to the browser window).
#[test]
fn a_real_firefox_fills_the_code_only_where_and_when_allowed() {
    let stdout = fill_in(Browser::Firefox, 0);
    for step in STEPS.iter().chain(&FIREFOX_STEPS) {
        assert!(stdout.contains(&format!("ok {step}\n")), "{stdout}");
    }
}

/// What `browser_fill.py` prints `ok …` for, in order.
const STEPS: [&str; 5] = ["denied", "approved", "other-origin", "frame", "locked"];

/// What it prints `ok …` for in Chromium only: the toolbar popup and the keyboard shortcut, which
/// it reaches through Chromium's DevTools protocol.
const CHROMIUM_STEPS: [&str; 2] = ["popup", "shortcut"];

/// What it prints `ok …` for in Firefox only: the context menu's entry, the toolbar popup and the
/// keyboard shortcut, which it reaches through Marionette's chrome context.
const FIREFOX_STEPS: [&str; 3] = ["context-menu", "popup", "shortcut"];

/// Click-to-fill latency beside a bare `GetCode` round trip, in the same run (docs/benchmarks.md):
/// `cargo test --release -p latchkey --features test-hooks --test it browser::click_to_fill --
/// --ignored --nocapture` after `cargo build --release --workspace --features
/// latchkeyd/test-hooks,latchkey/test-hooks` (the CLI's hook answers `access allow` unattended).
#[test]
#[ignore = "a benchmark: run it on purpose, in release"]
fn click_to_fill_latency() {
    let stdout = fill_in(Browser::Chromium, 30);
    for line in stdout.lines().filter(|l| l.starts_with("bench ")) {
        println!("{line}");
    }
}

/// The browsers `browser_fill.py` drives (its `LATCHKEY_TEST_BROWSER`).
#[derive(Clone, Copy)]
enum Browser {
    Chromium,
    Firefox,
}

/// Runs `browser_fill.py` in `browser` against a fresh daemon and vault; returns what it printed.
fn fill_in(browser: Browser, rounds: u32) -> String {
    let env = Env::new();
    env.ok(&["init", "--passphrase-stdin"], Some("pw\n"));
    let secret = "JBSWY3DPEHPK3PXP";
    let id = env
        .ok(
            &["add", "-"],
            Some(&format!(
                "otpauth://totp/Example:alice?secret={secret}&issuer=Example\n"
            )),
        )
        .trim()
        .rsplit(' ')
        .next()
        .expect("id")
        .to_string();
    env.ok(&["sites", &id, "--add", "127.0.0.1"], None);
    env.ok(&["browser", "install"], None);
    // The benchmark's baseline calls GetCode from the script's own interpreter.
    let python = std::fs::canonicalize("/usr/bin/python3").expect("/usr/bin/python3");
    env.ok(
        &["access", "allow", &format!("exe:{}", python.display())],
        None,
    );
    let (name, profile) = match browser {
        Browser::Chromium => {
            // Chromium started with --user-data-dir=DIR reads DIR/NativeMessagingHosts: the
            // folder `browser install` wrote for Chromium.
            let profile = env.root().join("config/chromium");
            assert!(profile.join("NativeMessagingHosts").join(NAME).exists());
            ("chromium", profile)
        }
        Browser::Firefox => {
            // Firefox reads $HOME/.mozilla/native-messaging-hosts whatever its profile; the
            // profile is a new, empty folder of this test's.
            let manifest = env
                .root()
                .join("home/.mozilla/native-messaging-hosts")
                .join(NAME);
            assert!(manifest.exists());
            let profile = env.root().join("firefox-profile");
            std::fs::create_dir(&profile).expect("the Firefox profile's folder");
            ("firefox", profile)
        }
    };
    let extension = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../browser/extension");
    let extension = extension.canonicalize().expect("the extension's folder");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/browser_fill.py");

    let child = env
        .bus
        .command(std::path::Path::new("/usr/bin/python3"))
        .arg(&script)
        .arg(crate::common::cli_bin())
        .arg(&extension)
        .arg(&profile)
        .arg(secret)
        .arg(&id)
        .arg(rounds.to_string())
        .env("LATCHKEY_TEST_BROWSER", name)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("/usr/bin/python3 with python3-selenium");
    // The script bounds itself and quits the browser; this kills it by its PID if not.
    let pid = child.id();
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let limit = std::time::Duration::from_secs(170 + 3 * u64::from(rounds));
    let watchdog = std::thread::spawn(move || {
        if finished.recv_timeout(limit).is_err() {
            // SAFETY: kill(2) on the PID of the child this test started and has not reaped.
            unsafe { libc::kill(pid as i32, libc::SIGKILL) };
        }
    });
    let out = child.wait_with_output().expect("the script ends");
    let _ = done.send(());
    watchdog.join().expect("watchdog");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "browser_fill.py failed:\n{stdout}\n{stderr}"
    );
    stdout
}
