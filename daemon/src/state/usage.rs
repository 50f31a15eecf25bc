//! Use of the vault by Latchkey's own clients, for the inactivity timer.
//!
//! The state records it (every own client's call that counts as use, every lock and unlock);
//! the timer in `autolock::idle` reads it. Other apps' calls never count.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;
use tokio::sync::Notify;

/// When Latchkey's own clients last used the vault, and whether it is unlocked: what the
/// inactivity timer reads.
#[derive(Debug)]
pub struct Usage {
    last: Mutex<Instant>,
    unlocked: AtomicBool,
    /// How many times the vault was unlocked: names the current unlocked session.
    unlocks: AtomicU64,
    changed: Notify,
}

impl Default for Usage {
    fn default() -> Self {
        Self {
            last: Mutex::new(Instant::now()),
            unlocked: AtomicBool::new(false),
            unlocks: AtomicU64::new(0),
            changed: Notify::new(),
        }
    }
}

impl Usage {
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

    /// When the vault was last used.
    pub fn last(&self) -> Instant {
        *self.last.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the vault is unlocked (as far as the timer is concerned).
    pub fn unlocked(&self) -> bool {
        self.unlocked.load(Ordering::SeqCst)
    }

    /// Resolves at the next unlock or lock.
    pub fn changed(&self) -> tokio::sync::futures::Notified<'_> {
        self.changed.notified()
    }

    /// Stops timing until the next unlock (the timer asked for a lock).
    pub fn disarm(&self) {
        self.unlocked.store(false, Ordering::SeqCst);
    }
}
