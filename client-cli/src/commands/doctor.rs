//! `doctor`: checks what makes codes work or fail, and says how to fix each problem.
//!
//! The vault is only ever stat'ed here: clients never read its contents.

mod checks;

use crate::bus::{self, ProbeError};
use crate::clock;
use crate::exit::CliError;
use crate::{paths, systemd};
use checks::{
    clock_check, daemon_check, file_check, find_installed, unit_state_check, vault_checks,
};

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Fine.
    Ok,
    /// Needs fixing; `doctor` exits 1.
    Fail,
    /// Could not be checked here; not a failure.
    Unknown,
}

impl Status {
    fn symbol(self) -> &'static str {
        match self {
            Status::Ok => "✓",
            Status::Fail => "✗",
            Status::Unknown => "?",
        }
    }
}

/// One line of the report: what was checked, what was found, and how to fix it.
#[derive(Debug, Clone)]
pub struct Check {
    /// The outcome.
    pub status: Status,
    /// Short name of what was checked.
    pub what: &'static str,
    /// What was found, for a person.
    pub detail: String,
    /// What to do about a failure.
    pub fix: Option<String>,
}

impl Check {
    fn ok(what: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status: Status::Ok,
            what,
            detail: detail.into(),
            fix: None,
        }
    }
    fn fail(what: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            status: Status::Fail,
            what,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }
    fn unknown(what: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status: Status::Unknown,
            what,
            detail: detail.into(),
            fix: None,
        }
    }
}

/// Runs every check; the daemon's state comes along so `diagnostics` need not ask twice.
pub async fn run_checks() -> (Vec<Check>, Result<bus::DaemonState, ProbeError>) {
    let manager = systemd::user_manager_running().await;
    let unit = find_installed(&paths::unit_search_dirs(), paths::UNIT_NAME);
    let activation = find_installed(&paths::services_search_dirs(), paths::ACTIVATION_NAME);
    let probe = bus::probe().await;

    let mut checks = vec![daemon_check(
        &probe,
        manager,
        unit.is_some(),
        activation.is_some(),
    )];
    checks.push(clock_check(clock::ntp_status().await));
    checks.extend(vault_checks());
    checks.push(file_check(
        "unit",
        "systemd user unit",
        unit.as_deref(),
        "ExecStart",
        &paths::unit_search_dirs(),
    ));
    if manager && unit.is_some() {
        checks.push(unit_state_check().await);
    }
    checks.push(file_check(
        "activation",
        "D-Bus activation file",
        activation.as_deref(),
        "Exec",
        &paths::services_search_dirs(),
    ));
    (checks, probe)
}

/// The report as printed: one line per check, a fix line under each failure.
pub fn render(checks: &[Check]) -> String {
    let mut out = String::new();
    for c in checks {
        out.push_str(&format!(
            "{} {:<10} {}\n",
            c.status.symbol(),
            c.what,
            c.detail
        ));
        if let Some(fix) = &c.fix {
            out.push_str(&format!("  {:<10} fix: {fix}\n", ""));
        }
    }
    out
}

/// Prints the report; exits 1 when something needs fixing.
pub async fn doctor() -> Result<(), CliError> {
    let (checks, _) = run_checks().await;
    print!("{}", render(&checks));
    let failed = checks.iter().filter(|c| c.status == Status::Fail).count();
    if failed == 0 {
        println!("All good.");
        Ok(())
    } else {
        Err(CliError::other(format!(
            "{failed} check{} failed; see the fixes above",
            if failed == 1 { "" } else { "s" }
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_carry_a_fix_line() {
        let checks = [
            Check::ok("vault", "fine"),
            Check::fail("clock", "off", "`timedatectl set-ntp true`"),
            Check::unknown("service", "no manager"),
        ];
        let text = render(&checks);
        assert_eq!(
            text,
            "✓ vault      fine\n✗ clock      off\n             fix: `timedatectl set-ntp true`\n? service    no manager\n"
        );
    }
}
