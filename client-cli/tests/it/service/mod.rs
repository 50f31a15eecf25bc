//! `latchkey service install/uninstall` into temporary XDG directories, checked by systemd's own
//! tools. No systemd manager is ever started: the real runs take the "no manager" branch, and the
//! "manager" branch runs against a fake `systemctl` that records its arguments ([`manager`]).

mod manager;

use crate::common::{Env, mode};
use latchkey_dbus::testing::target_bin;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The exposure `systemd-analyze security --offline` may give the unit with the sandbox drop-in
/// (measured: 1.7 with systemd 252).
const MAX_EXPOSURE_SANDBOXED: f64 = 4.0;
/// The same for the plain unit (measured: 6.2). It holds only what works under every user manager:
/// the analyzer scores an empty capability bounding set, but a user manager cannot apply one
/// outside a user namespace (the unit would fail with 218/CAPABILITIES); see docs/systemd.md.
const MAX_EXPOSURE: f64 = 6.5;

fn unit_path(env: &Env) -> PathBuf {
    env.root().join("config/systemd/user/latchkeyd.service")
}

fn sandbox_path(env: &Env) -> PathBuf {
    env.root()
        .join("config/systemd/user/latchkeyd.service.d/sandbox.conf")
}

fn activation_path(env: &Env) -> PathBuf {
    env.root()
        .join("data/dbus-1/services/org.latchkey.Latchkey1.service")
}

/// `systemd-analyze ARGS UNIT` as a user with a fresh private runtime directory; (ok, stdout, stderr).
fn systemd_analyze(args: &[&str], unit: &Path) -> (bool, String, String) {
    let runtime = tempfile::Builder::new()
        .prefix("latchkey-analyze-")
        .tempdir()
        .expect("runtime dir");
    std::fs::set_permissions(runtime.path(), std::fs::Permissions::from_mode(0o700))
        .expect("chmod");
    let out = Command::new("systemd-analyze")
        .args(args)
        .arg(unit)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", runtime.path())
        .env("XDG_RUNTIME_DIR", runtime.path())
        .env("LC_ALL", "C")
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "systemd-analyze cannot run ({e}): install systemd (`apt-get install systemd`; \
                 scripts/test.sh installs the test packages)"
            )
        });
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// `systemd-analyze verify` must pass and say nothing about our files.
fn assert_verifies(unit: &Path) {
    let (ok, stdout, stderr) = systemd_analyze(&["verify", "--user", "--man=no"], unit);
    assert!(ok, "systemd-analyze verify failed:\n{stdout}\n{stderr}");
    let complaints: Vec<&str> = stdout
        .lines()
        .chain(stderr.lines())
        .filter(|l| l.contains("latchkeyd") || l.contains("sandbox.conf"))
        .collect();
    assert!(
        complaints.is_empty(),
        "systemd-analyze verify warns:\n{}",
        complaints.join("\n")
    );
}

/// The overall exposure level `systemd-analyze security --offline=true` gives `unit`.
fn exposure(unit: &Path) -> f64 {
    let (ok, stdout, stderr) = systemd_analyze(&["security", "--user", "--offline=true"], unit);
    assert!(ok, "systemd-analyze security failed:\n{stdout}\n{stderr}");
    let line = stdout
        .lines()
        .find(|l| l.contains("Overall exposure level"))
        .unwrap_or_else(|| panic!("no exposure level in:\n{stdout}"));
    let value = line
        .rsplit_once(": ")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("cannot parse {line:?}"));
    eprintln!("{line}");
    value
}

