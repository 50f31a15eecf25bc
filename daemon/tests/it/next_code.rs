//! GetNextCode: the code of the following time window, checked against oathtool.

use latchkey_dbus::testing::{TestBus, target_bin};
use std::process::Command;

/// `(code, valid_from, valid_until)` from a `dbus-send --print-reply=literal` answer.
fn parse(reply: &str) -> (String, u64, u64) {
    let words: Vec<&str> = reply.split_whitespace().collect();
    let nums: Vec<u64> = words.iter().filter_map(|w| w.parse().ok()).collect();
    (
        words[0].to_string(),
        nums[nums.len() - 2],
        nums[nums.len() - 1],
    )
}

fn oathtool_at(secret: &str, time: u64) -> String {
    let out = Command::new("oathtool")
        .args(["--totp", "-b", &format!("--now=@{time}"), secret])
        .output()
        .expect("oathtool is required (apt-get install oathtool)");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn next_code_is_the_following_window() {
    let daemon_bin = target_bin("latchkeyd");
    let bus = TestBus::start(&daemon_bin).unwrap();
    let _daemon = bus.spawn_daemon(&daemon_bin).unwrap();
    bus.call("org.latchkey.Latchkey1.Vault.Create", &["string:pw"])
        .unwrap();
    let secret = "JBSWY3DPEHPK3PXP";
    let reply = bus
        .call(
            "org.latchkey.Latchkey1.Vault.AddUri",
            &[&format!(
                "string:otpauth://totp/A:b?secret={secret}&issuer=A"
            )],
        )
        .unwrap();
    let id = reply.trim().to_string();
    let arg = format!("string:{id}");
    let (code, from, until) = parse(
        &bus.call("org.latchkey.Latchkey1.Vault.GetCode", &[&arg])
            .unwrap(),
    );
    let (next, next_from, next_until) = parse(
        &bus.call("org.latchkey.Latchkey1.Vault.GetNextCode", &[&arg])
            .unwrap(),
    );
    assert_eq!(until - from, 30);
    // Both calls may straddle a window boundary; the next window starts where one ends.
    assert!(
        next_from == until || next_from == until + 30,
        "{until} {next_from}"
    );
    assert_eq!(next_until, next_from + 30);
    assert_eq!(code, oathtool_at(secret, from));
    assert_eq!(next, oathtool_at(secret, next_from));

    // Counter-based accounts have no next code: a named error, not a counter advance.
    let hotp = bus
        .call(
            "org.latchkey.Latchkey1.Vault.AddUri",
            &["string:otpauth://hotp/B:c?secret=JBSWY3DPEHPK3PXP&issuer=B&counter=0"],
        )
        .unwrap();
    let err = bus
        .call(
            "org.latchkey.Latchkey1.Vault.GetNextCode",
            &[&format!("string:{}", hotp.trim())],
        )
        .unwrap_err();
    assert!(err.to_string().contains("InvalidArgument"), "{err}");
}
