//! `latchkey doctor` against a real daemon, a real vault and a stand-in timedated.

use crate::common::{Env, FakeTimedated, chmod, line};
use latchkey_dbus::testing::target_bin;

/// An environment with the service files installed, a running daemon and a vault.
fn ready_env() -> (Env, latchkey_dbus::testing::DaemonProcess) {
    let mut env = Env::new();
    env.use_session_bus_as_system_bus();
    env.ok(&["service", "install"], None);
    let daemon = env
        .bus
        .spawn_daemon(&target_bin("latchkeyd"))
        .expect("daemon");
    env.ok(&["init", "--passphrase-stdin"], Some("pw\n"));
    (env, daemon)
}

#[test]
fn doctor_passes_when_all_is_well_and_flags_loose_vault_permissions() {
    let (env, _daemon) = ready_env();
    let _timedated = FakeTimedated::start(env.bus.address(), true);
    let out = env.ok(&["doctor"], None);
    assert!(line(&out, "✓ daemon ").contains("answers"), "{out}");
    assert!(line(&out, "✓ clock ").contains("NTP-synchronised"), "{out}");
    assert!(line(&out, "✓ vault ").contains("mode 0600"), "{out}");
    assert!(line(&out, "✓ vault dir ").contains("mode 0700"), "{out}");
    line(&out, "✓ unit ");
    line(&out, "✓ activation ");
    assert!(!out.contains('✗'), "{out}");
    assert!(out.contains("All good."), "{out}");

    let vault = env.bus.vault_path();
    chmod(&vault, 0o644);
    let (out, err) = env.fails(&["doctor"], 1);
    let bad = line(&out, "✗ vault ");
    assert!(
        bad.contains("0644") && bad.contains("should be 0600"),
        "{out}"
    );
    assert!(
        out.contains(&format!("fix: `chmod 600 {}`", vault.display())),
        "{out}"
    );
    assert!(err.contains("1 check failed"), "{err}");
    line(&out, "✓ daemon ");

    chmod(&vault, 0o600);
    let dir = vault.parent().expect("dir");
    chmod(dir, 0o755);
    let (out, _) = env.fails(&["doctor"], 1);
    assert!(line(&out, "✗ vault dir ").contains("0755"), "{out}");
    assert!(
        out.contains(&format!("fix: `chmod 700 {}`", dir.display())),
        "{out}"
    );
    chmod(dir, 0o700);
    env.ok(&["doctor"], None);
}

#[test]
fn doctor_flags_an_unsynchronised_clock_but_not_an_unknown_one() {
    let (mut env, _daemon) = ready_env();
    {
        let _timedated = FakeTimedated::start(env.bus.address(), false);
        let (out, _) = env.fails(&["doctor"], 1);
        assert!(
            line(&out, "✗ clock ").contains("not NTP-synchronised"),
            "{out}"
        );
        assert!(out.contains("timedatectl set-ntp true"), "{out}");
    }
    // No system bus at all (a container): unknown, and not a failure.
    env.system_bus = format!("unix:path={}", env.root().join("no-system-bus").display());
    let out = env.ok(&["doctor"], None);
    assert!(line(&out, "? clock ").contains("unknown"), "{out}");
}

#[test]
fn doctor_says_how_to_get_a_daemon_and_a_vault() {
    let env = Env::new();
    // This bus cannot activate latchkeyd, and nothing is installed.
    std::fs::remove_file(env.root().join("services/org.latchkey.Latchkey1.service")).expect("rm");
    let (out, _) = env.fails(&["doctor"], 1);
    let daemon = line(&out, "✗ daemon ");
    assert!(daemon.contains("does not answer"), "{out}");
    assert!(out.contains("`latchkey service install`"), "{out}");
    assert!(line(&out, "✗ vault ").contains("no vault"), "{out}");
    assert!(out.contains("`latchkey init`"), "{out}");
    line(&out, "✗ unit ");
    line(&out, "✗ activation ");

    // No session bus at all.
    let out = env
        .command(&["doctor"])
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", env.root().join("nobus").display()),
        )
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        line(&text, "✗ daemon ").contains("no session bus"),
        "{text}"
    );

    // An installed unit whose daemon has moved away is caught.
    env.ok(&["service", "install"], None);
    let unit = env.root().join("config/systemd/user/latchkeyd.service");
    let text = std::fs::read_to_string(&unit).expect("unit");
    let moved = text.replace(
        &target_bin("latchkeyd").display().to_string(),
        "/nonexistent/latchkeyd",
    );
    std::fs::write(&unit, moved).expect("write");
    let (out, _) = env.fails(&["doctor"], 1);
    assert!(
        line(&out, "✗ unit ").contains("/nonexistent/latchkeyd"),
        "{out}"
    );
    line(&out, "✓ activation ");
}
