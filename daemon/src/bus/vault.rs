//! `org.latchkey.Latchkey1.Vault`: lifecycle, accounts and codes.

use super::{SharedState, lock_state, to_dbus_error};
use crate::accounts::{Account, algorithm_name};
use crate::otp::Kind;
use crate::state::{AccountEdit, NewAccount, StateError, VaultState};
use latchkey_dbus::{AccountInfo, Error};
use std::collections::HashMap;
use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::OwnedValue;
use zeroize::Zeroizing;

/// The Vault interface object; every method runs against the shared state.
pub struct VaultInterface {
    state: SharedState,
}

impl VaultInterface {
    /// Serves `state` on the bus.
    pub fn new(state: SharedState) -> Self {
        Self { state }
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

fn info(a: &Account) -> AccountInfo {
    let mut extra = HashMap::new();
    if let Kind::Hotp { counter } = a.params.kind {
        extra.insert("counter".to_string(), OwnedValue::from(counter));
    }
    AccountInfo {
        id: a.id.clone(),
        issuer: a.issuer.clone(),
        account: a.account.clone(),
        kind: a.kind_name().to_string(),
        algorithm: algorithm_name(a.params.algorithm).to_string(),
        digits: u32::from(a.params.digits),
        period: a.params.period().unwrap_or(0),
        extra,
    }
}

fn edit_from(changes: HashMap<String, OwnedValue>) -> Result<AccountEdit, Error> {
    let mut edit = AccountEdit::default();
    for (key, value) in changes {
        let bad = |want: &str| Error::InvalidArgument(format!("{key} must be {want}"));
        match key.as_str() {
            "issuer" => edit.issuer = Some(String::try_from(value).map_err(|_| bad("a string"))?),
            "account" => edit.account = Some(String::try_from(value).map_err(|_| bad("a string"))?),
            "algorithm" => {
                edit.algorithm = Some(String::try_from(value).map_err(|_| bad("a string"))?)
            }
            "digits" => edit.digits = Some(u32::try_from(value).map_err(|_| bad("a uint32"))?),
            "period" => edit.period = Some(u32::try_from(value).map_err(|_| bad("a uint32"))?),
            other => {
                return Err(Error::InvalidArgument(format!(
                    "unknown field {other:?} (editable: issuer, account, algorithm, digits, period)"
                )));
            }
        }
    }
    Ok(edit)
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
        let store = {
            let s = lock_state(&self.state);
            s.check_can_unlock().map_err(to_dbus_error)?;
            s.store().clone()
        };
        let opened = tokio::task::spawn_blocking(move || store.unlock(passphrase.as_bytes()))
            .await
            .map_err(|e| Error::Storage(format!("internal error: {e}")))?;
        let (session, body) = match opened {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!(event = "unlock-failed", caller = %caller(&header), "unlock failed: {e}");
                return Err(to_dbus_error(e.into()));
            }
        };
        {
            let mut s = lock_state(&self.state);
            if s.locked() {
                s.finish_unlock(session, &body).map_err(to_dbus_error)?;
            }
        }
        tracing::info!(event = "unlocked", caller = %caller(&header), "vault unlocked");
        self.emit_state(&emitter).await;
        Ok(())
    }

    /// Locks the vault, wiping keys and seeds from memory.
    async fn lock(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<(), Error> {
        if lock_state(&self.state).lock() {
            tracing::info!(event = "locked", reason = "manual", caller = %caller(&header), "vault locked");
            self.emit_state(&emitter).await;
        }
        Ok(())
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
    async fn list_accounts(&self) -> Result<Vec<AccountInfo>, Error> {
        let s = lock_state(&self.state);
        Ok(s.accounts().map_err(to_dbus_error)?.map(info).collect())
    }

    /// The current code and its validity window `(code, valid_from, valid_until)`; HOTP gives 0, 0.
    #[zbus(out_args("code", "valid_from", "valid_until"))]
    async fn get_code(&self, id: &str) -> Result<(String, u64, u64), Error> {
        let is_hotp = {
            let s = lock_state(&self.state);
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

    /// Adds an account from an `otpauth://` URI and returns its id.
    #[zbus(out_args("id"))]
    async fn add_uri(
        &self,
        uri: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<String, Error> {
        let uri = Zeroizing::new(uri);
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
        let target = id.clone();
        self.blocking(move |s| s.remove(&target)).await?;
        tracing::info!(event = "account-removed", account_id = %id, caller = %caller(&header), "account removed");
        let _ = self.account_count_changed(&emitter).await;
        self.report_status();
        let _ = Self::accounts_changed(&emitter, vec![], vec![id], vec![]).await;
        Ok(())
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

    /// Daemon version, for diagnostics.
    #[zbus(property(emits_changed_signal = "const"))]
    async fn version(&self) -> String {
        env!("CARGO_PKG_VERSION").to_string()
    }
}

impl VaultInterface {
    async fn added(&self, id: &str, header: &Header<'_>, emitter: &SignalEmitter<'_>) {
        tracing::info!(event = "account-added", account_id = %id, caller = %caller(header), "account added");
        let _ = self.account_count_changed(emitter).await;
        self.report_status();
        let _ = Self::accounts_changed(emitter, vec![id.to_string()], vec![], vec![]).await;
    }
}
