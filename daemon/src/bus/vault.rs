//! `org.latchkey.Latchkey1.Vault`: lifecycle, accounts and codes.

use super::convert::{edit_from, info};
use super::{SharedState, lock_state, to_dbus_error};
use crate::lock::LockReason;
use crate::notifications::{Urgency, send_plain};
use crate::otp::Kind;
use crate::state::{NewAccount, StateError, VaultState};
use latchkey_dbus::{AccountInfo, Error};
use std::collections::HashMap;
use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::{OwnedValue, Value};
use zeroize::Zeroizing;

/// The Vault interface object; every method runs against the shared state.
pub struct VaultInterface {
    state: SharedState,
    gate: std::sync::Arc<super::Gate>,
    push: std::sync::Arc<crate::push::Push>,
    /// Serialises unlock attempts so the brute-force delay cannot be dodged by parallel calls.
    unlock_gate: tokio::sync::Mutex<()>,
}

impl VaultInterface {
    /// Serves `state` on the bus.
    pub fn new(
        state: SharedState,
        gate: std::sync::Arc<super::Gate>,
        push: std::sync::Arc<crate::push::Push>,
    ) -> Self {
        Self {
            state,
            gate,
            push,
            unlock_gate: tokio::sync::Mutex::new(()),
        }
    }

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

    async fn unlock_failed(&self, emitter: &SignalEmitter<'_>, caller: &str, error: &StateError) {
        let (failures, retry_after) = {
            let s = lock_state(&self.state);
            (s.throttle().failures, s.throttle().retry_after())
        };
        tracing::warn!(
            event = "unlock-failed",
            caller,
            failures,
            "unlock failed: {error}"
        );
        let message = format!("Failed attempt to unlock the vault ({failures} in a row): {error}");
        let details = HashMap::from([
            ("failures", Value::from(failures)),
            ("retry_after", Value::from(retry_after)),
            ("caller", Value::from(caller)),
        ]);
        let _ = Self::security_event(emitter, "unlock-failed", &message, details).await;
        let _ = self.unlock_failures_changed(emitter).await;
        let _ = self.unlock_retry_after_changed(emitter).await;
        send_plain(
            emitter.connection(),
            "Latchkey: failed unlock attempt".into(),
            message,
            Urgency::Critical,
        );
    }

    /// Runs `f` on the state in a blocking thread (for the KDF and fsync), off the dispatcher.
    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut VaultState) -> Result<T, StateError> + Send + 'static,
    ) -> Result<T, Error> {
        let state = self.state.clone();
        tokio::task::spawn_blocking(move || f(&mut lock_state(&state)))
            .await
            .map_err(|e| Error::Storage(format!("internal error: {e}")))?
            .map_err(to_dbus_error)
    }

    async fn emit_state(&self, emitter: &SignalEmitter<'_>) {
        let _ = self.locked_changed(emitter).await;
        let _ = self.initialized_changed(emitter).await;
        let _ = self.account_count_changed(emitter).await;
        self.report_status();
    }

    /// Refreshes the status line systemd shows.
    fn report_status(&self) {
        crate::notify::status(&lock_state(&self.state).status_line());
    }
}

fn caller(header: &Header<'_>) -> String {
    header.sender().map(|s| s.to_string()).unwrap_or_default()
}

