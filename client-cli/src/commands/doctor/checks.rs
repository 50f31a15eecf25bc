//! The individual `doctor` checks: the daemon, the clock, the vault's files and the installed
//! unit and activation files.

use super::Check;
use crate::bus::{self, ProbeError};
use crate::clock::ClockSync;
use crate::{paths, systemd, units};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Whether the daemon answers, and if not, what is missing to start it.
pub(super) fn daemon_check(
    probe: &Result<bus::DaemonState, ProbeError>,
    manager: bool,
    unit: bool,
    activation: bool,
) -> Check {
    match probe {
        Ok(s) => {
            let vault = if !s.initialized {
                "no vault yet".to_string()
            } else {
                let state = if s.locked { "locked" } else { "unlocked" };
                format!(
                    "vault {state}, {} account{}",
                    s.accounts,
                    if s.accounts == 1 { "" } else { "s" }
                )
            };
            Check::ok(
                "daemon",
                format!(
                    "latchkeyd {} answers on the session bus ({vault})",
                    s.version
                ),
            )
        }
        Err(ProbeError::NoBus(e)) => Check::fail(
            "daemon",
            format!("cannot ask latchkeyd: {e}"),
            "run latchkey inside your desktop session, or start a session bus for this shell: \
             `dbus-run-session -- $SHELL` (scripts/run.sh starts one on headless machines)",
        ),
        Err(ProbeError::NoDaemon(e)) => {
            let fix = if manager && unit {
                "start it: `systemctl --user start latchkeyd`; if it stops again, \
                 `journalctl --user -u latchkeyd` says why"
            } else if activation {
                "D-Bus activation did not start it: run `latchkeyd` in a terminal to see why"
            } else {
                "install it as a service: `latchkey service install` (or run `latchkeyd &` for this session)"
            };
            Check::fail("daemon", format!("latchkeyd does not answer: {e}"), fix)
        }
    }
}

pub(super) fn clock_check(sync: ClockSync) -> Check {
    match sync {
        ClockSync::Synchronized => Check::ok("clock", "the system clock is NTP-synchronised"),
        ClockSync::NotSynchronized => Check::fail(
            "clock",
            "the system clock is not NTP-synchronised: time-based codes may be rejected",
            "turn on network time: `timedatectl set-ntp true` (check with `timedatectl status`)",
        ),
        ClockSync::Unknown(e) => Check::unknown(
            "clock",
            format!(
                "unknown whether the clock is NTP-synchronised (org.freedesktop.timedate1: {e})"
            ),
        ),
    }
}

/// The vault file, its backup and its directory must be private to this user.
pub(super) fn vault_checks() -> Vec<Check> {
    let file = paths::vault_file();
    let dir = paths::data_dir();
    let mut checks = Vec::new();
    match std::fs::metadata(&file) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            checks.push(Check::fail(
                "vault",
                format!("no vault at {}", file.display()),
                "create one: `latchkey init`",
            ));
        }
        Err(e) => checks.push(Check::fail(
            "vault",
            format!("cannot stat {}: {e}", file.display()),
            format!("check the permissions of {}", dir.display()),
        )),
        Ok(meta) => checks.push(private_check("vault", &file, &meta, 0o600)),
    }
    let backup = file.with_extension("latchkey.bak");
    if let Ok(meta) = std::fs::metadata(&backup) {
        checks.push(private_check("backup", &backup, &meta, 0o600));
    }
    if let Ok(meta) = std::fs::metadata(&dir) {
        checks.push(private_check("vault dir", &dir, &meta, 0o700));
    }
    checks
}

