//! Why and when the vault locks: reasons, the inactivity timer and desktop signals.

pub mod desktop;
pub mod idle;
mod logind;
pub mod reason;

pub use reason::LockReason;

use serde::{Deserialize, Serialize};

/// The settings that decide when the vault locks by itself (all in config.toml).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockSettings {
    /// Seconds without a code request or other activity of Latchkey's own clients before
    /// locking; 0 = never.
    pub auto_lock_timeout: u32,
    /// Lock when the screen locks (logind `Lock`/`LockedHint`, ScreenSaver `ActiveChanged`).
    pub lock_on_screen_lock: bool,
    /// Lock before the machine suspends (logind `PrepareForSleep`).
    pub lock_on_suspend: bool,
    /// Lock when logind says the session is idle (`IdleHint`).
    pub lock_on_session_idle: bool,
}

impl Default for LockSettings {
    fn default() -> Self {
        Self {
            auto_lock_timeout: 300,
            lock_on_screen_lock: true,
            lock_on_suspend: true,
            lock_on_session_idle: true,
        }
    }
}

/// Where lock requests from timers and desktop watchers go (the service applies them).
pub type LockRequests = tokio::sync::mpsc::UnboundedSender<LockReason>;

/// Logs the signal and sends `reason` if the current settings ask for it.
fn request(
    settings: &tokio::sync::watch::Receiver<LockSettings>,
    requests: &LockRequests,
    reason: LockReason,
    source: &str,
) {
    let s = *settings.borrow();
    let enabled = match reason {
        LockReason::ScreenLock => s.lock_on_screen_lock,
        LockReason::Suspend => s.lock_on_suspend,
        LockReason::SessionIdle => s.lock_on_session_idle,
        _ => true,
    };
    tracing::info!(
        event = "desktop-lock-signal",
        source,
        reason = reason.as_str(),
        enabled,
        "desktop signal"
    );
    if enabled {
        // The receiver only goes away when the daemon is shutting down.
        let _ = requests.send(reason);
    }
}
