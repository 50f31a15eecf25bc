//! The subscriber that tells D-Bus clients what happened: each domain event
//! ([`crate::events`]) becomes the Vault interface's signals and property changes, and
//! systemd's status line.

use super::VaultInterface;
use crate::bus::lock_state;
use crate::events::LockReason;
use crate::events::{Detail, Event, Security, Subscription};
use std::collections::HashMap;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::Value;

impl VaultInterface {
    /// Emits the lock state properties and refreshes the status line.
    async fn emit_state(&self, emitter: &SignalEmitter<'_>) {
        let _ = self.locked_changed(emitter).await;
        let _ = self.initialized_changed(emitter).await;
        let _ = self.account_count_changed(emitter).await;
        self.report_status();
    }

    /// Refreshes the status line systemd shows.
    fn report_status(&self) {
        crate::systemd::status(&lock_state(self.service.state()).status_line());
    }

    /// Turns one event into what clients see.
    async fn relay_one(&self, emitter: &SignalEmitter<'_>, event: Event) {
        match event {
            Event::Created => self.emit_state(emitter).await,
            Event::Unlocked { method } => {
                self.emit_state(emitter).await;
                let s = Security::new("unlocked", format!("Vault unlocked with the {method}"))
                    .with("method", method);
                signal(emitter, s).await;
            }
            Event::Locked { reason } => self.relay_lock(emitter, reason).await,
            Event::AccountsChanged {
                added,
                removed,
                updated,
            } => {
                let _ = self.account_count_changed(emitter).await;
                self.report_status();
                let _ = Self::accounts_changed(emitter, added, removed, updated).await;
            }
            Event::Keyring { enabled } => {
                let _ = self.keyring_unlock_changed(emitter).await;
                let s = if enabled {
                    Security::new("keyring-enabled", "Keyring unlock enabled")
                } else {
                    Security::new("keyring-disabled", "Keyring unlock disabled")
                };
                signal(emitter, s).await;
            }
            Event::Attempts => {
                let _ = self.unlock_failures_changed(emitter).await;
                let _ = self.unlock_retry_after_changed(emitter).await;
            }
            Event::Security(s) => signal(emitter, s).await,
            // Automatic backups and sync follow saves; clients hear of the change itself.
            Event::Saved(_) | Event::Stored => {}
            Event::SyncChanged => crate::bus::sync::relay(emitter.connection()).await,
            Event::RequestAdded { .. } | Event::RequestResolved { .. } => {
                crate::bus::approvals::relay(emitter.connection(), &event).await;
                self.report_status();
            }
        }
    }

    async fn relay_lock(&self, emitter: &SignalEmitter<'_>, reason: LockReason) {
        self.emit_state(emitter).await;
        let _ = self.locked_since_changed(emitter).await;
        let _ = self.lock_reason_changed(emitter).await;
        let s = Security::new("locked", format!("Vault locked ({})", reason.as_str()))
            .with("reason", reason.as_str());
        signal(emitter, s).await;
    }
}

/// Emits `SecurityEvent(kind, message, details)`.
async fn signal(emitter: &SignalEmitter<'_>, s: Security) {
    let details: HashMap<&str, Value<'_>> = s
        .details
        .into_iter()
        .map(|(k, v)| {
            let v = match v {
                Detail::Text(t) => Value::from(t),
                Detail::Flag(b) => Value::from(b),
                Detail::Count(n) => Value::from(n),
                Detail::Seconds(n) => Value::from(n),
            };
            (k, v)
        })
        .collect();
    let _ = VaultInterface::security_event(emitter, s.kind, &s.message, details).await;
}

/// The subscriber that tells D-Bus clients (and systemd's status line) about every event, in
/// the order they were published, until the daemon stops.
pub async fn relay(conn: zbus::Connection, mut events: Subscription) {
    let iface = match conn
        .object_server()
        .interface::<_, VaultInterface>(latchkey_dbus::OBJECT_PATH)
        .await
    {
        Ok(iface) => iface,
        Err(e) => {
            tracing::error!("cannot relay events to D-Bus: {e}");
            return;
        }
    };
    while let Some(event) = events.next().await {
        iface
            .get()
            .await
            .relay_one(iface.signal_emitter(), event)
            .await;
    }
}
