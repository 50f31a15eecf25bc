//! Desktop notifications through `org.freedesktop.Notifications`, when a server exists.
//!
//! Sending never blocks the caller and a missing server is not an error: the same events also
//! reach the journal and the daemon's D-Bus signals.

use std::collections::HashMap;
use zbus::zvariant::Value;

/// The freedesktop notification server.
#[zbus::proxy(
    interface = "org.freedesktop.Notifications",
    default_service = "org.freedesktop.Notifications",
    default_path = "/org/freedesktop/Notifications"
)]
pub trait Notifications {
    /// Shows (or with `replaces_id`, replaces) a notification; returns its id.
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: &str,
        replaces_id: u32,
        app_icon: &str,
        summary: &str,
        body: &str,
        actions: &[&str],
        hints: HashMap<&str, Value<'_>>,
        expire_timeout: i32,
    ) -> zbus::Result<u32>;
    /// Closes a notification.
    fn close_notification(&self, id: u32) -> zbus::Result<()>;
    /// What the server supports (e.g. `actions`).
    fn get_capabilities(&self) -> zbus::Result<Vec<String>>;
    /// The user clicked an action.
    #[zbus(signal)]
    fn action_invoked(&self, id: u32, action_key: String) -> zbus::Result<()>;
    /// The notification went away (1 expired, 2 dismissed, 3 closed by call, 4 other).
    #[zbus(signal)]
    fn notification_closed(&self, id: u32, reason: u32) -> zbus::Result<()>;
}

pub use crate::events::Urgency;

/// Shows a plain notification in the background; failures are logged at debug level only.
pub fn send_plain(conn: &zbus::Connection, summary: String, body: String, urgency: Urgency) {
    let conn = conn.clone();
    tokio::spawn(async move {
        let result = async {
            let proxy = NotificationsProxy::new(&conn).await?;
            let hints = HashMap::from([("urgency", Value::U8(urgency as u8))]);
            proxy
                .notify(
                    "Latchkey",
                    0,
                    "dialog-password",
                    &summary,
                    &body,
                    &[],
                    hints,
                    -1,
                )
                .await
        }
        .await;
        if let Err(e) = result {
            tracing::debug!("no desktop notification: {e}");
        }
    });
}

/// The subscriber that shows the desktop notification a security event asks for, until the
/// daemon stops.
pub async fn follow(conn: zbus::Connection, mut events: crate::events::Subscription) {
    while let Some(event) = events.next().await {
        if let crate::events::Event::Security(crate::events::Security {
            notice: Some(n), ..
        }) = event
        {
            send_plain(&conn, n.summary, n.body, n.urgency);
        }
    }
}