/// `path` must have exactly `mode` and belong to us.
fn private_check(what: &'static str, path: &Path, meta: &std::fs::Metadata, mode: u32) -> Check {
    let actual = meta.permissions().mode() & 0o7777;
    if let Some(uid) = own_uid().filter(|uid| meta.uid() != *uid) {
        return Check::fail(
            what,
            format!(
                "{} belongs to uid {}, not to you (uid {uid})",
                path.display(),
                meta.uid()
            ),
            format!(
                "`chown {uid} {}` as root, then check who else could have read it",
                path.display()
            ),
        );
    }
    if actual != mode {
        return Check::fail(
            what,
            format!(
                "{} has mode {actual:04o}, should be {mode:04o}: other users may be able to copy it",
                path.display()
            ),
            format!("`chmod {mode:o} {}`", path.display()),
        );
    }
    Check::ok(
        what,
        format!("{} is private (mode {mode:04o})", path.display()),
    )
}

/// Our uid, from the owner of `/proc/self`.
fn own_uid() -> Option<u32> {
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}

/// The first directory holding `name`.
pub(super) fn find_installed(dirs: &[PathBuf], name: &str) -> Option<PathBuf> {
    dirs.iter().map(|d| d.join(name)).find(|p| p.is_file())
}

/// An installed service file must exist and name a daemon binary that is there and executable.
pub(super) fn file_check(
    what: &'static str,
    label: &str,
    found: Option<&Path>,
    key: &str,
    searched: &[PathBuf],
) -> Check {
    let Some(path) = found else {
        let first = searched
            .first()
            .map(|d| d.display().to_string())
            .unwrap_or_default();
        return Check::fail(
            what,
            format!("no {label} installed (looked in {first} and the system-wide directories)"),
            "`latchkey service install`",
        );
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            return Check::fail(
                what,
                format!("cannot read {}: {e}", path.display()),
                "`latchkey service install`",
            );
        }
    };
    let Some(program) = units::exec_program(&text, key) else {
        return Check::fail(
            what,
            format!("{} has no {key}= line", path.display()),
            "`latchkey service install`",
        );
    };
    let runnable = std::fs::metadata(&program)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false);
    if !runnable {
        return Check::fail(
            what,
            format!(
                "{} starts {}, which is missing or not executable",
                path.display(),
                program.display()
            ),
            "point it at the current latchkeyd: `latchkey service install` (or --daemon PATH)",
        );
    }
    Check::ok(
        what,
        format!("{label} {} starts {}", path.display(), program.display()),
    )
}

pub(super) async fn unit_state_check() -> Check {
    match systemd::unit_state().await {
        Ok((enabled, active)) if enabled == "enabled" && active == "active" => {
            Check::ok("service", "latchkeyd.service is enabled and active")
        }
        Ok((enabled, active)) => Check::fail(
            "service",
            format!("latchkeyd.service is {enabled} and {active}"),
            "`systemctl --user enable --now latchkeyd`; `journalctl --user -u latchkeyd` shows why it stopped",
        ),
        Err(e) => Check::unknown("service", format!("systemctl --user: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::doctor::Status;

    #[test]
    fn mode_and_owner_are_checked() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("v");
        std::fs::write(&file, b"x").expect("write");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let meta = std::fs::metadata(&file).expect("stat");
        let check = private_check("vault", &file, &meta, 0o600);
        assert_eq!(check.status, Status::Fail);
        assert!(check.detail.contains("0644"), "{}", check.detail);
        assert_eq!(
            check.fix.as_deref(),
            Some(format!("`chmod 600 {}`", file.display()).as_str())
        );
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let meta = std::fs::metadata(&file).expect("stat");
        assert_eq!(
            private_check("vault", &file, &meta, 0o600).status,
            Status::Ok
        );
    }

    #[test]
    fn unreachable_clock_is_not_a_failure() {
        assert_eq!(
            clock_check(ClockSync::Unknown("no bus".into())).status,
            Status::Unknown
        );
        let off = clock_check(ClockSync::NotSynchronized);
        assert_eq!(off.status, Status::Fail);
        assert!(
            off.fix
                .unwrap_or_default()
                .contains("timedatectl set-ntp true")
        );
    }
}