#[zbus::interface(name = "org.latchkey.Latchkey1.Vault")]
impl VaultInterface {
    /// Creates a new vault protected by `passphrase` and leaves it unlocked.
    async fn create(
        &self,
        passphrase: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<(), Error> {
        let passphrase = Zeroizing::new(passphrase);
        if passphrase.is_empty() {
            return Err(Error::InvalidArgument(
                "the passphrase must not be empty".into(),
            ));
        }
        self.blocking(move |s| s.create(passphrase.as_bytes()))
            .await?;
        tracing::info!(event = "vault-created", caller = %caller(&header), "vault created");
        self.emit_state(&emitter).await;
        Ok(())
    }

    /// Unlocks the vault; the KDF runs off the dispatcher so other calls keep answering.
    async fn unlock(
        &self,
        passphrase: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<(), Error> {
        let passphrase = Zeroizing::new(passphrase);
        let caller = caller(&header);
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
                self.unlock_failed(&emitter, &caller, &e).await;
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
        self.announce_unlock(&emitter, "passphrase", &caller).await;
        let _ = self.unlock_failures_changed(&emitter).await;
        let _ = self.unlock_retry_after_changed(&emitter).await;
        Ok(())
    }

    /// Unlocks with the key kept in the login keyring (when keyring unlock is enabled).
    async fn unlock_with_keyring(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<(), Error> {
        let caller = caller(&header);
        if let Err(e) = super::keyring_unlock::unlock(&self.state).await {
            tracing::warn!(event = "keyring-unlock-failed", caller = %caller, "keyring unlock failed: {}", e.message());
            return Err(e);
        }
        self.announce_unlock(&emitter, "keyring", &caller).await;
        Ok(())
    }

    /// Adds a keyring slot: a random key stored in the login keyring also unlocks the vault.
    async fn enable_keyring(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<(), Error> {
        super::keyring_unlock::enable(&self.state).await?;
        tracing::info!(event = "keyring-enabled", caller = %caller(&header), "keyring unlock enabled");
        let _ = self.keyring_unlock_changed(&emitter).await;
        let _ = Self::security_event(
            &emitter,
            "keyring-enabled",
            "Keyring unlock enabled",
            HashMap::new(),
        )
        .await;
        Ok(())
    }

    /// Removes the keyring slot and its key from the login keyring.
    async fn disable_keyring(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<(), Error> {
        super::keyring_unlock::disable(&self.state).await?;
        tracing::info!(event = "keyring-disabled", caller = %caller(&header), "keyring unlock disabled");
        let _ = self.keyring_unlock_changed(&emitter).await;
        let _ = Self::security_event(
            &emitter,
            "keyring-disabled",
            "Keyring unlock disabled",
            HashMap::new(),
        )
        .await;
        Ok(())
    }

    /// Locks the vault, wiping keys and seeds from memory.
    async fn lock(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) {
        super::lock_vault(conn, &self.state, LockReason::Manual, &caller(&header)).await;
    }

    /// Changes the passphrase after checking the old one.
    async fn change_passphrase(
        &self,
        old: String,
        new: String,
        #[zbus(header)] header: Header<'_>,
    ) -> Result<(), Error> {
        let (old, new) = (Zeroizing::new(old), Zeroizing::new(new));
        if new.is_empty() {
            return Err(Error::InvalidArgument(
                "the new passphrase must not be empty".into(),
            ));
        }
        self.blocking(move |s| s.change_passphrase(old.as_bytes(), new.as_bytes()))
            .await?;
        tracing::info!(event = "passphrase-changed", caller = %caller(&header), "passphrase changed");
        Ok(())
    }

    /// Lists account metadata; never secrets.
    #[zbus(out_args("accounts"))]
    async fn list_accounts(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<Vec<AccountInfo>, Error> {
        if lock_state(&self.state).locked() {
            return Err(to_dbus_error(StateError::Locked));
        }
        self.gate
            .check(
                conn,
                &header,
                crate::access::grants::LIST,
                "the list of your accounts",
            )
            .await?;
        let mut list: Vec<AccountInfo> = {
            let s = lock_state(&self.state);
            s.touch();
            s.accounts().map_err(to_dbus_error)?.map(info).collect()
        };
        list.extend(self.push.tokens().iter().map(super::push::info));
        Ok(list)
    }

    /// The current code and its validity window `(code, valid_from, valid_until)`; HOTP gives 0, 0.
    #[zbus(out_args("code", "valid_from", "valid_until"))]
    async fn get_code(
        &self,
        id: &str,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<(String, u64, u64), Error> {
        self.check_code_access(id, &header, conn).await?;
        let is_hotp = {
            let s = lock_state(&self.state);
            s.touch();
            matches!(
                s.account(id).map_err(to_dbus_error)?.params.kind,
                Kind::Hotp { .. }
            )
        };
        let code = if is_hotp {
            let id = id.to_string();
            self.blocking(move |s| s.code(&id)).await?
        } else {
            lock_state(&self.state).code(id).map_err(to_dbus_error)?
        };
        let (from, until) = code.window.unwrap_or((0, 0));
        Ok((code.code.to_string(), from, until))
    }

    /// The code of the next time window, so clients can show it near expiry (TOTP, Steam).
    #[zbus(out_args("code", "valid_from", "valid_until"))]
    async fn get_next_code(
        &self,
        id: &str,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<(String, u64, u64), Error> {
        self.check_code_access(id, &header, conn).await?;
        let s = lock_state(&self.state);
        s.touch();
        let code = s.next_code(id).map_err(to_dbus_error)?;
        let (from, until) = code.window.unwrap_or((0, 0));
        Ok((code.code.to_string(), from, until))
    }

    /// Adds an account from an `otpauth://` URI and returns its id.
    #[zbus(out_args("id"))]
    async fn add_uri(
        &self,
        uri: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<String, Error> {
        let uri = Zeroizing::new(uri);
        if crate::push::uri::is_pipush(&uri) {
            if lock_state(&self.state).locked() {
                return Err(to_dbus_error(StateError::Locked));
            }
            let token = self
                .push
                .add_uri(&uri)
                .await
                .map_err(super::push::to_error)?;
            self.added(&token.id, &header, &emitter).await;
            return Ok(token.id.clone());
        }
        let id = self.blocking(move |s| s.add_uri(&uri)).await?;
        self.added(&id, &header, &emitter).await;
        Ok(id)
    }

    /// Adds an account from fields and returns its id.
    #[allow(clippy::too_many_arguments)]
    #[zbus(out_args("id"))]
    async fn add_account(
        &self,
        issuer: String,
        account: String,
        secret: String,
        kind: String,
        algorithm: String,
        digits: u32,
        period: u32,
        counter: u64,
        #[zbus(header)] header: Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<String, Error> {
        let secret = Zeroizing::new(secret);
        let id = self
            .blocking(move |s| {
                s.add_fields(&NewAccount {
                    issuer: &issuer,
                    account: &account,
                    secret: &secret,
                    kind: &kind,
                    algorithm: &algorithm,
                    digits,
                    period,
                    counter,
                })
            })
            .await?;
        self.added(&id, &header, &emitter).await;
        Ok(id)
    }

    /// Edits an account (`issuer`, `account`, `algorithm`, `digits`, `period`).
    async fn update_account(
        &self,
        id: String,
        changes: HashMap<String, OwnedValue>,
        #[zbus(header)] header: Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<(), Error> {
        let edit = edit_from(changes)?;
        let target = id.clone();
        self.blocking(move |s| s.update(&target, edit)).await?;
        tracing::info!(event = "account-updated", account_id = %id, caller = %caller(&header), "account updated");
        let _ = Self::accounts_changed(&emitter, vec![], vec![], vec![id]).await;
        Ok(())
    }

    /// Removes an account.
    async fn remove_account(
        &self,
        id: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<(), Error> {
        if self.push.get(&id).is_some() {
            if lock_state(&self.state).locked() {
                return Err(to_dbus_error(StateError::Locked));
            }
            super::push::remove(&self.push, &id, &emitter).await?;
            let _ = Self::accounts_changed(&emitter, vec![], vec![id], vec![]).await;
            return Ok(());
        }
        let target = id.clone();
        self.blocking(move |s| s.remove(&target)).await?;
        tracing::info!(event = "account-removed", account_id = %id, caller = %caller(&header), "account removed");
        let _ = self.account_count_changed(&emitter).await;
        self.report_status();
        let _ = Self::accounts_changed(&emitter, vec![], vec![id], vec![]).await;
        Ok(())
    }

    /// Imports another authenticator's export (bytes, never a path): all entries or none.
    #[zbus(out_args("added", "skipped", "failed", "notes"))]
    async fn import(
        &self,
        data: Vec<u8>,
        format: String,
        passphrase: String,
        dry_run: bool,
        #[zbus(header)] header: Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<
        (
            super::import::Dicts,
            super::import::Dicts,
            super::import::Dicts,
            Vec<String>,
        ),
        Error,
    > {
        let (data, passphrase) = (Zeroizing::new(data), Zeroizing::new(passphrase));
        let (reply, ids, format) =
            super::import::run(&self.state, data, &format, passphrase, dry_run).await?;
        if !ids.is_empty() {
            let count = u32::try_from(ids.len()).unwrap_or(u32::MAX);
            tracing::info!(event = "accounts-imported", count, format, caller = %caller(&header), "accounts imported");
            let _ = self.account_count_changed(&emitter).await;
            self.report_status();
            let _ = Self::accounts_changed(&emitter, ids, vec![], vec![]).await;
            let details = HashMap::from([
                ("format", Value::from(format)),
                ("count", Value::from(count)),
            ]);
            let message = format!("{count} account(s) imported ({format})");
            let _ = Self::security_event(&emitter, "imported", &message, details).await;
        }
        Ok(reply)
    }

    /// Emitted when accounts are added, removed or edited, so every client can refresh.
    #[zbus(signal)]
    async fn accounts_changed(
        emitter: &SignalEmitter<'_>,
        added: Vec<String>,
        removed: Vec<String>,
        updated: Vec<String>,
    ) -> zbus::Result<()>;

    /// Whether the vault is locked.
    #[zbus(property)]
    async fn locked(&self) -> bool {
        lock_state(&self.state).locked()
    }

    /// Whether a vault exists.
    #[zbus(property)]
    async fn initialized(&self) -> bool {
        lock_state(&self.state).initialized()
    }

    /// Number of accounts (from the header while locked).
    #[zbus(property)]
    async fn account_count(&self) -> u32 {
        lock_state(&self.state).account_count()
    }

    /// Whether keyring unlock is enabled (the vault has a keyring slot).
    #[zbus(property)]
    async fn keyring_unlock(&self) -> bool {
        lock_state(&self.state).has_keyring_slot()
    }

    /// Unix time the vault was last locked (or the daemon started).
    #[zbus(property)]
    async fn locked_since(&self) -> u64 {
        lock_state(&self.state).locked_since()
    }

    /// Why the vault is locked: startup, manual, inactivity, screen-lock, suspend, session-idle.
    #[zbus(property)]
    async fn lock_reason(&self) -> String {
        lock_state(&self.state).lock_reason().as_str().to_string()
    }

    /// Consecutive wrong passphrases since the last unlock.
    #[zbus(property)]
    async fn unlock_failures(&self) -> u32 {
        lock_state(&self.state).throttle().failures
    }

    /// Unix time from which the next unlock attempt is allowed (0: now).
    #[zbus(property)]
    async fn unlock_retry_after(&self) -> u64 {
        lock_state(&self.state).throttle().retry_after()
    }

    /// A security event (unlock-failed, unlocked, locked, …) for clients and notifications.
    #[zbus(signal)]
    pub async fn security_event(
        emitter: &SignalEmitter<'_>,
        event: &str,
        message: &str,
        details: HashMap<&str, Value<'_>>,
    ) -> zbus::Result<()>;

    /// Daemon version, for diagnostics.
    #[zbus(property(emits_changed_signal = "const"))]
    async fn version(&self) -> String {
        env!("CARGO_PKG_VERSION").to_string()
    }
}

impl VaultInterface {
    /// Tells every client about accounts another interface added (a restore merges a backup).
    pub async fn announce_added(&self, emitter: &SignalEmitter<'_>, ids: Vec<String>) {
        let _ = self.account_count_changed(emitter).await;
        self.report_status();
        let _ = Self::accounts_changed(emitter, ids, vec![], vec![]).await;
    }

    async fn added(&self, id: &str, header: &Header<'_>, emitter: &SignalEmitter<'_>) {
        tracing::info!(event = "account-added", account_id = %id, caller = %caller(header), "account added");
        let _ = self.account_count_changed(emitter).await;
        self.report_status();
        let _ = Self::accounts_changed(emitter, vec![id.to_string()], vec![], vec![]).await;
    }

    /// Asks the consent gate whether the caller may have codes of account `id`.
    async fn check_code_access(
        &self,
        id: &str,
        header: &Header<'_>,
        conn: &zbus::Connection,
    ) -> Result<(), Error> {
        if let Some(token) = self.push.get(id) {
            return Err(super::push::no_codes(&token));
        }
        let label = {
            let s = lock_state(&self.state);
            let a = s.account(id).map_err(to_dbus_error)?;
            format!("the code for {} ({})", a.issuer, a.account)
        };
        self.gate.check(conn, header, id, &label).await
    }
}
