//! An account's websites (browser fill) edited in the app, through the accessibility tree: an
//! account added by the CLI, its details opened in the app, a web address added (the daemon keeps
//! its host), a text that is no site refused in words with nothing lost, one removed, and a site
//! the CLI adds appearing live; after every step the CLI reads what the app shows.

use crate::driver::session::{GITHUB_SECRET, cli, seeded};
use crate::driver::{self, Accessible, Xvfb, a11y_run};
use latchkey_dbus::testing::TestBus;
use serde_json::Value;

/// The sites of account `id` as the CLI reads them from the daemon.
fn sites(bus: &TestBus, id: &str) -> Vec<String> {
    let out = cli(bus, &["sites", id, "--json"]);
    assert!(out.status.success(), "latchkey sites: {out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).expect("sites JSON");
    v["sites"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The sites a step of sites.py printed (what the details window lists).
fn shown(out: &str) -> Vec<String> {
    out.lines()
        .filter_map(|l| l.strip_prefix("SITE "))
        .map(str::to_string)
        .collect()
}

#[test]
fn an_accounts_websites_are_added_and_removed_in_the_app() {
    if driver::display().is_none() {
        return;
    }
    // The row is opened with a double click: a display of its own.
    let x = Xvfb::start();
    let display = x.display().to_string();
    let (bus, _daemon, _) = seeded(true);
    let add = cli(
        &bus,
        &[
            "add",
            "--issuer",
            "Forge",
            "--account",
            "bob",
            "--secret",
            GITHUB_SECRET,
            "--json",
        ],
    );
    assert!(add.status.success(), "latchkey add: {add:?}");
    let id = serde_json::from_slice::<Value>(&add.stdout).expect("add JSON")["id"]
        .as_str()
        .expect("the new account's id")
        .to_string();
    assert!(sites(&bus, &id).is_empty());
    let _app = Accessible::start(&bus, &display);
    let run = |args: &[&str]| a11y_run(&bus, &display, "sites.py", args);

    assert!(shown(&run(&["open", "Forge (bob)"])).is_empty());

    // A web address: the daemon keeps its host, and the app shows what it kept.
    let out = run(&[
        "add",
        "Forge (bob)",
        "https://github.com/login",
        "github.com",
    ]);
    assert_eq!(shown(&out), ["github.com"]);
    assert_eq!(sites(&bus, &id), ["github.com"]);
    let out = run(&["add", "Forge (bob)", "GitLab.com", "gitlab.com"]);
    assert_eq!(shown(&out), ["github.com", "gitlab.com"]);
    assert_eq!(sites(&bus, &id), ["github.com", "gitlab.com"]);

    // No site: the daemon's reason on screen, the text kept, nothing changed.
    let out = run(&[
        "refused",
        "Forge (bob)",
        "not a site",
        "“not a site” is not a site",
    ]);
    assert_eq!(shown(&out), ["github.com", "gitlab.com"]);
    assert_eq!(sites(&bus, &id), ["github.com", "gitlab.com"]);

    let out = run(&["remove", "Forge (bob)", "github.com"]);
    assert_eq!(shown(&out), ["gitlab.com"]);
    assert_eq!(sites(&bus, &id), ["gitlab.com"]);

    // Changed elsewhere (the CLI here; a confirmed fill does the same): shown at once.
    let out = cli(&bus, &["sites", &id, "--add", "codeberg.org"]);
    assert!(out.status.success(), "{out:?}");
    let out = run(&["wait", "Forge (bob)", "codeberg.org"]);
    assert_eq!(shown(&out), ["gitlab.com", "codeberg.org"]);
}
