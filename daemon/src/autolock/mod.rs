//! The vault locks by itself: the inactivity timer and the desktop's signals (screen lock,
//! suspend, session idle), each asking the service for a lock when the settings want one.

pub mod desktop;
pub mod idle;
mod logind;

pub use crate::events::LockReason;
pub use crate::settings::Triggers;

/// Where lock requests from timers and desktop watchers go (the service applies them).
pub type LockRequests = tokio::sync::mpsc::UnboundedSender<LockReason>;

/// Logs the signal and sends `reason` if the current settings ask for it.
fn request(
    settings: &tokio::sync::watch::Receiver<Triggers>,
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