#[test]
fn install_writes_valid_hardened_files_and_uninstall_removes_them() {
    let env = Env::new();
    let daemon = target_bin("latchkeyd");
    let out = env.ok(&["service", "install"], None);
    assert!(out.contains("Installed the systemd user unit"), "{out}");
    assert!(out.contains("Installed the D-Bus activation file"), "{out}");
    assert!(
        out.contains("No systemd user manager runs here") && out.contains("D-Bus activation"),
        "tests never have a user manager: {out}"
    );
    assert!(
        out.contains("ReloadConfig"),
        "the bus reloads its service files: {out}"
    );

    let unit = std::fs::read_to_string(unit_path(&env)).expect("unit installed");
    let activation =
        std::fs::read_to_string(activation_path(&env)).expect("activation file installed");
    let exec = format!("{}", daemon.display());
    assert!(
        unit.lines().any(|l| l == format!("ExecStart={exec}")),
        "{unit}"
    );
    assert!(
        activation.lines().any(|l| l == format!("Exec={exec}")),
        "{activation}"
    );
    assert!(activation.contains("SystemdService=latchkeyd.service"));
    // The test's XDG directories are not the defaults: the unit pins them for the daemon.
    let data = env.root().join("data");
    assert!(
        unit.contains(&format!("\"XDG_DATA_HOME={}\"", data.display())),
        "{unit}"
    );
    assert!(!unit.contains("@bindir@") && !unit.contains("@docdir@"));
    assert_eq!(mode(&unit_path(&env)), 0o644);
    assert_eq!(mode(&activation_path(&env)), 0o644);
    assert!(!sandbox_path(&env).exists());

    assert_verifies(&unit_path(&env));
    let plain = exposure(&unit_path(&env));
    assert!(plain <= MAX_EXPOSURE, "exposure {plain} > {MAX_EXPOSURE}");

    // With the sandbox drop-in: the writable directories exist and are private, and it scores lower.
    let out = env.ok(&["service", "install", "--sandbox"], None);
    assert!(out.contains("Installed the sandbox drop-in"), "{out}");
    let dropin = std::fs::read_to_string(sandbox_path(&env)).expect("drop-in installed");
    assert!(
        dropin.contains(&format!(
            "ReadWritePaths=-{}/latchkey -{}/latchkey",
            data.display(),
            env.root().join("config").display()
        )),
        "{dropin}"
    );
    assert_eq!(mode(&env.root().join("data/latchkey")), 0o700);
    assert_eq!(mode(&env.root().join("config/latchkey")), 0o700);
    assert_verifies(&unit_path(&env));
    let sandboxed = exposure(&unit_path(&env));
    assert!(
        sandboxed < plain && sandboxed <= MAX_EXPOSURE_SANDBOXED,
        "sandboxed exposure {sandboxed} (plain {plain})"
    );

    // Installing again without --sandbox takes the drop-in away.
    let out = env.ok(&["service", "install"], None);
    assert!(out.contains("Removed the sandbox drop-in"), "{out}");
    assert!(!sandbox_path(&env).exists());
    assert!(
        !sandbox_path(&env).parent().expect("dir").exists(),
        "empty drop-in dir removed"
    );

    let out = env.ok(&["service", "uninstall"], None);
    assert!(out.contains("Removed the systemd user unit"), "{out}");
    assert!(out.contains("Removed the D-Bus activation file"), "{out}");
    assert!(!unit_path(&env).exists() && !activation_path(&env).exists());
    let out = env.ok(&["service", "uninstall"], None);
    assert!(
        out.contains("No systemd user unit to remove"),
        "uninstalling twice is fine: {out}"
    );
}

#[test]
fn install_refuses_a_missing_or_non_executable_daemon() {
    let env = Env::new();
    let missing = env.root().join("nowhere/latchkeyd");
    let (_, err) = env.fails(
        &[
            "service",
            "install",
            "--daemon",
            &missing.display().to_string(),
        ],
        1,
    );
    assert!(
        err.contains("no latchkeyd at") && err.contains("--daemon"),
        "{err}"
    );
    let not_exec = env.root().join("latchkeyd");
    std::fs::write(&not_exec, b"#!/bin/sh\n").expect("write");
    std::fs::set_permissions(&not_exec, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let (_, err) = env.fails(
        &[
            "service",
            "install",
            "--daemon",
            &not_exec.display().to_string(),
        ],
        1,
    );
    assert!(err.contains("not an executable file"), "{err}");
    assert!(!unit_path(&env).exists(), "nothing written on failure");

    // --daemon accepts another name and location.
    let renamed = env.root().join("bin/latchkeyd-dev");
    std::fs::create_dir_all(renamed.parent().expect("dir")).expect("mkdir");
    latchkey_dbus::testing::install_executable(&target_bin("latchkeyd"), &renamed).expect("copy");
    env.ok(
        &[
            "service",
            "install",
            "--daemon",
            &renamed.display().to_string(),
        ],
        None,
    );
    let unit = std::fs::read_to_string(unit_path(&env)).expect("unit");
    assert!(
        unit.contains(&format!("ExecStart={}\n", renamed.display())),
        "{unit}"
    );
}
