//! Desktop signals that lock the vault sooner: logind (system bus) and ScreenSaver (session bus).
//!
//! Purely signal-driven: no timers, no polling. Each watcher that loses its stream logs and stops;
//! the others carry on.

use super::{LockReason, LockRequests, Triggers, logind, request};
use futures_util::StreamExt;
use tokio::sync::watch;

/// Watches logind and both ScreenSaver interfaces; a missing service is logged, not an error.
pub async fn run(
    session: zbus::Connection,
    settings: watch::Receiver<Triggers>,
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

/// `ActiveChanged(true)` of `interface`, from any sender and path, locks when screen-lock
/// locking is on.
async fn screensaver(
    session: zbus::Connection,
    interface: &'static str,
    settings: watch::Receiver<Triggers>,
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
    while let Some(item) = stream.next().await {
        let msg = match item {
            Ok(msg) => msg,
            Err(e) => {
                tracing::info!("{interface}: connection error: {e}");
                break;
            }
        };
        if msg.body().deserialize::<bool>().unwrap_or(false) {
            let source = format!("{interface} ActiveChanged");
            request(&settings, &requests, LockReason::ScreenLock, &source);
        }
    }
    tracing::info!("{interface} signals ended; stopped watching them");
}
