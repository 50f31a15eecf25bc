//! privacyIDEA push tokens end to end against a real privacyIDEA 3.14 (poll-only push): enroll
//! with the token's URI, answer sign-ins through the CLI (approve, decline, presence check right
//! and wrong, an expired challenge, approving while locked), and unregister. The helpers (the
//! CLI environment, SecurityEvent capture, privacyIDEA polling) are in [`harness`].

mod harness;

use crate::privacyidea::Pi;
use harness::{Env, security_events, status, transaction, wait_event};
use std::time::{Duration, Instant};

#[test]
fn push_token_against_privacyidea() {
    let pi = Pi::start();
    pi.add_user();
    let push_url = format!("{}/ttype/push", pi.base);
    pi.policy(
        "enroll-push",
        "enrollment",
        &format!("push_firebase_configuration=poll only, push_registration_url={push_url}, push_ssl_verify=1"),
    );
    pi.policy("auth-push", "authentication", "push_allow_polling=allow");
    let (uri, serial) = pi.init_push_token();
    assert!(uri.starts_with("otpauth://pipush/"), "{uri}");

    let env = Env::new();
    let events = security_events(env.0.bus.address());
    let id = env.run(&["add", &uri], "").trim().to_string();
    let list: serde_json::Value =
        serde_json::from_str(&env.run(&["list", "--json"], "")).expect("json");
    let entry = list
        .as_array()
        .and_then(|a| a.iter().find(|e| e["id"] == id.as_str()))
        .unwrap_or_else(|| panic!("{list}"));
    assert_eq!(entry["kind"], "push");
    assert_eq!(entry["serial"], serial.as_str());
    assert_eq!(entry["issuer"], "privacyIDEA");
    let code = env.output(&["code", &id], "");
    assert!(!code.status.success());
    assert!(
        String::from_utf8_lossy(&code.stderr).contains("no codes"),
        "{code:?}"
    );
    // With a token enrolled the daemon polls about every second (push_poll_interval = 1).
    let before = pi.polls(&serial);
    std::thread::sleep(Duration::from_secs(5));
    assert!(pi.polls(&serial) >= before + 2, "the daemon polls");
    // The same URI cannot be enrolled twice (the server refuses a second step anyway).
    assert!(!env.output(&["add", &uri], "").status.success());

    // Accept, with the request arriving while the vault is locked: approving needs an unlock.
    env.run(&["lock"], "");
    let tx = transaction(&pi.trigger());
    let request = env.pending();
    assert_eq!(request["title"], "privacyIDEA", "{request}");
    assert_eq!(request["message"], "Do you want to confirm the login?");
    assert!(
        request["caller"]
            .as_str()
            .expect("caller")
            .contains(&format!("privacyIDEA at 127.0.0.1 (push token {serial})")),
        "{request}"
    );
    let rid = request["id"].as_str().expect("id").to_string();
    assert_eq!(
        env.output(&["approve", &rid], "").status.code(),
        Some(3),
        "locked"
    );
    env.run(&["unlock", "--passphrase-stdin"], "pw\n");
    env.run(&["approve", &rid], "");
    assert_eq!(status(&pi, &tx, "accept", 10), "accept");
    let done = pi.finish(&tx);
    assert_eq!(done["result"]["value"], true, "final check: {done}");

    // Decline.
    let tx = transaction(&pi.trigger());
    let rid = env.pending()["id"].as_str().expect("id").to_string();
    env.run(&["deny", &rid], "");
    assert_eq!(status(&pi, &tx, "declined", 10), "declined");
    let done = pi.finish(&tx);
    assert_eq!(done["result"]["value"], false, "declined: {done}");

    // Presence check (number matching): the right answer signs in, a wrong one does not.
    pi.policy(
        "auth-push",
        "authentication",
        "push_allow_polling=allow, push_require_presence=1",
    );
    for right in [true, false] {
        let started = pi.trigger();
        let tx = transaction(&started);
        let correct = started["detail"]["multi_challenge"][0]["presence_answer"]
            .as_str()
            .or_else(|| started["detail"]["presence_answer"].as_str())
            .unwrap_or_else(|| panic!("no presence answer: {started}"))
            .to_string();
        let request = env.pending();
        let labels: Vec<String> = request["choice_labels"]
            .as_array()
            .unwrap_or_else(|| panic!("{request}"))
            .iter()
            .map(|l| l.as_str().expect("label").to_string())
            .collect();
        assert!(labels.contains(&correct), "{labels:?} has {correct}");
        let pick = if right {
            correct.clone()
        } else {
            labels
                .iter()
                .find(|l| **l != correct)
                .expect("a wrong one")
                .clone()
        };
        let rid = request["id"].as_str().expect("id").to_string();
        env.run(&["approve", &rid, "--answer", &pick], "");
        if right {
            assert_eq!(status(&pi, &tx, "accept", 10), "accept");
        } else {
            // The server refuses the answer (the daemon reports it) and the sign-in stays open.
            let said = wait_event(&events, "push-answer-rejected", 10).expect("rejection reported");
            assert!(said.contains("wrong answer"), "{said}");
            assert_eq!(pi.poll_transaction(&tx), (false, "pending".to_string()));
        }
        let done = pi.finish(&tx);
        assert_eq!(done["result"]["value"], right, "final check: {done}");
    }

    // An expired challenge: the request disappears and cannot be approved.
    pi.policy("auth-push", "authentication", "push_allow_polling=allow");
    pi.ok(
        "POST",
        "/system/setConfig",
        &[("PushChallengeValidityTime", "8")],
    );
    let tx = transaction(&pi.trigger());
    let rid = env.pending()["id"].as_str().expect("id").to_string();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !env.pending_list().is_empty() {
        assert!(
            Instant::now() < deadline,
            "the expired request is still pending"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(!env.output(&["approve", &rid], "").status.success());
    assert!(!pi.poll_transaction(&tx).0);
    assert_eq!(pi.finish(&tx)["result"]["value"], false);

    // A challenge signed with another key is dropped and reported; nothing reaches the user.
    // The daemon is stopped, its stored server key swapped, and started again (locked).
    let pid = env.0.bus.name_owner_pid().expect("query").expect("daemon");
    // SIGTERM through the shell's kill builtin (no procps needed).
    let killed = std::process::Command::new("sh")
        .args(["-c", &format!("kill {pid}")])
        .status();
    assert!(killed.expect("kill").success());
    let deadline = Instant::now() + Duration::from_secs(10);
    while env.0.bus.name_owner_pid().expect("query").is_some() {
        assert!(Instant::now() < deadline, "the daemon did not stop");
        std::thread::sleep(Duration::from_millis(50));
    }
    let store = env.0.root().join("data/latchkey/push.json");
    let mut tokens: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&store).expect("push.json")).expect("json");
    let recorded: serde_json::Value = serde_json::from_str(include_str!(
        "../../../../daemon/src/push/testdata/enrollment.json"
    ))
    .expect("recorded enrollment");
    tokens["tokens"][0]["server_key"] = recorded["detail"]["public_key"].clone();
    std::fs::write(&store, serde_json::to_vec(&tokens).expect("json")).expect("write");
    env.run(&["status"], "");
    let events = security_events(env.0.bus.address());
    pi.ok(
        "POST",
        "/system/setConfig",
        &[("PushChallengeValidityTime", "120")],
    );
    pi.trigger();
    let said = wait_event(&events, "push-bad-signature", 15).expect("bad signature reported");
    assert!(said.contains(&serial), "{said}");
    assert!(
        env.pending_list().is_empty(),
        "a forged challenge is not shown"
    );

    // Unregister: gone locally, and the user is told to delete it on the server.
    env.run(&["unlock", "--passphrase-stdin"], "pw\n");
    let out = env.output(&["remove", &id, "--yes"], "");
    assert!(out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("privacyIDEA server") && said.contains(&serial),
        "{said}"
    );
    assert!(wait_event(&events, "push-token-removed", 5).is_some());
    // No token, no polling.
    std::thread::sleep(Duration::from_millis(1500));
    let after = pi.polls(&serial);
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(pi.polls(&serial), after, "no polling without push tokens");
    let list = env.run(&["list", "--json"], "");
    assert!(!list.contains(&serial), "{list}");
}
