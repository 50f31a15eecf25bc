//! logind (system bus): screen lock, idle and suspend of this user's sessions.
//!
//! Sessions come from `Manager.GetUser(uid)` → `User.Sessions`, re-read on `SessionNew`;
//! `SessionRemoved` stops watching that session. A session locks the vault on its `Lock` signal
//! and when a `PropertiesChanged` announces `LockedHint` or `IdleHint` true. Initial values are
//! read for the log only, never acted on: a session already locked when the daemon starts does
//! not lock (the vault starts locked anyway), only a transition does. The session signals are
//! read as queued messages rather than through the proxy's property cache, so a quick
//! true→false flip is not coalesced away. `PrepareForSleep(true)` locks too.

use super::{LockReason, LockRequests, Triggers, request};
use futures_util::StreamExt;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use zbus::proxy::CacheProperties;
use zbus::zvariant::{OwnedObjectPath, Value};

const LOGIND: &str = "org.freedesktop.login1";
const SESSION_INTERFACE: &str = "org.freedesktop.login1.Session";

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

/// Watches logind until the system bus goes away; returns at once if logind is not reachable.
pub async fn run(settings: watch::Receiver<Triggers>, requests: LockRequests) {
    match watch_logind(settings, requests).await {
        Ok(()) => tracing::info!("logind signals ended; stopped watching logind"),
        Err(e) => tracing::info!(
            "logind not reachable ({e}): screen-lock and suspend locking come only from ScreenSaver signals"
        ),
    }
}

async fn watch_logind(
    settings: watch::Receiver<Triggers>,
    requests: LockRequests,
) -> zbus::Result<()> {
    let system = zbus::Connection::system().await?;
    let manager = ManagerProxy::new(&system).await?;
    // Subscribe before reading the sessions, so none is missed in between.
    let mut sleep = manager.receive_prepare_for_sleep().await?;
    let mut new = manager.receive_session_new().await?;
    let mut removed = manager.receive_session_removed().await?;
    // SAFETY: getuid has no preconditions and cannot fail.
    let uid = unsafe { libc::getuid() };
    let user_path = manager.get_user(uid).await?;
    let user = UserProxy::builder(&system)
        .path(user_path)?
        .cache_properties(CacheProperties::No)
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
                if signal.args().is_ok_and(|a| a.start) {
                    request(&settings, &requests, LockReason::Suspend, "logind PrepareForSleep");
                }
            }
            Some(_) = new.next() => refresh(&system, &user, &mut watched, &settings, &requests).await,
            Some(signal) = removed.next() => {
                if let Ok(args) = signal.args()
                    && let Some(task) = watched.remove(&args.object_path)
                {
                    task.abort();
                    tracing::debug!(session = args.object_path.as_str(), "logind session removed");
                }
            }
            else => break,
        }
    }
    for (_, task) in watched {
        task.abort();
    }
    Ok(())
}

/// Re-reads the user's sessions: watches new ones, stops watching those no longer listed.
async fn refresh(
    system: &zbus::Connection,
    user: &UserProxy<'_>,
    watched: &mut HashMap<OwnedObjectPath, JoinHandle<()>>,
    settings: &watch::Receiver<Triggers>,
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
        if let Entry::Vacant(slot) = watched.entry(path.clone()) {
            slot.insert(tokio::spawn(watch_session(
                system.clone(),
                path,
                settings.clone(),
                requests.clone(),
            )));
        }
    }
}

/// `true` if `changed` announces `name` as true.
fn announces_true(changed: &HashMap<&str, Value<'_>>, name: &str) -> bool {
    changed
        .get(name)
        .is_some_and(|v| v.downcast_ref::<bool>().unwrap_or(false))
}

/// One session's `Lock` signal and `LockedHint`/`IdleHint` changes, until its streams end.
async fn watch_session(
    system: zbus::Connection,
    path: OwnedObjectPath,
    settings: watch::Receiver<Triggers>,
    requests: LockRequests,
) {
    let result: zbus::Result<()> = async {
        let session = SessionProxy::builder(&system)
            .path(path.clone())?
            .cache_properties(CacheProperties::No)
            .build()
            .await?;
        let properties = zbus::fdo::PropertiesProxy::builder(&system)
            .destination(LOGIND)?
            .path(path.clone())?
            .build()
            .await?;
        let mut lock = session.receive_lock().await?;
        let mut changes = properties.receive_properties_changed().await?;
        let (locked_hint, idle_hint) = (session.locked_hint().await, session.idle_hint().await);
        tracing::debug!(
            session = path.as_str(),
            locked_hint = ?locked_hint.ok(),
            idle_hint = ?idle_hint.ok(),
            "watching logind session (initial values are not acted on)"
        );
        loop {
            tokio::select! {
                Some(_) = lock.next() => {
                    request(&settings, &requests, LockReason::ScreenLock, "logind Session.Lock");
                }
                Some(signal) = changes.next() => {
                    let Ok(args) = signal.args() else { continue };
                    if args.interface_name().as_str() != SESSION_INTERFACE {
                        continue;
                    }
                    if announces_true(args.changed_properties(), "LockedHint") {
                        request(&settings, &requests, LockReason::ScreenLock, "logind LockedHint");
                    }
                    if announces_true(args.changed_properties(), "IdleHint") {
                        request(&settings, &requests, LockReason::SessionIdle, "logind IdleHint");
                    }
                }
                else => return Ok(()),
            }
        }
    }
    .await;
    match result {
        Ok(()) => tracing::info!(
            session = path.as_str(),
            "logind session signals ended; stopped watching it"
        ),
        Err(e) => tracing::warn!("stopped watching logind session {}: {e}", path.as_str()),
    }
}
