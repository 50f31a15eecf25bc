//! The Vault interface's life-cycle methods: Create, Unlock, UnlockWithKeyring, EnableKeyring,
//! DisableKeyring and ChangePassphrase.

use super::VaultInterface;
use crate::bus::lock_state;
use crate::bus::passphrase::Action;
use crate::events::Event;
use crate::state::keyring;
use latchkey_dbus::Error;
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
        let who = self.who(emitter.connection(), header).await;
        tracing::info!(event = "vault-created", caller = %who, "vault created");
        self.events.publish(Event::Created);
        Ok(())
    }

    /// Unlock: through the passphrase gate (one attempt at a time, the caller's delay, the KDF
    /// off the dispatcher and the state lock, wrong passphrases counted and reported).
    pub(super) async fn unlock_with_passphrase(
        &self,
        passphrase: Zeroizing<String>,
        header: &Header<'_>,
        conn: &zbus::Connection,
    ) -> Result<(), Error> {
        let who = self.passphrases.attempter(conn, header).await;
        let (session, body) = self
            .passphrases
            .attempt(
                &who,
                Action::Unlock,
                |s| {
                    s.check_can_unlock()?;
                    Ok(s.store().clone())
                },
                move |store| Ok(store.unlock(passphrase.as_bytes())?),
            )
            .await?;
        {
            let mut s = lock_state(&self.state);
            if s.locked() {
                s.finish_unlock(session, &body)?;
            }
        }
        self.events.unlocked("passphrase", &who.label);
        self.events.publish(Event::Attempts);
        Ok(())
    }

    /// UnlockWithKeyring: the key from the login keyring opens the keyring slot.
    pub(super) async fn unlock_from_keyring(
        &self,
        header: &Header<'_>,
        emitter: &SignalEmitter<'_>,
    ) -> Result<(), Error> {
        let caller = self.who(emitter.connection(), header).await;
        if let Err(e) = keyring::unlock(&self.state).await {
            let e = Error::from(e);
            tracing::warn!(event = "keyring-unlock-failed", caller = %caller, "keyring unlock failed: {}", e.message());
            return Err(e);
        }
        self.events.unlocked("keyring", &caller);
        Ok(())
    }

    /// EnableKeyring: adds the keyring slot, then says so.
    pub(super) async fn add_keyring_slot(
        &self,
        header: &Header<'_>,
        emitter: &SignalEmitter<'_>,
    ) -> Result<(), Error> {
        keyring::enable(&self.state).await?;
        let who = self.who(emitter.connection(), header).await;
        tracing::info!(event = "keyring-enabled", caller = %who, "keyring unlock enabled");
        self.events.publish(Event::Keyring { enabled: true });
        Ok(())
    }

    /// DisableKeyring: removes the keyring slot and its key, then says so.
    pub(super) async fn remove_keyring_slot(
        &self,
        header: &Header<'_>,
        emitter: &SignalEmitter<'_>,
    ) -> Result<(), Error> {
        keyring::disable(&self.state).await?;
        let who = self.who(emitter.connection(), header).await;
        tracing::info!(event = "keyring-disabled", caller = %who, "keyring unlock disabled");
        self.events.publish(Event::Keyring { enabled: false });
        Ok(())
    }

    /// ChangePassphrase (the caller was checked to be our own client): refuses an empty new
    /// passphrase; through the passphrase gate, the old passphrase is checked and the master key
    /// wrapped under the new one on a detached copy without the state lock, then the new slot is
    /// installed with one write under it.
    pub(super) async fn set_passphrase(
        &self,
        old: Zeroizing<String>,
        new: Zeroizing<String>,
        header: &Header<'_>,
        conn: &zbus::Connection,
    ) -> Result<(), Error> {
        if new.is_empty() {
            return Err(Error::InvalidArgument(
                "the new passphrase must not be empty".into(),
            ));
        }
        let who = self.passphrases.attempter(conn, header).await;
        let state = self.state.clone();
        self.passphrases
            .attempt(
                &who,
                Action::ChangePassphrase,
                |s| s.passphrase_change(),
                // Installed before the gate's turn ends, so the next change in line checks
                // against this slot; the state is held only for the install (one write).
                move |change| {
                    let rewrapped = change.rewrap(old.as_bytes(), new.as_bytes())?;
                    lock_state(&state).install_passphrase(rewrapped)
                },
            )
            .await?;
        tracing::info!(event = "passphrase-changed", caller = %who.label, "passphrase changed");
        self.events.publish(Event::Attempts);
        Ok(())
    }
}
