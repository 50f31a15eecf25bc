//! Talking to the user's systemd manager through `systemctl --user`, never starting one.
//!
//! The commands are built by [`systemctl_args`] so tests can check them without a manager.

use crate::paths;
use crate::process::{self, Ran, RunError};
use std::time::Duration;

/// How long a quick query (`is-system-running`, `is-enabled`) may take.
const QUERY_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a change (`daemon-reload`, `enable --now`: waits for READY=1) may take.
const CHANGE_TIMEOUT: Duration = Duration::from_secs(60);

/// One `systemctl --user` action on latchkeyd.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Re-read unit files after installing or removing one.
    DaemonReload,
    /// Start at login from now on, and start now.
    EnableNow,
    /// Stop now and no longer start at login.
    DisableNow,
}

/// What `service install` runs where a user manager runs, in order.
pub const INSTALL_STEPS: &[Step] = &[Step::DaemonReload, Step::EnableNow];
/// What `service uninstall` runs before removing the files.
pub const UNINSTALL_STEPS_BEFORE: &[Step] = &[Step::DisableNow];
/// What `service uninstall` runs after removing the files.
pub const UNINSTALL_STEPS_AFTER: &[Step] = &[Step::DaemonReload];

/// The `systemctl` arguments for `step`.
pub fn systemctl_args(step: Step) -> Vec<&'static str> {
    match step {
        Step::DaemonReload => vec!["--user", "daemon-reload"],
        Step::EnableNow => vec!["--user", "enable", "--now", paths::UNIT_NAME],
        Step::DisableNow => vec!["--user", "disable", "--now", paths::UNIT_NAME],
    }
}

/// The command line of `step` as a person would type it.
pub fn command_line(step: Step) -> String {
    format!("systemctl {}", systemctl_args(step).join(" "))
}

/// Runs `step`; the error carries systemctl's own message.
pub async fn run_step(step: Step) -> Result<(), String> {
    match process::run("systemctl", &systemctl_args(step), CHANGE_TIMEOUT).await {
        Ok(Ran { success: true, .. }) => Ok(()),
        Ok(ran) => Err(first_line(&ran.stderr)),
        Err(e) => Err(e.to_string()),
    }
}

/// Manager states in which `systemctl --user` answered, i.e. a manager runs.
const RUNNING_STATES: &[&str] = &[
    "running",
    "degraded",
    "starting",
    "initializing",
    "maintenance",
];

/// Whether this user's systemd manager runs: its private socket exists, or it answers
/// `is-system-running` within a few seconds.
pub async fn user_manager_running() -> bool {
    if paths::runtime_dir().is_some_and(|r| r.join("systemd/private").exists()) {
        return true;
    }
    match process::run("systemctl", &["--user", "is-system-running"], QUERY_TIMEOUT).await {
        Ok(ran) => RUNNING_STATES.contains(&ran.stdout.trim()),
        Err(_) => false,
    }
}

/// `systemctl --user is-enabled` and `is-active` for latchkeyd, as systemctl prints them.
pub async fn unit_state() -> Result<(String, String), RunError> {
    let enabled = process::run(
        "systemctl",
        &["--user", "is-enabled", paths::UNIT_NAME],
        QUERY_TIMEOUT,
    )
    .await?;
    let active = process::run(
        "systemctl",
        &["--user", "is-active", paths::UNIT_NAME],
        QUERY_TIMEOUT,
    )
    .await?;
    Ok((word(&enabled.stdout), word(&active.stdout)))
}

/// A few properties of the running unit, for diagnostics.
pub async fn unit_show() -> Result<String, RunError> {
    let ran = process::run(
        "systemctl",
        &[
            "--user",
            "show",
            paths::UNIT_NAME,
            "--property=LoadState,ActiveState,SubState,Result,NRestarts,StatusText,FragmentPath,DropInPaths",
        ],
        QUERY_TIMEOUT,
    )
    .await?;
    Ok(if ran.success { ran.stdout } else { ran.stderr })
}

fn word(text: &str) -> String {
    let w = text.trim();
    if w.is_empty() {
        "unknown".into()
    } else {
        w.into()
    }
}

fn first_line(text: &str) -> String {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("failed without a message")
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_reloads_then_enables_and_starts() {
        let lines: Vec<String> = INSTALL_STEPS.iter().map(|s| command_line(*s)).collect();
        assert_eq!(
            lines,
            [
                "systemctl --user daemon-reload",
                "systemctl --user enable --now latchkeyd.service"
            ]
        );
    }

    #[test]
    fn uninstall_stops_and_disables_first_then_reloads() {
        let before: Vec<String> = UNINSTALL_STEPS_BEFORE
            .iter()
            .map(|s| command_line(*s))
            .collect();
        let after: Vec<String> = UNINSTALL_STEPS_AFTER
            .iter()
            .map(|s| command_line(*s))
            .collect();
        assert_eq!(before, ["systemctl --user disable --now latchkeyd.service"]);
        assert_eq!(after, ["systemctl --user daemon-reload"]);
    }

    #[test]
    fn every_command_targets_the_user_manager() {
        for step in [Step::DaemonReload, Step::EnableNow, Step::DisableNow] {
            assert_eq!(
                systemctl_args(step)[0],
                "--user",
                "{step:?} must never touch the system manager"
            );
        }
    }
}
