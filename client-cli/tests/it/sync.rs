//! `latchkey sync` between two machines (two private buses, two daemons) sharing a plain
//! folder, as a person pairs them: enable, invite, join, status, devices, forget, disable.

use crate::common::Env;
use std::time::{Duration, Instant};

fn wait_for(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn issuers(env: &Env) -> Vec<String> {
    let list = env.json(&["list", "--json"]);
    let mut out: Vec<String> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|a| a["issuer"].as_str().unwrap_or_default().to_string())
        .collect();
    out.sort();
    out
}

#[test]
fn two_machines_pair_sync_and_forget_through_the_cli() {
    let (a, b) = (Env::new(), Env::new());
    let folder = tempfile::tempdir().expect("shared folder");
    let shared = folder.path().to_str().expect("utf-8");
    for (env, issuer) in [(&a, "Alpha"), (&b, "Beta")] {
        env.ok(&["init", "--passphrase-stdin"], Some("pw\n"));
        let uri = format!(
            "otpauth://totp/{issuer}:user?secret=JBSWY3DPEHPK3PX{}",
            &issuer[..1]
        );
        env.ok(&["add", &uri], None);
    }
    // Before sync is on, the commands say so.
    let (_, err) = a.fails(&["sync", "invite"], 1);
    assert!(err.contains("sync is not on"), "{err}");

    let out = a.ok(&["sync", "enable", shared, "--name", "alpha"], None);
    assert!(out.contains("Sync is on"), "{out}");
    let code = a.ok(&["sync", "invite"], None).trim().to_string();
    assert_eq!(code.len(), 39, "{code}");
    let out = b.ok(&["sync", "join", shared, &code, "--name", "beta"], None);
    assert!(out.contains("Asked to join"), "{out}");
    wait_for("both machines have both accounts", || {
        issuers(&a) == ["Alpha", "Beta"] && issuers(&b) == ["Alpha", "Beta"]
    });
    // The code was used up.
    let again = Env::new();
    again.ok(&["init", "--passphrase-stdin"], Some("pw\n"));
    let (_, err) = again.fails(&["sync", "join", shared, "not-a-code"], 1);
    assert!(err.contains("invite code is not valid"), "{err}");

    let status = b.json(&["sync", "status", "--json"]);
    assert_eq!(status["enabled"], true);
    assert_eq!(status["name"], "beta");
    assert_eq!(status["joining"], false);
    let devices = a.json(&["sync", "devices", "--json"]);
    let devices = devices.as_array().expect("array");
    assert_eq!(devices.len(), 2);
    let beta = devices
        .iter()
        .find(|d| d["name"] == "beta")
        .expect("beta listed");
    assert_eq!(beta["this_device"], false);
    let beta_id = beta["id"].as_str().expect("id").to_string();
    let text = a.ok(&["sync", "devices"], None);
    assert!(
        text.contains("this machine") && text.contains(&beta_id),
        "{text}"
    );

    let out = a.ok(&["sync", "forget", "beta"], None);
    assert!(out.contains(&beta_id), "{out}");
    wait_for("beta learns it was forgotten", || {
        b.json(&["sync", "status", "--json"])["forgotten"] == true
    });
    b.ok(
        &["add", "otpauth://totp/Late:user?secret=JBSWY3DPEHPK3PXL"],
        None,
    );
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        issuers(&a),
        ["Alpha", "Beta"],
        "nothing from a forgotten machine"
    );

    a.ok(&["sync", "disable"], None);
    assert_eq!(a.json(&["sync", "status", "--json"])["enabled"], false);
    assert_eq!(
        issuers(&a),
        ["Alpha", "Beta"],
        "accounts stay when sync is turned off"
    );
}
