//! The inactivity timer: locks after `auto_lock_timeout` seconds without client activity.
//!
//! Only Latchkey's own clients' activity counts (the bus layer decides and calls
//! [`Usage::touch`]): another app asking for codes every second, or adding accounts, must not
//! keep the vault unlocked while the user is away.
//!
//! While the vault is locked, or the timeout is 0, the task waits without any timer, so an idle
//! daemon wakes for nothing. While unlocked it sleeps until the deadline, then re-checks the
//! last activity (which may have moved) before asking for a lock.

use super::{LockReason, LockRequests, Triggers};
use crate::state::Usage;
use std::time::Duration;
use tokio::sync::watch;

/// Runs the timer until the daemon exits.
pub async fn run(
    usage: std::sync::Arc<Usage>,
    mut settings: watch::Receiver<Triggers>,
    requests: LockRequests,
) {
    loop {
        let timeout = settings.borrow().auto_lock_timeout;
        if timeout == 0 || !usage.unlocked() {
            // Nothing to time: wait for an unlock or a settings change.
            tokio::select! {
                _ = usage.changed() => {}
                r = settings.changed() => if r.is_err() { return },
            }
            continue;
        }
        let deadline = usage.last() + Duration::from_secs(u64::from(timeout));
        tokio::select! {
            _ = tokio::time::sleep_until(deadline.into()) => {
                let idle_for = usage.last().elapsed();
                if usage.unlocked() && idle_for >= Duration::from_secs(u64::from(timeout)) {
                    tracing::debug!(event = "inactivity", idle_secs = idle_for.as_secs(), "inactivity timeout");
                    if requests.send(LockReason::Inactivity).is_err() {
                        return;
                    }
                    // Wait for the lock to be applied before timing again.
                    usage.disarm();
                }
            }
            _ = usage.changed() => {}
            r = settings.changed() => if r.is_err() { return },
        }
    }
}
