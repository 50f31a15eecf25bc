//! Desktop signals that lock the vault sooner: logind (system bus) and ScreenSaver (session bus).

use super::{LockReason, LockRequests, LockSettings, logind};
use futures_util::StreamExt;
use tokio::sync::watch;

/// Watches logind and both ScreenSaver interfaces; a missing service is logged, not an error.
pub async fn run(
    session: zbus::Connection,
    settings: watch::Receiver<LockSettings>,
    requests: LockRequests,
) {
    let logind = logind::run(settings.clone(), requests.clone());
    let gnome = screensaver(
        session.clone(),
        "org.gnome.ScreenSaver",
        settings.clone(),
        requests.clone(),
    );
    let freedesktop = screensaver(session, "org.freedesktop.ScreenSaver", settings, requests);
    tokio::join!(logind, gnome, freedesktop);
}

/// `ActiveChanged(true)` of `interface`, from any sender, locks when screen-lock locking is on.
async fn screensaver(
    session: zbus::Connection,
    interface: &'static str,
    settings: watch::Receiver<LockSettings>,
    requests: LockRequests,
) {
    let rule = match zbus::MatchRule::builder()
        .msg_type(zbus::message::Type::Signal)
        .interface(interface)
        .and_then(|b| b.member("ActiveChanged"))
    {
        Ok(b) => b.build(),
        Err(e) => return tracing::error!("cannot watch {interface}: {e}"),
    };
    let mut stream = match zbus::MessageStream::for_match_rule(rule, &session, Some(16)).await {
        Ok(s) => s,
        Err(e) => return tracing::error!("cannot watch {interface}: {e}"),
    };
    while let Some(Ok(msg)) = stream.next().await {
        if msg.body().deserialize::<bool>().unwrap_or(false) {
            let enabled = settings.borrow().lock_on_screen_lock;
            tracing::info!(
                event = "desktop-lock-signal",
                source = interface,
                reason = "screen-lock",
                enabled,
                "desktop signal"
            );
            if enabled {
                let _ = requests.send(LockReason::ScreenLock);
            }
        }
    }
}
