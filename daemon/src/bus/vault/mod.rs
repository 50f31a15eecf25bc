//! `org.latchkey.Latchkey1.Vault`: lifecycle, accounts and codes.
//!
//! This module holds the object and what its methods share. zbus takes one `#[interface]` block
//! per type, so the signatures, properties and signals are in one place and the method bodies
//! beside it, grouped by what they change (the vault itself, or its accounts); whatever a method
//! changed is published on the event channel, and `events::relay` tells the clients.

mod accounts;
mod adding;
pub mod events;
mod interface;
mod lifecycle;

use super::{SharedState, blocking, lock_state};
use crate::state::{StateError, VaultState};
use latchkey_dbus::Error;
use zbus::message::Header;

/// The Vault interface object; every method runs against the shared state.
pub struct VaultInterface {
    state: SharedState,
    gate: std::sync::Arc<super::Gate>,
    push: std::sync::Arc<crate::push::Push>,
    /// Every passphrase check (unlock, passphrase change) goes through it.
    passphrases: std::sync::Arc<super::PassphraseGate>,
    /// How many accounts other apps have added since the vault was unlocked.
    adds: crate::access::adds::AddQuota,
    /// Where what happened is published (signals are sent by its subscriber, `events::relay`).
    events: crate::events::Events,
}

impl VaultInterface {
    /// Serves `state` on the bus.
    pub fn new(
        state: SharedState,
        gate: std::sync::Arc<super::Gate>,
        push: std::sync::Arc<crate::push::Push>,
        passphrases: std::sync::Arc<super::PassphraseGate>,
        events: crate::events::Events,
    ) -> Self {
        Self {
            state,
            gate,
            push,
            passphrases,
            adds: Default::default(),
            events,
        }
    }

    /// Counts the call as use for the inactivity timer if one of Latchkey's own clients made it;
    /// other apps' calls never keep the vault unlocked.
    async fn own_activity(&self, conn: &zbus::Connection, header: &Header<'_>) {
        if let Ok(caller) = self.gate.caller(conn, header).await
            && self.gate.is_own_client(&caller)
        {
            lock_state(&self.state).touch();
        }
    }

    /// Who sent the message as the daemon determined it (executable, process, Flatpak id), for
    /// the journal; the unique bus name alone when that cannot be determined.
    async fn who(&self, conn: &zbus::Connection, header: &Header<'_>) -> String {
        match self.gate.caller(conn, header).await {
            Ok(c) => {
                latchkey_dbus::display::claim(&c.label(), latchkey_dbus::display::IDENTITY_MAX)
            }
            Err(_) => header.sender().map(|s| s.to_string()).unwrap_or_default(),
        }
    }

    /// Runs `f` on the state in a blocking thread (for the KDF and fsync), off the dispatcher.
    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut VaultState) -> Result<T, StateError> + Send + 'static,
    ) -> Result<T, Error> {
        let state = self.state.clone();
        blocking(move || f(&mut lock_state(&state)))
            .await?
            .map_err(Error::from)
    }
}
