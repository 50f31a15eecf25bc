//! The inactivity timer: locks after `auto_lock_timeout` seconds without client activity.
//!
//! Only Latchkey's own clients' activity counts (the bus layer decides and calls
//! [`Activity::touch`]): another app asking for codes every second, or adding accounts, must not
//! keep the vault unlocked while the user is away.
//!
//! While the vault is locked, or the timeout is 0, the task waits without any timer, so an idle
//! daemon wakes for nothing. While unlocked it sleeps until the deadline, then re-checks the
//! last activity (which may have moved) before asking for a lock.

use super::{LockReason, LockRequests, LockSettings};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, watch};

/// Client activity and lock state, as the timer needs them.
#[derive(Debug)]
pub struct Activity {
    last: Mutex<Instant>,
    unlocked: AtomicBool,
    /// How many times the vault was unlocked: names the current unlocked session.
    unlocks: AtomicU64,
    changed: Notify,
}

impl Default for Activity {
    fn default() -> Self {
        Self {
            last: Mutex::new(Instant::now()),
            unlocked: AtomicBool::new(false),
            unlocks: AtomicU64::new(0),
            changed: Notify::new(),
        }
    }
}

impl Activity {
    /// Records a call of one of Latchkey's own clients that counts as use (code requests,
    /// listing, adding, editing, importing, exporting). Other apps' calls never count.
    pub fn touch(&self) {
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
    }

    /// Arms the timer (on unlock) or disarms it (on lock).
    pub fn set_unlocked(&self, unlocked: bool) {
        self.touch();
        if unlocked {
            self.unlocks.fetch_add(1, Ordering::SeqCst);
        }
        self.unlocked.store(unlocked, Ordering::SeqCst);
        self.changed.notify_one();
    }

    /// The number of the current (or last) unlocked session; it changes at every unlock.
    pub fn unlock_session(&self) -> u64 {
        self.unlocks.load(Ordering::SeqCst)
    }

    fn last(&self) -> Instant {
        *self.last.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Runs the timer until the daemon exits.
pub async fn run(
    activity: std::sync::Arc<Activity>,
    mut settings: watch::Receiver<LockSettings>,
    requests: LockRequests,
) {
    loop {
        let timeout = settings.borrow().auto_lock_timeout;
        if timeout == 0 || !activity.unlocked.load(Ordering::SeqCst) {
            // Nothing to time: wait for an unlock or a settings change.
            tokio::select! {
                _ = activity.changed.notified() => {}
                r = settings.changed() => if r.is_err() { return },
            }
            continue;
        }
        let deadline = activity.last() + Duration::from_secs(u64::from(timeout));
        tokio::select! {
            _ = tokio::time::sleep_until(deadline.into()) => {
                let idle_for = activity.last().elapsed();
                if activity.unlocked.load(Ordering::SeqCst) && idle_for >= Duration::from_secs(u64::from(timeout)) {
                    tracing::debug!(event = "inactivity", idle_secs = idle_for.as_secs(), "inactivity timeout");
                    if requests.send(LockReason::Inactivity).is_err() {
                        return;
                    }
                    // Wait for the lock to be applied before timing again.
                    activity.unlocked.store(false, Ordering::SeqCst);
                }
            }
            _ = activity.changed.notified() => {}
            r = settings.changed() => if r.is_err() { return },
        }
    }
}
