//! Signals from latchkeyd, turned into [`Event`]s for the UI; survives daemon restarts.
//!
//! Signals are only triggers: the UI re-reads state through method calls, so a forged signal on
//! the bus can make the app refresh but cannot make it show anything the daemon did not say.

use futures_util::StreamExt;
use latchkey_dbus::{ApprovalsProxy, BUS_NAME, SyncProxy, VaultProxy};
use zbus::fdo::{DBusProxy, PropertiesProxy};
use zbus::names::InterfaceName;

/// Something the window should react to.
#[derive(Debug, Clone)]
pub enum Event {
    /// latchkeyd (re)appeared on the bus, or vanished (`false`): re-read everything.
    Daemon(bool),
    /// Accounts were added, removed or edited.
    AccountsChanged,
    /// Lock state or a property changed.
    StateChanged,
    /// A security event (`unlock-failed`, `locked`, ...).
    Security,
    /// A new approval or consent request.
    RequestAdded,
    /// A request ended with this result.
    RequestResolved(String, String),
    /// Sync's status changed (a device joined or was forgotten, a merge): re-read it.
    SyncChanged,
}

/// Starts watching; events arrive on the returned receiver until the app exits.
pub fn watch() -> async_channel::Receiver<Event> {
    let (tx, rx) = async_channel::unbounded();
    let bridge = super::bridge();
    let conn = bridge.connection();
    bridge.spawn(async move {
        // Subscribing can fail (the bus is busy, a call times out): try again, and tell the
        // window to re-read everything once subscribed, since signals may have been missed.
        while !tx.is_closed() {
            if let Err(e) = run(conn.clone(), tx.clone()).await {
                tracing::warn!("signal watcher stopped: {e}; retrying");
            }
            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        }
    });
    rx
}

async fn run(conn: zbus::Connection, tx: async_channel::Sender<Event>) -> zbus::Result<()> {
    let dbus = DBusProxy::new(&conn).await?;
    let mut owners = dbus
        .receive_name_owner_changed_with_args(&[(0, BUS_NAME)])
        .await?;
    let vault = VaultProxy::builder(&conn)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await?;
    let approvals = ApprovalsProxy::builder(&conn)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await?;
    let props = PropertiesProxy::builder(&conn)
        .destination(BUS_NAME)?
        .path(latchkey_dbus::OBJECT_PATH)?
        .build()
        .await?;
    let mut changed = vault.receive_accounts_changed().await?;
    let mut security = vault.receive_security_event().await?;
    let mut added = approvals.receive_request_added().await?;
    let mut resolved = approvals.receive_request_resolved().await?;
    let mut properties = props.receive_properties_changed().await?;
    let sync = SyncProxy::builder(&conn)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await?;
    let mut synced = sync.receive_changed().await?;
    if tx.send(Event::StateChanged).await.is_err() {
        return Ok(());
    }
    loop {
        let event = tokio::select! {
            Some(s) = owners.next() => {
                let appeared = s.args().ok().is_some_and(|a| a.new_owner().is_some());
                Event::Daemon(appeared)
            }
            Some(_) = changed.next() => Event::AccountsChanged,
            Some(_) = security.next() => Event::Security,
            Some(_) = synced.next() => Event::SyncChanged,
            Some(s) = added.next() => match s.args() {
                Ok(_) => Event::RequestAdded,
                Err(_) => continue,
            },
            Some(s) = resolved.next() => match s.args() {
                Ok(a) => Event::RequestResolved(a.request().to_string(), a.result().clone()),
                Err(_) => continue,
            },
            Some(s) = properties.next() => {
                let ours = s.args().ok().is_some_and(|a| {
                    let name: &InterfaceName<'_> = a.interface_name();
                    name.as_str().starts_with("org.latchkey.Latchkey1")
                });
                if !ours {
                    continue;
                }
                Event::StateChanged
            }
            else => return Ok(()),
        };
        if tx.send(event).await.is_err() {
            return Ok(());
        }
    }
}
