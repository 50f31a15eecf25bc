//! `diagnostics`: a report to attach to a bug report, with nothing secret or personal in it.
//!
//! It holds versions, the OS, the settings file, the daemon's state (counts only: account names
//! and issuers are personal data), clock sync, the doctor's results and recent daemon log lines.
//! The whole text passes through [`crate::redact::redact`], and the home directory becomes `~`.

use super::doctor;
use crate::args::DiagnosticsArgs;
use crate::clock::{self, ClockSync};
use crate::exit::CliError;
use crate::{files, paths, process, redact, systemd};
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;
use time::OffsetDateTime;
use time::format_description::StaticFormatDescription;
use time::macros::format_description;

/// How many journal lines the report carries.
const LOG_LINES: usize = 200;
/// How long journalctl and uname may take.
const TOOL_TIMEOUT: Duration = Duration::from_secs(10);
/// The settings file is small; anything longer is cut.
const MAX_CONFIG_BYTES: usize = 64 * 1024;
/// Setting names whose values are dropped even though the file should hold no secrets.
const SENSITIVE_KEYS: &[&str] = &["secret", "token", "password", "passphrase", "key", "seed"];

/// Writes the redacted report to stdout, or to a new 0600 file with `--output`.
pub async fn diagnostics(args: DiagnosticsArgs) -> Result<(), CliError> {
    let report = build().await;
    let text = redact::redact(&hide_home(&report, &paths::home()));
    let Some(path) = args.output else {
        print!("{text}");
        return Ok(());
    };
    let written = if args.force {
        files::write_atomic(&path, text.as_bytes(), 0o600)
    } else {
        files::write_new(&path, text.as_bytes(), 0o600)
    };
    match written {
        Ok(()) => {
            eprintln!(
                "Wrote {} (mode 0600). Read it before you attach it to a bug report.",
                path.display()
            );
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(CliError::other(format!(
            "{} exists; choose another name or add --force to overwrite it",
            path.display()
        ))),
        Err(e) => Err(CliError::other(format!(
            "cannot write {}: {e}",
            path.display()
        ))),
    }
}

/// The report before redaction.
async fn build() -> String {
    let (checks, probe) = doctor::run_checks().await;
    let manager = systemd::user_manager_running().await;
    let mut r = String::new();
    let _ = writeln!(r, "# Latchkey diagnostics\n");
    let _ = writeln!(r, "Generated {}.", utc_now());
    let _ = writeln!(
        r,
        "Never included: seeds, codes, passphrases, account names and issuers. Anything that \
         looks like a seed or a code is replaced by {}.",
        redact::MARK
    );

    let _ = writeln!(r, "\n## Versions\n");
    let _ = writeln!(r, "- latchkey (CLI): {}", env!("CARGO_PKG_VERSION"));
    match &probe {
        Ok(s) => _ = writeln!(r, "- latchkeyd: {}", s.version),
        Err(e) => _ = writeln!(r, "- latchkeyd: not reachable ({e})"),
    }

    let _ = writeln!(r, "\n## System\n");
    let _ = writeln!(r, "- OS: {}", os_name());
    let _ = writeln!(r, "- kernel: {}", kernel().await);
    let _ = writeln!(
        r,
        "- systemd user manager: {}",
        if manager { "running" } else { "not running" }
    );

    let _ = writeln!(r, "\n## Daemon\n");
    match &probe {
        Ok(s) => {
            let _ = writeln!(r, "- initialized: {}", yes_no(s.initialized));
            let _ = writeln!(r, "- locked: {}", yes_no(s.locked));
            let _ = writeln!(r, "- accounts: {}", s.accounts);
        }
        Err(e) => _ = writeln!(r, "- not reachable: {e}"),
    }
    if manager {
        match systemd::unit_show().await {
            Ok(text) => {
                _ = writeln!(
                    r,
                    "\n`systemctl --user show latchkeyd.service`:\n\n```\n{}\n```",
                    text.trim_end()
                )
            }
            Err(e) => _ = writeln!(r, "\n`systemctl --user show`: {e}"),
        }
    }

    let _ = writeln!(r, "\n## Clock\n");
    let clock = match clock::ntp_status().await {
        ClockSync::Synchronized => "NTP-synchronised".to_string(),
        ClockSync::NotSynchronized => "NOT NTP-synchronised".to_string(),
        ClockSync::Unknown(e) => format!("unknown ({e})"),
    };
    let _ = writeln!(r, "- {clock}");

    let _ = writeln!(r, "\n## Doctor\n\n```\n{}```", doctor::render(&checks));

    let config = paths::config_file();
    let _ = writeln!(r, "\n## Settings ({})\n", config.display());
    match std::fs::read(&config) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_CONFIG_BYTES)]);
            let _ = writeln!(r, "```toml\n{}\n```", redact_settings(&text).trim_end());
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let _ = writeln!(r, "No settings file: the defaults apply.");
        }
        Err(e) => _ = writeln!(r, "Cannot read it: {e}"),
    }

    let _ = writeln!(r, "\n## Daemon log\n");
    r.push_str(&journal().await);
    if let Some(log) = paths::runtime_dir().map(|d| d.join("latchkeyd.log")) {
        if let Ok(text) = std::fs::read_to_string(&log) {
            let _ = writeln!(
                r,
                "\n{} (the background daemon scripts/run.sh starts without systemd):\n\n```\n{}\n```",
                log.display(),
                tail(&text, LOG_LINES)
            );
        }
    }
    r
}

