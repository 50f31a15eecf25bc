//! What the Vault interface tells others after a change: property changes, `AccountsChanged`,
//! security events, the journal and systemd's status line.

use super::VaultInterface;
use crate::bus::lock_state;
use crate::lock::LockReason;
use std::collections::HashMap;
use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::Value;

impl VaultInterface {
    /// Emits the unlock properties and an `unlocked` security event.
    pub async fn announce_unlock(&self, emitter: &SignalEmitter<'_>, method: &str, caller: &str) {
        tracing::info!(event = "unlocked", method, caller, "vault unlocked");
        self.emit_state(emitter).await;
        let details = HashMap::from([("method", Value::from(method))]);
        let _ = Self::security_event(
            emitter,
            "unlocked",
            &format!("Vault unlocked with the {method}"),
            details,
        )
        .await;
    }

    /// Emits the lock properties and a `locked` security event (called after any lock).
    pub async fn announce_lock(
        &self,
        emitter: &SignalEmitter<'_>,
        reason: LockReason,
        caller: &str,
    ) {
        tracing::info!(
            event = "locked",
            reason = reason.as_str(),
            caller,
            "vault locked"
        );
        self.emit_state(emitter).await;
        let _ = self.locked_since_changed(emitter).await;
        let _ = self.lock_reason_changed(emitter).await;
        let details = HashMap::from([("reason", Value::from(reason.as_str()))]);
        let _ = Self::security_event(
            emitter,
            "locked",
            &format!("Vault locked ({})", reason.as_str()),
            details,
        )
        .await;
    }

    /// Emits the brute-force counter properties (after any passphrase attempt).
    pub async fn announce_attempts(&self, emitter: &SignalEmitter<'_>) {
        let _ = self.unlock_failures_changed(emitter).await;
        let _ = self.unlock_retry_after_changed(emitter).await;
    }

    /// Emits the lock state properties and refreshes the status line.
    pub(super) async fn emit_state(&self, emitter: &SignalEmitter<'_>) {
        let _ = self.locked_changed(emitter).await;
        let _ = self.initialized_changed(emitter).await;
        let _ = self.account_count_changed(emitter).await;
        self.report_status();
    }

    /// Refreshes the status line systemd shows.
    pub(super) fn report_status(&self) {
        crate::notify::status(&lock_state(&self.state).status_line());
    }

    /// Tells every client about accounts another interface added (a restore merges a backup).
    pub async fn announce_added(&self, emitter: &SignalEmitter<'_>, ids: Vec<String>) {
        let _ = self.account_count_changed(emitter).await;
        self.report_status();
        let _ = Self::accounts_changed(emitter, ids, vec![], vec![]).await;
    }

    /// Logs and signals an account added by this interface.
    pub(super) async fn added(&self, id: &str, header: &Header<'_>, emitter: &SignalEmitter<'_>) {
        let who = self.who(emitter.connection(), header).await;
        tracing::info!(event = "account-added", account_id = %id, caller = %who, "account added");
        let _ = self.account_count_changed(emitter).await;
        self.report_status();
        let _ = Self::accounts_changed(emitter, vec![id.to_string()], vec![], vec![]).await;
    }
}
