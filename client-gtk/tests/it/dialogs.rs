//! Approval and consent requests as the app shows them.

use crate::driver::session::{GITHUB_SECRET, ask_code, cli, reference_codes, seeded};
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
