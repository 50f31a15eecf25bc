//! Running helper programs (systemctl, journalctl, uname) with a time limit, so the CLI never hangs.
//!
//! A program that overruns is killed by its PID (tokio's `kill_on_drop`) and reported as timed out.

use std::time::Duration;
use tokio::process::Command;

/// What a finished program printed and how it exited.
#[derive(Debug)]
pub struct Ran {
    /// Whether it exited with status 0.
    pub success: bool,
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
}

/// Why a program produced no result.
#[derive(Debug)]
pub enum RunError {
    /// The program is not installed (not on `PATH`).
    NotFound,
    /// It did not finish in time and was killed.
    TimedOut(Duration),
    /// It could not be started or waited for.
    Io(std::io::Error),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::NotFound => write!(f, "not installed"),
            RunError::TimedOut(t) => write!(f, "no answer within {} s", t.as_secs()),
            RunError::Io(e) => write!(f, "{e}"),
        }
    }
}

/// Runs `program args…` with stdin closed and a C locale; kills it after `timeout`.
pub async fn run(program: &str, args: &[&str], timeout: Duration) -> Result<Ran, RunError> {
    let child = Command::new(program)
        .args(args)
        .env("LC_ALL", "C")
        .env("SYSTEMD_PAGER", "")
        .env("SYSTEMD_COLORS", "0")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => RunError::NotFound,
            _ => RunError::Io(e),
        })?;
    // On timeout the future (and with it the child) is dropped, which kills the child.
    let output = tokio::time::timeout(timeout, child.wait_with_output())
        .await
        .map_err(|_| RunError::TimedOut(timeout))?
        .map_err(RunError::Io)?;
    Ok(Ran {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(f)
    }

    #[test]
    fn reports_output_and_status() {
        let ran = block_on(run(
            "sh",
            &["-c", "echo out; echo err >&2; exit 3"],
            Duration::from_secs(10),
        ))
        .expect("sh runs");
        assert!(!ran.success);
        assert_eq!(ran.stdout, "out\n");
        assert_eq!(ran.stderr, "err\n");
    }

    #[test]
    fn missing_program_is_not_found() {
        let r = block_on(run("latchkey-no-such-program", &[], Duration::from_secs(5)));
        assert!(matches!(r, Err(RunError::NotFound)), "{r:?}");
    }

    #[test]
    fn a_hanging_program_times_out() {
        let start = std::time::Instant::now();
        let r = block_on(run("sleep", &["30"], Duration::from_millis(200)));
        assert!(matches!(r, Err(RunError::TimedOut(_))), "{r:?}");
        assert!(start.elapsed() < Duration::from_secs(10));
    }
}
