//! A `latchkeyd` process started by a test, and stopping any process by PID.

use std::process::Child;
use std::time::{Duration, Instant};

/// A running `latchkeyd` started by a test; stopped with SIGTERM (then SIGKILL) on drop.
pub struct DaemonProcess {
    pub(super) child: Child,
}

impl DaemonProcess {
    /// The daemon's PID.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
    /// Sends a signal without waiting.
    pub fn signal(&self, signal: i32) {
        // SAFETY: kill(2) on a PID we spawned and have not reaped.
        unsafe {
            libc::kill(self.child.id() as i32, signal);
        }
    }
    /// Kills with SIGKILL and reaps, as a crash would.
    pub fn kill_hard(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
    /// Takes the daemon's stderr (piped), e.g. to read its log lines.
    pub fn take_stderr(&mut self) -> Option<std::process::ChildStderr> {
        self.child.stderr.take()
    }

    /// Sends SIGTERM and waits for the exit status and stderr.
    pub fn stop(mut self) -> std::io::Result<(std::process::ExitStatus, String)> {
        self.signal(libc::SIGTERM);
        let status = self.child.wait()?;
        let mut err = String::new();
        if let Some(mut s) = self.child.stderr.take() {
            use std::io::Read;
            let _ = s.read_to_string(&mut err);
        }
        Ok((status, err))
    }
}

impl Drop for DaemonProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.signal(libc::SIGTERM);
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// SIGTERM to `pid`, then SIGKILL if it still runs after `grace`.
pub(super) fn terminate(pid: u32, grace: Duration) {
    // SAFETY: signalling a PID; worst case it no longer exists and kill returns ESRCH.
    unsafe {
        libc::kill(pid as i32, libc::SIGTERM);
    }
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        // SAFETY: signal 0 only checks existence.
        if unsafe { libc::kill(pid as i32, 0) } != 0 {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: as above.
    unsafe {
        libc::kill(pid as i32, libc::SIGKILL);
    }
}
