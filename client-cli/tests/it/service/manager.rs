//! With a user manager: install enables the unit, uninstall disables it, and a failing
//! `systemctl` is reported with its message. `systemctl` is a fake that records its arguments.

use super::*;

/// A fake `systemctl` that logs its arguments, says a manager runs, and fails `enable` on demand.
fn fake_systemctl(env: &mut Env, fail_enable: bool) -> PathBuf {
    let bin = env.root().join("fakebin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let log = env.root().join("systemctl.log");
    let script = format!(
        "#!/bin/sh\necho \"$*\" >>'{log}'\ncase \"$*\" in\n  '--user is-system-running') echo running ;;\n  *enable*) {fail} ;;\nesac\nexit 0\n",
        log = log.display(),
        fail = if fail_enable {
            "echo 'Failed to enable unit: boom' >&2; exit 1"
        } else {
            ":"
        }
    );
    let path = bin.join("systemctl");
    latchkey_dbus::testing::write_executable(&path, &script).expect("write fake systemctl");
    let system_path = std::env::var("PATH").unwrap_or_default();
    env.extra_env
        .push(("PATH".into(), format!("{}:{system_path}", bin.display())));
    log
}

#[test]
fn with_a_user_manager_install_enables_the_unit_and_uninstall_disables_it() {
    let mut env = Env::new();
    let log = fake_systemctl(&mut env, false);
    let out = env.ok(&["service", "install"], None);
    assert!(
        out.contains("Ran `systemctl --user daemon-reload`"),
        "{out}"
    );
    assert!(
        out.contains("Ran `systemctl --user enable --now latchkeyd.service`"),
        "{out}"
    );
    assert!(!out.contains("No systemd user manager"), "{out}");
    assert_eq!(
        std::fs::read_to_string(&log).expect("log"),
        "--user is-system-running\n--user daemon-reload\n--user enable --now latchkeyd.service\n"
    );
    std::fs::remove_file(&log).expect("reset log");

    let out = env.ok(&["service", "uninstall"], None);
    assert!(
        out.contains("Ran `systemctl --user disable --now latchkeyd.service`"),
        "{out}"
    );
    assert_eq!(
        std::fs::read_to_string(&log).expect("log"),
        "--user is-system-running\n--user disable --now latchkeyd.service\n--user daemon-reload\n"
    );
    assert!(!unit_path(&env).exists());
}

#[test]
fn a_failing_systemctl_is_reported_with_its_message() {
    let mut env = Env::new();
    fake_systemctl(&mut env, true);
    let (out, err) = env.fails(&["service", "install"], 1);
    assert!(
        err.contains("enable --now") && err.contains("boom"),
        "{err}"
    );
    assert!(err.contains("journalctl --user -u latchkeyd"), "{err}");
    assert!(
        out.contains("Installed the systemd user unit"),
        "the files stay installed: {out}"
    );
}
