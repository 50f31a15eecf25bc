//! Security events about push tokens: a D-Bus signal, a journal entry (logged by the caller)
//! and a critical desktop notification.

use crate::notifications::{Urgency, send_plain};
use std::collections::HashMap;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::Value;

/// Emits `SecurityEvent(event, message, {serial})` and shows the message as a notification.
pub async fn security_event(conn: &zbus::Connection, event: &str, message: &str, serial: &str) {
    if let Ok(emitter) = SignalEmitter::new(conn, latchkey_dbus::OBJECT_PATH) {
        let details = HashMap::from([("serial", Value::from(serial))]);
        let _ = crate::bus::VaultInterface::security_event(&emitter, event, message, details).await;
    }
    send_plain(
        conn,
        "Latchkey: push sign-in".into(),
        message.to_string(),
        Urgency::Critical,
    );
}
