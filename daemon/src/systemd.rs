//! systemd's notify protocol: readiness, status lines, watchdog pings, stopping and reloading.
//!
//! Every call is a no-op when `NOTIFY_SOCKET` is unset, so the daemon runs the same way by hand.
//!
//! The watchdog pings follow a real D-Bus round trip to our own Vault interface (a
//! property read, which takes the same lock as every vault call): if the dispatcher or the
//! state is wedged, the call times out and no ping is sent, so systemd restarts us.

use latchkey_dbus::{OBJECT_PATH, VAULT_INTERFACE};
use sd_notify::NotifyState;
use std::time::Duration;

/// Tells systemd the daemon is ready, with its first status line.
pub fn ready(status: &str) {
    send(&[NotifyState::Ready, NotifyState::Status(status)]);
}

/// Updates the status line `systemctl --user status` shows.
pub fn status(status: &str) {
    send(&[NotifyState::Status(status)]);
}

/// Tells systemd a configuration reload has started (SIGHUP).
pub fn reloading() {
    let mut states = vec![NotifyState::Reloading];
    if let Ok(now) = NotifyState::monotonic_usec_now() {
        states.push(now);
    }
    send(&states);
}

/// Tells systemd the daemon is stopping.
pub fn stopping() {
    send(&[
        NotifyState::Stopping,
        NotifyState::Status("Stopping: vault locked"),
    ]);
}

/// One watchdog ping.
pub fn watchdog() {
    send(&[NotifyState::Watchdog]);
}

/// The watchdog period systemd asked for (`WATCHDOG_USEC`), if any.
pub fn watchdog_interval() -> Option<Duration> {
    sd_notify::watchdog_enabled()
}

fn send(states: &[NotifyState<'_>]) {
    if let Err(e) = sd_notify::notify(states) {
        tracing::warn!("cannot notify systemd: {e}");
    }
}

/// Pings systemd every `interval / 2` while the daemon answers its own bus calls.
pub async fn watchdog_pings(conn: zbus::Connection, interval: Duration) {
    let period = interval / 2;
    let Some(own_name) = conn.unique_name().map(|n| n.to_owned()) else {
        tracing::error!("no unique bus name; watchdog disabled");
        return;
    };
    let proxy = match zbus::fdo::PropertiesProxy::builder(&conn)
        .destination(own_name)
        .and_then(|b| b.path(OBJECT_PATH))
    {
        Ok(b) => match b
            .cache_properties(zbus::proxy::CacheProperties::No)
            .build()
            .await
        {
            Ok(p) => p,
            Err(e) => {
                tracing::error!("watchdog proxy: {e}");
                return;
            }
        },
        Err(e) => {
            tracing::error!("watchdog proxy: {e}");
            return;
        }
    };
    let Ok(iface) = zbus::names::InterfaceName::try_from(VAULT_INTERFACE) else {
        return;
    };
    loop {
        tokio::time::sleep(period).await;
        let answered = tokio::time::timeout(period, proxy.get(iface.clone(), "Locked")).await;
        match answered {
            Ok(Ok(_)) => watchdog(),
            Ok(Err(e)) => tracing::warn!("watchdog self-check failed: {e}; not pinging systemd"),
            Err(_) => tracing::warn!("watchdog self-check timed out; not pinging systemd"),
        }
    }
}