/// Recent journal lines of the user unit, or why there are none.
async fn journal() -> String {
    let lines = LOG_LINES.to_string();
    let args = [
        "--user",
        "-u",
        "latchkeyd",
        "-n",
        &lines,
        "--no-pager",
        "-o",
        "short-iso",
    ];
    let shown = format!("journalctl {}", args.join(" "));
    match process::run("journalctl", &args, TOOL_TIMEOUT).await {
        Ok(ran) if ran.success => {
            let mut text = ran.stdout.trim_end().to_string();
            if text.is_empty() {
                text = ran.stderr.trim_end().to_string();
            }
            format!("`{shown}`:\n\n```\n{text}\n```\n")
        }
        Ok(ran) => format!("`{shown}` failed: {}\n", ran.stderr.trim()),
        Err(process::RunError::NotFound) => {
            "journalctl is not installed here, so no journal lines are included.\n".to_string()
        }
        Err(e) => format!("`{shown}`: {e}\n"),
    }
}

fn os_name() -> String {
    let text = std::fs::read_to_string("/etc/os-release")
        .or_else(|_| std::fs::read_to_string("/usr/lib/os-release"))
        .unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map(|v| v.trim().trim_matches('"').to_string())
        .unwrap_or_else(|| "unknown (no os-release)".into())
}

async fn kernel() -> String {
    match process::run("uname", &["-srvm"], TOOL_TIMEOUT).await {
        Ok(ran) if ran.success => ran.stdout.trim().to_string(),
        _ => std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|s| format!("Linux {}", s.trim()))
            .unwrap_or_else(|_| "unknown".into()),
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// The last `n` lines of `text`.
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Settings whose name suggests a secret lose their value (the file should hold none anyway).
fn redact_settings(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let sensitive = line.split_once('=').is_some_and(|(key, _)| {
            let key = key.trim().to_ascii_lowercase();
            !key.starts_with('#') && SENSITIVE_KEYS.iter().any(|s| key.contains(s))
        });
        match line.split_once('=') {
            Some((key, _)) if sensitive => _ = writeln!(out, "{key}= {}", redact::MARK),
            _ => _ = writeln!(out, "{line}"),
        }
    }
    out
}

/// Replaces the home directory with `~`: it usually holds the user's login name.
fn hide_home(text: &str, home: &Path) -> String {
    let home = home.to_string_lossy();
    let home = home.trim_end_matches('/');
    if home.is_empty() {
        return text.to_string();
    }
    text.replace(home, "~")
}

/// The current time as `YYYY-MM-DD HH:MM UTC`.
fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    utc(secs)
}

/// `YYYY-MM-DD HH:MM UTC` for Unix seconds (also used by `backup list`).
pub(crate) fn utc(secs: u64) -> String {
    const LAYOUT: StaticFormatDescription =
        format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    i64::try_from(secs)
        .ok()
        .and_then(|secs| OffsetDateTime::from_unix_timestamp(secs).ok())
        .and_then(|at| at.format(LAYOUT).ok())
        .unwrap_or_else(|| format!("{secs} seconds after 1970-01-01 UTC"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_civil_utc() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(1_111_111_109), "2005-03-18 01:58 UTC");
        assert_eq!(utc(1_709_251_199), "2024-02-29 23:59 UTC");
        assert_eq!(utc(253_402_300_799), "9999-12-31 23:59 UTC");
        assert_eq!(
            utc(u64::MAX),
            "18446744073709551615 seconds after 1970-01-01 UTC"
        );
    }

    #[test]
    fn home_becomes_a_tilde() {
        let text = "vault /home/alice/.local/share/latchkey/vault.latchkey";
        assert_eq!(
            hide_home(text, Path::new("/home/alice/")),
            "vault ~/.local/share/latchkey/vault.latchkey"
        );
        assert_eq!(hide_home(text, Path::new("/")), text);
    }

    #[test]
    fn secret_looking_settings_lose_their_value() {
        let text = "log_level = \"info\"\napi_token = \"abc\"\n# token = \"kept comment\"\n";
        assert_eq!(
            redact_settings(text),
            format!(
                "log_level = \"info\"\napi_token = {}\n# token = \"kept comment\"\n",
                redact::MARK
            )
        );
    }

    #[test]
    fn tail_keeps_the_last_lines() {
        assert_eq!(tail("a\nb\nc\n", 2), "b\nc");
        assert_eq!(tail("a", 5), "a");
    }
}
