//! The Vault interface's life-cycle methods: Create, Unlock, UnlockWithKeyring, EnableKeyring,
//! DisableKeyring and ChangePassphrase.

use super::{VaultInterface, caller};
use crate::bus::{keyring_unlock, lock_state, to_dbus_error};
use crate::state::StateError;
use latchkey_dbus::Error;
use std::collections::HashMap;
use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zeroize::Zeroizing;

impl VaultInterface {
    /// Create: refuses an empty passphrase, writes the vault (KDF off the dispatcher).
    pub(super) async fn create_vault(
        &self,
        passphrase: Zeroizing<String>,
        header: &Header<'_>,
        emitter: &SignalEmitter<'_>,
    ) -> Result<(), Error> {
        if passphrase.is_empty() {
            return Err(Error::InvalidArgument(
                "the passphrase must not be empty".into(),
            ));
        }
        self.blocking(move |s| s.create(passphrase.as_bytes()))
            .await?;
        tracing::info!(event = "vault-created", caller = %caller(header), "vault created");
        self.emit_state(emitter).await;
        Ok(())
    }

    /// Unlock: one attempt at a time, the KDF off the dispatcher, wrong passphrases counted.
    pub(super) async fn unlock_with_passphrase(
        &self,
        passphrase: Zeroizing<String>,
        header: &Header<'_>,
        emitter: &SignalEmitter<'_>,
    ) -> Result<(), Error> {
        let caller = caller(header);
        let _gate = self.unlock_gate.lock().await;
        let store = {
            let s = lock_state(&self.state);
            s.check_can_unlock().map_err(to_dbus_error)?;
            s.store().clone()
        };
        let opened = tokio::task::spawn_blocking(move || store.unlock(passphrase.as_bytes()))
            .await
            .map_err(|e| Error::Storage(format!("internal error: {e}")))?;
        let (session, body) = match opened.map_err(StateError::from) {
            Ok(v) => v,
            Err(e) => {
                if matches!(e, StateError::BadPassphrase) {
                    lock_state(&self.state).record_bad_passphrase();
                }
                self.unlock_failed(emitter, &caller, &e).await;
                return Err(to_dbus_error(e));
            }
        };
        {
            let mut s = lock_state(&self.state);
            if s.locked() {
                s.finish_unlock(session, &body, true)
                    .map_err(to_dbus_error)?;
            }
        }
        self.announce_unlock(emitter, "passphrase", &caller).await;
        let _ = self.unlock_failures_changed(emitter).await;
        let _ = self.unlock_retry_after_changed(emitter).await;
        Ok(())
    }

    /// UnlockWithKeyring: the key from the login keyring opens the keyring slot.
    pub(super) async fn unlock_from_keyring(
        &self,
        header: &Header<'_>,
        emitter: &SignalEmitter<'_>,
    ) -> Result<(), Error> {
        let caller = caller(header);
        if let Err(e) = keyring_unlock::unlock(&self.state).await {
            tracing::warn!(event = "keyring-unlock-failed", caller = %caller, "keyring unlock failed: {}", e.message());
            return Err(e);
        }
        self.announce_unlock(emitter, "keyring", &caller).await;
        Ok(())
    }

    /// EnableKeyring: adds the keyring slot, then says so.
    pub(super) async fn add_keyring_slot(
        &self,
        header: &Header<'_>,
        emitter: &SignalEmitter<'_>,
    ) -> Result<(), Error> {
        keyring_unlock::enable(&self.state).await?;
        tracing::info!(event = "keyring-enabled", caller = %caller(header), "keyring unlock enabled");
        let _ = self.keyring_unlock_changed(emitter).await;
        let _ = Self::security_event(
            emitter,
            "keyring-enabled",
            "Keyring unlock enabled",
            HashMap::new(),
        )
        .await;
        Ok(())
    }

    /// DisableKeyring: removes the keyring slot and its key, then says so.
    pub(super) async fn remove_keyring_slot(
        &self,
        header: &Header<'_>,
        emitter: &SignalEmitter<'_>,
    ) -> Result<(), Error> {
        keyring_unlock::disable(&self.state).await?;
        tracing::info!(event = "keyring-disabled", caller = %caller(header), "keyring unlock disabled");
        let _ = self.keyring_unlock_changed(emitter).await;
        let _ = Self::security_event(
            emitter,
            "keyring-disabled",
            "Keyring unlock disabled",
            HashMap::new(),
        )
        .await;
        Ok(())
    }

    /// ChangePassphrase: refuses an empty new passphrase; the old one is checked by the store.
    pub(super) async fn set_passphrase(
        &self,
        old: Zeroizing<String>,
        new: Zeroizing<String>,
        header: &Header<'_>,
    ) -> Result<(), Error> {
        if new.is_empty() {
            return Err(Error::InvalidArgument(
                "the new passphrase must not be empty".into(),
            ));
        }
        self.blocking(move |s| s.change_passphrase(old.as_bytes(), new.as_bytes()))
            .await?;
        tracing::info!(event = "passphrase-changed", caller = %caller(header), "passphrase changed");
        Ok(())
    }
}
