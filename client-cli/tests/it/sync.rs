//! `latchkey sync` between two machines (two private buses, two daemons) sharing a plain
//! folder, as a person pairs them: enable, invite, join, status, devices, forget, follow a
//! phone's Aegis backups and stop, disable.

use crate::common::Env;
use latchkey_dbus::testing::mistype;
use std::path::Path;
use std::time::{Duration, Instant};

fn wait_for(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Two machines with a vault and an account each (Alpha, Beta), and their shared folder.
fn two_machines() -> (Env, Env, tempfile::TempDir) {
    let (a, b) = (Env::new(), Env::new());
    for (env, issuer) in [(&a, "Alpha"), (&b, "Beta")] {
        env.ok(&["init", "--passphrase-stdin"], Some("pw\n"));
        let uri = format!(
            "otpauth://totp/{issuer}:user?secret=JBSWY3DPEHPK3PX{}",
            &issuer[..1]
        );
        env.ok(&["add", &uri], None);
    }
    (a, b, tempfile::tempdir().expect("shared folder"))
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
    let (a, b, folder) = two_machines();
    let shared = folder.path().to_str().expect("utf-8");
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

    // Following a phone's Aegis backups, then no longer.
    let phone = tempfile::tempdir().expect("the Aegis backup folder");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../core/tests/data/import/aegis-encrypted-v3.json"),
        phone.path().join("aegis-backup-20261207-080000.json"),
    )
    .expect("the backup");
    // A wrong password is refused at once, in words, and nothing is followed or mirrored.
    let (_, err) = a.fails_with(
        &[
            "sync",
            "follow-aegis",
            phone.path().to_str().expect("utf-8"),
            "--passphrase-stdin",
        ],
        Some("not the password\n"),
        6,
    );
    assert!(
        err.contains("wrong passphrase for the Aegis export"),
        "{err}"
    );
    assert_eq!(a.json(&["sync", "status", "--json"])["aegis_folder"], "");
    assert_eq!(issuers(&a), ["Alpha", "Beta"]);
    let out = a.ok(
        &[
            "sync",
            "follow-aegis",
            phone.path().to_str().expect("utf-8"),
            "--passphrase-stdin",
        ],
        Some("import test passphrase\n"),
    );
    assert!(out.contains("Following"), "{out}");
    wait_for("the Aegis backup is mirrored", || {
        issuers(&a) == ["Alpha", "Bank", "Beta", "Corp", "GitHub", "Steam"]
    });
    let status = a.json(&["sync", "status", "--json"]);
    assert_eq!(
        status["aegis_backup"], "aegis-backup-20261207-080000.json",
        "{status}"
    );
    let mirrored = issuers(&a);
    a.ok(&["sync", "follow-aegis", "--stop"], None);
    assert_eq!(a.json(&["sync", "status", "--json"])["aegis_folder"], "");
    assert_eq!(
        issuers(&a),
        mirrored,
        "the mirrored accounts stay after --stop"
    );

    a.ok(&["sync", "disable"], None);
    assert_eq!(a.json(&["sync", "status", "--json"])["enabled"], false);
    assert_eq!(
        issuers(&a),
        mirrored,
        "accounts stay when sync is turned off"
    );
}

#[test]
fn a_mistyped_invite_code_is_refused_in_words_and_the_machine_joins_again() {
    let (a, b, folder) = two_machines();
    let shared = folder.path().to_str().expect("utf-8");
    a.ok(&["sync", "enable", shared, "--name", "alpha"], None);
    let code = a.ok(&["sync", "invite"], None).trim().to_string();
    wait_for("alpha's replica is in the folder", || {
        std::fs::read_dir(folder.path().join("Latchkey"))
            .map(|d| d.flatten().count() > 0)
            .unwrap_or(false)
    });

    // A typo in the part that names the inviting machine: refused at once, nothing changes.
    let (_, err) = b.fails(
        &[
            "sync",
            "join",
            shared,
            &mistype(&code, 38),
            "--name",
            "beta",
        ],
        1,
    );
    assert!(
        err.contains("no computer syncing through this folder made that invite code"),
        "{err}"
    );
    assert_eq!(b.json(&["sync", "status", "--json"])["enabled"], false);

    // A typo in the secret part: the inviting machine refuses the request, and this one says
    // so instead of waiting for ever.
    let out = b.ok(
        &["sync", "join", shared, &mistype(&code, 0), "--name", "beta"],
        None,
    );
    assert!(out.contains("Asked to join"), "{out}");
    let first = b.json(&["sync", "status", "--json"])["device"]
        .as_str()
        .expect("device")
        .to_string();
    wait_for("beta learns its code was refused", || {
        b.json(&["sync", "status", "--json"])["join_error"]
            .as_str()
            .is_some_and(|e| e.contains("the inviting computer refused this machine"))
    });
    let text = b.ok(&["sync", "status"], None);
    assert!(
        text.contains("Not admitted: the inviting computer refused"),
        "{text}"
    );
    assert_eq!(issuers(&b), ["Beta"], "nothing merged");
    assert_eq!(issuers(&a), ["Alpha"]);
    let listed = a.json(&["sync", "devices", "--json"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");

    // Joining again, with the right code, without turning sync off: the earlier request goes.
    b.ok(&["sync", "join", shared, &code, "--name", "beta"], None);
    assert!(
        !folder
            .path()
            .join("Latchkey")
            .join(format!("{first}.lkjoin"))
            .exists(),
        "the refused request was withdrawn"
    );
    wait_for("both machines have both accounts", || {
        issuers(&a) == ["Alpha", "Beta"] && issuers(&b) == ["Alpha", "Beta"]
    });
    let status = b.json(&["sync", "status", "--json"]);
    assert_eq!(status["joining"], false, "{status}");
    assert_eq!(status["join_error"], "", "{status}");
}
