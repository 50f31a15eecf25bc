//! Approval and consent requests as the app shows them.

use crate::driver::session::{GITHUB_SECRET, PASS, ask_code, cli, reference_codes, seeded};
use crate::driver::{self, App, a11y_run};
use std::time::{Duration, Instant};

/// An app that is not Latchkey's (here `dbus-send`) asks for a code: the consent dialog opens
/// in the GTK client, "Allow once" lets that one call through with the right code.
#[test]
fn consent_dialog_allows_a_third_party_app_once() {
    let Some(display) = driver::display() else {
        return;
    };
    let (bus, _daemon, id) = seeded(false);
    let mut app = App::start(&bus, &display);
    app.wait("the accounts", 20, |s| s["shown"] == 1);

    let asker = ask_code(&bus, &id);
    let s = app.wait("the consent dialog", 20, |s| {
        s["dialogs"].as_array().is_some_and(|d| !d.is_empty())
    });
    let dialog = &s["dialogs"][0];
    assert_eq!(dialog["heading"], "Allow Access to Your Codes?", "{s}");
    let path = dialog["path"].as_str().unwrap().to_string();
    app.ok(&format!("respond {path} once"));
    let out = asker.wait_with_output().expect("dbus-send output");
    assert!(out.status.success(), "{out:?}");
    let code = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();
    let expected = reference_codes(GITHUB_SECRET);
    assert!(
        expected.contains(&code),
        "got {code:?}, oathtool says one of {expected:?}"
    );
}

/// A third-party app asks for a code: the dialog names the account and who asks; closing it
/// ("Not Now") refuses this call and remembers nothing, "Always Deny" is remembered.
#[test]
fn consent_dialog_names_the_account_and_not_now_is_not_remembered() {
    let Some(display) = driver::display() else {
        return;
    };
    let (bus, _daemon, id) = seeded(false);
    let _app = driver::Accessible::start(&bus, &display);
    let ask = || ask_code(&bus, &id);
    let refused = |child: std::process::Child, what: &str| {
        let out = child.wait_with_output().expect("dbus-send output");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains("AccessDenied"),
            "{what}: {out:?}"
        );
    };
    let first = ask();
    a11y_run(&bus, &display, "consent.py", &["not-now"]);
    refused(first, "Not Now refuses this call");
    let second = ask();
    a11y_run(&bus, &display, "consent.py", &["always-deny"]);
    refused(second, "Always Deny refuses it");
    let started = Instant::now();
    refused(ask(), "a remembered deny");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the third call waited for an answer: the deny was not remembered"
    );
    let grants = cli(&bus, &["access", "list", "--json"]);
    let grants = String::from_utf8_lossy(&grants.stdout);
    assert_eq!(grants.matches("\"deny\"").count(), 1, "{grants}");
}

/// A third-party script asks for a sign-in approval, titling itself "Latchkey security check":
/// the dialog names the script first, as Latchkey determined it, and shows the title only as the
/// script's claim, with a countdown and large number targets none of which has the focus. Not
/// Now hides it without answering (a banner brings it back). Locked, the dialog asks for the
/// passphrase itself and then sends the pick.
#[test]
fn approval_dialog_shows_who_asks_first_and_unlocks_inline() {
    if driver::display().is_none() {
        return;
    }
    let x = driver::Xvfb::start();
    let display = x.display().to_string();
    let (bus, _daemon, _) = seeded(true);
    let script = bus.root().join("home/requester.py");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/a11y/requester.py"),
        &script,
    )
    .expect("copy the requester");
    let _app = driver::Accessible::start(&bus, &display);
    let mut requester = bus
        .command(std::path::Path::new("/usr/bin/python3"))
        .arg(&script)
        .arg("Latchkey security check")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 (python3-dbus)");
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(
        requester.stdout.take().expect("stdout"),
    ));
    let number = lines
        .next()
        .and_then(Result::ok)
        .and_then(|l| l.strip_prefix("NUMBER ").map(str::to_string))
        .expect("the requester prints its number");
    a11y_run(
        &bus,
        &display,
        "approval.py",
        &["check", &script.display().to_string()],
    );
    assert!(cli(&bus, &["lock"]).status.success());
    a11y_run(&bus, &display, "approval.py", &["locked", PASS, &number]);
    let result = lines.next().and_then(Result::ok).unwrap_or_default();
    let _ = requester.wait();
    assert_eq!(
        result, "RESULT approved",
        "the pick was sent after the unlock"
    );
}
