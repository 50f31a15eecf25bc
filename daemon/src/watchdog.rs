//! Watchdog pings that prove the daemon still answers on the bus, not just that a timer fires.
//!
//! Each ping follows a real D-Bus round trip to our own Vault interface (a property read, which
//! takes the same lock as every vault call). If the dispatcher or the state is wedged, the call
//! times out and no ping is sent, so systemd restarts us.

use latchkey_dbus::{OBJECT_PATH, VAULT_INTERFACE};
use std::time::Duration;

/// Pings systemd every `interval / 2` while the daemon answers its own bus calls.
pub async fn run(conn: zbus::Connection, interval: Duration) {
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
            Ok(Ok(_)) => crate::systemd::watchdog(),
            Ok(Err(e)) => tracing::warn!("watchdog self-check failed: {e}; not pinging systemd"),
            Err(_) => tracing::warn!("watchdog self-check timed out; not pinging systemd"),
        }
    }
}
