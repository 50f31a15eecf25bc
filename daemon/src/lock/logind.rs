//! logind (system bus): screen lock, idle and suspend of this user's sessions.
//!
//! Sessions come from `Manager.GetUser(uid)` → `User.Sessions`, and are re-read on
//! `SessionNew`/`SessionRemoved`. A session locks the vault on its `Lock` signal and when
//! `LockedHint` or `IdleHint` turns true (a transition: a session already locked when the
//! daemon starts does not lock a vault nobody unlocked yet). `PrepareForSleep(true)` locks too.

use super::{LockReason, LockRequests, LockSettings};
use futures_util::StreamExt;
use std::collections::HashMap;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use zbus::zvariant::OwnedObjectPath;

#[zbus::proxy(
    interface = "org.freedesktop.login1.Manager",
    default_service = "org.freedesktop.login1",
    default_path = "/org/freedesktop/login1"
)]
trait Manager {
    fn get_user(&self, uid: u32) -> zbus::Result<OwnedObjectPath>;
    #[zbus(signal)]
    fn session_new(&self, session_id: String, object_path: OwnedObjectPath) -> zbus::Result<()>;
    #[zbus(signal)]
    fn session_removed(&self, session_id: String, object_path: OwnedObjectPath)
    -> zbus::Result<()>;
    #[zbus(signal)]
    fn prepare_for_sleep(&self, start: bool) -> zbus::Result<()>;
}

#[zbus::proxy(
    interface = "org.freedesktop.login1.User",
    default_service = "org.freedesktop.login1"
)]
trait User {
    #[zbus(property)]
    fn sessions(&self) -> zbus::Result<Vec<(String, OwnedObjectPath)>>;
}

#[zbus::proxy(
    interface = "org.freedesktop.login1.Session",
    default_service = "org.freedesktop.login1"
)]
trait Session {
    #[zbus(signal)]
    fn lock(&self) -> zbus::Result<()>;
    #[zbus(property)]
    fn locked_hint(&self) -> zbus::Result<bool>;
    #[zbus(property)]
    fn idle_hint(&self) -> zbus::Result<bool>;
}

/// Sends `reason` if the current settings ask for it.
fn request(
    settings: &watch::Receiver<LockSettings>,
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
        let _ = requests.send(reason);
    }
}

/// Watches logind until the system bus goes away; returns at once if logind is not reachable.
pub async fn run(settings: watch::Receiver<LockSettings>, requests: LockRequests) {
    if let Err(e) = watch_logind(settings, requests).await {
        tracing::info!(
            "logind not reachable ({e}): screen-lock and suspend locking come only from ScreenSaver signals"
        );
    }
}

async fn watch_logind(
    settings: watch::Receiver<LockSettings>,
    requests: LockRequests,
) -> zbus::Result<()> {
    let system = zbus::Connection::system().await?;
    let manager = ManagerProxy::new(&system).await?;
    let mut sleep = manager.receive_prepare_for_sleep().await?;
    let mut new = manager.receive_session_new().await?;
    let mut removed = manager.receive_session_removed().await?;
    // SAFETY: getuid has no preconditions.
    let uid = unsafe { libc::getuid() };
    let user_path = manager.get_user(uid).await?;
    let user = UserProxy::builder(&system)
        .path(user_path)?
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await?;
    let mut watched: HashMap<OwnedObjectPath, JoinHandle<()>> = HashMap::new();
    refresh(&system, &user, &mut watched, &settings, &requests).await;
    tracing::info!(
        sessions = watched.len(),
        "watching logind for screen lock, idle and suspend"
    );
    loop {
        tokio::select! {
            Some(signal) = sleep.next() => {
                if signal.args().map(|a| a.start).unwrap_or(false) {
                    request(&settings, &requests, LockReason::Suspend, "logind PrepareForSleep");
                }
            }
            Some(_) = new.next() => refresh(&system, &user, &mut watched, &settings, &requests).await,
            Some(_) = removed.next() => refresh(&system, &user, &mut watched, &settings, &requests).await,
            else => break,
        }
    }
    for (_, task) in watched {
        task.abort();
    }
    Ok(())
}

/// Re-reads the user's sessions: watches new ones, stops watching removed ones.
async fn refresh(
    system: &zbus::Connection,
    user: &UserProxy<'_>,
    watched: &mut HashMap<OwnedObjectPath, JoinHandle<()>>,
    settings: &watch::Receiver<LockSettings>,
    requests: &LockRequests,
) {
    let sessions: Vec<OwnedObjectPath> = match user.sessions().await {
        Ok(s) => s.into_iter().map(|(_, p)| p).collect(),
        Err(e) => return tracing::warn!("cannot read the user's logind sessions: {e}"),
    };
    watched.retain(|path, task| {
        let keep = sessions.contains(path);
        if !keep {
            task.abort();
        }
        keep
    });
    for path in sessions {
        if let std::collections::hash_map::Entry::Vacant(slot) = watched.entry(path.clone()) {
            slot.insert(tokio::spawn(watch_session(
                system.clone(),
                path,
                settings.clone(),
                requests.clone(),
            )));
        }
    }
}

async fn watch_session(
    system: zbus::Connection,
    path: OwnedObjectPath,
    settings: watch::Receiver<LockSettings>,
    requests: LockRequests,
) {
    let result: zbus::Result<()> = async {
        let session = SessionProxy::builder(&system).path(path.clone())?.build().await?;
        let mut lock = session.receive_lock().await?;
        let mut locked = session.receive_locked_hint_changed().await;
        let mut idle = session.receive_idle_hint_changed().await;
        let (mut was_locked, mut was_idle) = (session.locked_hint().await.unwrap_or(false), session.idle_hint().await.unwrap_or(false));
        loop {
            tokio::select! {
                Some(_) = lock.next() => request(&settings, &requests, LockReason::ScreenLock, "logind Session.Lock"),
                Some(change) = locked.next() => {
                    let now = change.get().await.unwrap_or(false);
                    if now && !was_locked {
                        request(&settings, &requests, LockReason::ScreenLock, "logind LockedHint");
                    }
                    was_locked = now;
                }
                Some(change) = idle.next() => {
                    let now = change.get().await.unwrap_or(false);
                    if now && !was_idle {
                        request(&settings, &requests, LockReason::SessionIdle, "logind IdleHint");
                    }
                    was_idle = now;
                }
                else => return Ok(()),
            }
        }
    }
    .await;
    if let Err(e) = result {
        tracing::warn!("stopped watching logind session {}: {e}", path.as_str());
    }
}
