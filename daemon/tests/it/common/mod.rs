//! Shared by the daemon's integration tests: the daemon on a private bus ([`daemon`]), a real
//! gnome-keyring ([`keyring`]) and a notification-server double speaking the real
//! `org.freedesktop.Notifications` interface on the private bus.
#![allow(dead_code)]

pub mod daemon;
pub mod keyring;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use zbus::object_server::SignalEmitter;
use zbus::zvariant::OwnedValue;

/// One recorded `Notify` call.
#[derive(Debug, Clone)]
pub struct Shown {
    pub id: u32,
    pub summary: String,
    pub body: String,
    pub actions: Vec<String>,
    pub urgency: u8,
}

/// Records `Notify`/`CloseNotification`; advertises `actions` or not.
#[derive(Clone, Default)]
pub struct FakeNotifications {
    pub shown: Arc<Mutex<Vec<Shown>>>,
    pub closed: Arc<Mutex<Vec<u32>>>,
    pub with_actions: bool,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl FakeNotifications {
    #[allow(clippy::too_many_arguments)]
    async fn notify(
        &self,
        _app_name: String,
        replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let urgency = hints
            .get("urgency")
            .and_then(|v| u8::try_from(v).ok())
            .unwrap_or(1);
        let mut shown = self.shown.lock().expect("shown");
        // Like a real server, a replaced notification keeps its id and is updated in place.
        if let Some(old) = shown
            .iter_mut()
            .find(|s| replaces_id != 0 && s.id == replaces_id)
        {
            *old = Shown {
                id: replaces_id,
                summary,
                body,
                actions,
                urgency,
            };
            return replaces_id;
        }
        let id = shown.len() as u32 + 1;
        shown.push(Shown {
            id,
            summary,
            body,
            actions,
            urgency,
        });
        id
    }
    async fn close_notification(
        &self,
        id: u32,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) {
        self.closed.lock().expect("closed").push(id);
        let _ = Self::notification_closed(&emitter, id, 3).await;
    }
    async fn get_capabilities(&self) -> Vec<String> {
        let mut caps = vec!["body".to_string()];
        if self.with_actions {
            caps.push("actions".into());
        }
        caps
    }
    async fn get_server_information(&self) -> (String, String, String, String) {
        (
            "fake".into(),
            "latchkey-tests".into(),
            "1".into(),
            "1.2".into(),
        )
    }
    #[zbus(signal)]
    pub async fn action_invoked(
        emitter: &SignalEmitter<'_>,
        id: u32,
        action_key: &str,
    ) -> zbus::Result<()>;
    #[zbus(signal)]
    pub async fn notification_closed(
        emitter: &SignalEmitter<'_>,
        id: u32,
        reason: u32,
    ) -> zbus::Result<()>;
}

/// Serves a double on `address` under `org.freedesktop.Notifications`.
pub async fn serve_notifications(
    address: &str,
    with_actions: bool,
) -> (zbus::Connection, FakeNotifications) {
    let fake = FakeNotifications {
        with_actions,
        ..FakeNotifications::default()
    };
    let conn = zbus::connection::Builder::address(address)
        .expect("address")
        .serve_at("/org/freedesktop/Notifications", fake.clone())
        .expect("serve")
        .name("org.freedesktop.Notifications")
        .expect("name")
        .build()
        .await
        .expect("notification double");
    (conn, fake)
}

/// The user clicks `key` on notification `id`.
pub async fn click(conn: &zbus::Connection, id: u32, key: &str) {
    let emitter = SignalEmitter::new(conn, "/org/freedesktop/Notifications").expect("emitter");
    FakeNotifications::action_invoked(&emitter, id, key)
        .await
        .expect("emit ActionInvoked");
}

/// A connection to the private bus at `address` and a Vault proxy that never caches properties.
pub async fn vault_proxy(address: &str) -> (zbus::Connection, latchkey_dbus::VaultProxy<'static>) {
    let conn = zbus::connection::Builder::address(address)
        .expect("address")
        .build()
        .await
        .expect("connect");
    let vault = latchkey_dbus::VaultProxy::builder(&conn)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .expect("proxy");
    (conn, vault)
}
