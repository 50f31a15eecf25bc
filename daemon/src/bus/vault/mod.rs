//! `org.latchkey.Latchkey1.Vault`: the vault's life (create, unlock, lock, keyring, passphrase),
//! its accounts and their codes.
//!
//! Translation only: each method checks its arguments' sizes, makes its access decision (own
//! client, consent, the add allowance) before any work, and calls the state service or the
//! catalog, which do the work and publish what changed; `relay` turns that into signals.

mod relay;

pub use relay::relay;

use super::passphrase::Action;
use super::{Gate, PassphraseGate, lock_state};
use crate::access::adds::AddQuota;
use crate::access::grants::{LIST, identity_of};
use crate::bus::convert::{edit_from, info, token_info};
use crate::catalog::Catalog;
use crate::events::LockReason;
use crate::otp::Code;
use crate::state::{NewAccount, Service, StateError, VaultState};
use latchkey_dbus::limits::{self, check};
use latchkey_dbus::{AccountInfo, Error, ImportEntry, ImportInspection, ImportReply};
use std::collections::HashMap;
use std::sync::Arc;
use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::{OwnedValue, Value};
use zeroize::Zeroizing;

/// The Vault interface object.
pub struct VaultInterface {
    service: Arc<Service>,
    catalog: Catalog,
    gate: Arc<Gate>,
    /// Every passphrase check (unlock, passphrase change) goes through it.
    passphrases: Arc<PassphraseGate>,
    /// How many accounts other apps have added since the vault was unlocked.
    adds: AddQuota,
}

#[zbus::interface(name = "org.latchkey.Latchkey1.Vault")]
impl VaultInterface {
    /// Creates a new vault protected by `passphrase` and leaves it unlocked.
    async fn create(
        &self,
        passphrase: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<(), Error> {
        let passphrase = Zeroizing::new(passphrase);
        check("the passphrase", passphrase.as_bytes(), limits::PASSPHRASE)?;
        let who = self.who(conn, &header).await;
        Ok(self.service.create(passphrase, &who).await?)
    }

    /// Unlocks the vault through the passphrase gate: one attempt at a time, the caller's
    /// delay, the KDF off the dispatcher and the state lock, wrong passphrases counted.
    async fn unlock(
        &self,
        passphrase: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<(), Error> {
        let passphrase = Zeroizing::new(passphrase);
        check("the passphrase", passphrase.as_bytes(), limits::PASSPHRASE)?;
        let who = self.passphrases.attempter(conn, &header).await;
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
        Ok(self.service.unlocked(session, &body, &who.label)?)
    }

    /// Unlocks with the key kept in the login keyring (when keyring unlock is enabled).
    async fn unlock_with_keyring(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<(), Error> {
        let caller = self.gate.caller(conn, &header).await?;
        let who =
            latchkey_dbus::display::claim(&caller.label(), latchkey_dbus::display::IDENTITY_MAX);
        let Err(e) = self.service.unlock_with_keyring(&who).await else {
            return Ok(());
        };
        let e = Error::from(e);
        if !self.gate.is_own_client(&caller) {
            // Logged once per run of refusals, and each one slowed, like every refused app.
            return Err(self.gate.refuse(&caller, "keyring-unlock-failed", e).await);
        }
        tracing::warn!(event = "keyring-unlock-failed", caller = %who, "keyring unlock failed: {}", e.message());
        Err(e)
    }

    /// Adds a keyring slot: a random key stored in the login keyring also unlocks the vault.
    async fn enable_keyring(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<(), Error> {
        self.gate
            .require_own_client(conn, &header, "turn keyring unlock on")
            .await?;
        let who = self.who(conn, &header).await;
        Ok(self.service.set_keyring(true, &who).await?)
    }

    /// Removes the keyring slot and its key from the login keyring.
    async fn disable_keyring(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<(), Error> {
        self.gate
            .require_own_client(conn, &header, "turn keyring unlock off")
            .await?;
        let who = self.who(conn, &header).await;
        Ok(self.service.set_keyring(false, &who).await?)
    }

    /// Locks the vault, wiping keys and seeds from memory.
    async fn lock(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) {
        let who = self.who(conn, &header).await;
        self.service.lock(LockReason::Manual, &who);
    }

    /// Changes the passphrase after checking the old one (own clients only). Through the
    /// passphrase gate the old passphrase is checked and the master key wrapped under the new
    /// one on a detached copy without the state lock; the new slot is installed with one write.
    async fn change_passphrase(
        &self,
        old: String,
        new: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<(), Error> {
        let (old, new) = (Zeroizing::new(old), Zeroizing::new(new));
        check("the old passphrase", old.as_bytes(), limits::PASSPHRASE)?;
        check("the new passphrase", new.as_bytes(), limits::PASSPHRASE)?;
        self.gate
            .require_own_client(conn, &header, "change the passphrase")
            .await?;
        if new.is_empty() {
            return Err(Error::InvalidArgument(
                "the new passphrase must not be empty".into(),
            ));
        }
        let who = self.passphrases.attempter(conn, &header).await;
        let state = self.service.state().clone();
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
        self.service.passphrase_changed(&who.label);
        Ok(())
    }

    /// Lists account metadata, vault accounts then push tokens; never secrets.
    #[zbus(out_args("accounts"))]
    async fn list_accounts(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<Vec<AccountInfo>, Error> {
        if lock_state(self.service.state()).locked() {
            return Err(StateError::Locked.into());
        }
        self.gate
            .check(conn, &header, LIST, "the list of your accounts")
            .await?;
        self.own_activity(conn, &header).await;
        Ok(self.catalog.list(info, token_info)?)
    }

    /// The current code and its validity window `(code, valid_from, valid_until)`; HOTP gives
    /// 0, 0 (and its counter is written before the code is given out).
    #[zbus(out_args("code", "valid_from", "valid_until"))]
    async fn get_code(
        &self,
        id: &str,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<(String, u64, u64), Error> {
        check("the account id", id.as_bytes(), limits::ID)?;
        self.check_code_access(id, &header, conn).await?;
        self.own_activity(conn, &header).await;
        Ok(code_reply(self.service.code(id).await?))
    }

    /// The code of the next time window, so clients can show it near expiry (TOTP, Steam).
    #[zbus(out_args("code", "valid_from", "valid_until"))]
    async fn get_next_code(
        &self,
        id: &str,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<(String, u64, u64), Error> {
        check("the account id", id.as_bytes(), limits::ID)?;
        self.check_code_access(id, &header, conn).await?;
        self.own_activity(conn, &header).await;
        Ok(code_reply(self.service.next_code(id)?))
    }

    /// Adds an account from an `otpauth://` URI (or enrolls a privacyIDEA push token from an
    /// `otpauth://pipush/` one) and returns its id.
    #[zbus(out_args("id"))]
    async fn add_uri(
        &self,
        uri: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<String, Error> {
        let uri = Zeroizing::new(uri);
        check("the URI", uri.as_bytes(), limits::URI)?;
        if Catalog::enrolls(&uri) {
            // Enrolling talks to a server and makes an RSA key: the user's clients only.
            self.gate
                .require_own_client(conn, &header, "enroll push tokens")
                .await?;
            let who = self.who(conn, &header).await;
            return Ok(self.catalog.enroll(&uri, &who).await?);
        }
        self.add_counted(&header, conn, move |s| s.add_uri(&uri))
            .await
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
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<String, Error> {
        let secret = Zeroizing::new(secret);
        check("the issuer", issuer.as_bytes(), limits::LABEL)?;
        check("the account name", account.as_bytes(), limits::LABEL)?;
        check("the secret", secret.as_bytes(), limits::SECRET)?;
        check("the kind", kind.as_bytes(), limits::WORD)?;
        check("the algorithm", algorithm.as_bytes(), limits::WORD)?;
        self.add_counted(&header, conn, move |s| {
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
        .await
    }

    /// Edits an account (`issuer`, `account`, `algorithm`, `digits`, `period`, `sites`); own
    /// clients only.
    async fn update_account(
        &self,
        id: String,
        changes: HashMap<String, OwnedValue>,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<(), Error> {
        check("the account id", id.as_bytes(), limits::ID)?;
        limits::check_entries("the changes", changes.keys())?;
        for value in changes.values() {
            match &**value {
                Value::Str(text) => check("a changed field", text.as_bytes(), limits::LABEL)?,
                Value::Array(items) => {
                    if items.len() > limits::SITES {
                        return Err(Error::InvalidArgument(format!(
                            "a changed list has more than {} entries; nothing was done",
                            limits::SITES
                        )));
                    }
                    for item in items.iter() {
                        if let Value::Str(text) = item {
                            check("a site", text.as_bytes(), limits::ORIGIN)?;
                        }
                    }
                }
                _ => {}
            }
        }
        self.gate
            .require_own_client(conn, &header, "edit accounts")
            .await?;
        let edit = edit_from(changes)?;
        let who = self.who(conn, &header).await;
        self.service.update(id, edit, &who).await?;
        // Only own clients may edit (checked above): use, for the inactivity timer.
        self.service.touch();
        Ok(())
    }

    /// Removes an account or a push token; own clients only.
    async fn remove_account(
        &self,
        id: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<(), Error> {
        check("the account id", id.as_bytes(), limits::ID)?;
        self.gate
            .require_own_client(conn, &header, "remove accounts")
            .await?;
        let who = self.who(conn, &header).await;
        self.catalog.remove(conn, id, &who).await?;
        // Only own clients may remove (checked above): use, for the inactivity timer.
        self.service.touch();
        Ok(())
    }

    /// Imports another authenticator's export (bytes, never a path): all entries or none.
    #[zbus(out_args("added", "skipped", "failed", "notes"))]
    // Four D-Bus arguments; the others are what zbus injects (caller, bus).
    #[allow(clippy::too_many_arguments)]
    async fn import(
        &self,
        data: Vec<u8>,
        format: String,
        passphrase: String,
        dry_run: bool,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<
        (
            Vec<ImportEntry>,
            Vec<ImportEntry>,
            Vec<ImportEntry>,
            Vec<String>,
        ),
        Error,
    > {
        // The tuple is spelled out: zbus reads the out arguments from it, an alias would make
        // one struct argument.
        let (data, passphrase) = (Zeroizing::new(data), Zeroizing::new(passphrase));
        check("the file", &data, limits::FILE)?;
        check("the format", format.as_bytes(), limits::WORD)?;
        check("the passphrase", passphrase.as_bytes(), limits::PASSPHRASE)?;
        // Own clients only: an import runs a passphrase KDF the file chooses (bounded, but
        // costly) and adds accounts in bulk; other apps can add one account with AddUri.
        self.gate
            .require_own_client_now(conn, &header, "import accounts")
            .await?;
        let who = self.who(conn, &header).await;
        let imported = self
            .service
            .import(data, &format, passphrase, dry_run, &who)
            .await?;
        // Only own clients may import (checked above): use, for the inactivity timer.
        self.service.touch();
        Ok(import_reply(imported))
    }

    /// Recognises an export before any passphrase is asked; own clients only.
    #[zbus(out_args("inspection"))]
    async fn inspect_import(
        &self,
        data: Vec<u8>,
        format: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<ImportInspection, Error> {
        let data = Zeroizing::new(data);
        check("the file", &data, limits::FILE)?;
        check("the format", format.as_bytes(), limits::WORD)?;
        // Own clients only, like Import: reading a file is work the caller's bytes decide.
        self.gate
            .require_own_client_now(conn, &header, "import accounts")
            .await?;
        let found = self.service.inspect(data, &format).await?;
        Ok(ImportInspection {
            format: found.format.name().to_string(),
            app: found.format.app().to_string(),
            encrypted: found.encrypted,
        })
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
        lock_state(self.service.state()).locked()
    }

    /// Whether a vault exists.
    #[zbus(property)]
    async fn initialized(&self) -> bool {
        lock_state(self.service.state()).initialized()
    }

    /// Number of accounts (from the header while locked).
    #[zbus(property)]
    async fn account_count(&self) -> u32 {
        lock_state(self.service.state()).account_count()
    }

    /// Whether keyring unlock is enabled (the vault has a keyring slot).
    #[zbus(property)]
    async fn keyring_unlock(&self) -> bool {
        lock_state(self.service.state()).has_keyring_slot()
    }

    /// Unix time the vault was last locked (or the daemon started).
    #[zbus(property)]
    async fn locked_since(&self) -> u64 {
        lock_state(self.service.state()).locked_since()
    }

    /// Why the vault is locked: startup, manual, inactivity, screen-lock, suspend, session-idle.
    #[zbus(property)]
    async fn lock_reason(&self) -> String {
        lock_state(self.service.state())
            .lock_reason()
            .as_str()
            .to_string()
    }

    /// Wrong passphrases (from any caller, through any method that checks it) not yet cleared
    /// by a right one.
    #[zbus(property)]
    async fn unlock_failures(&self) -> u32 {
        self.passphrases.failures()
    }

    /// Unix time from which Latchkey's own clients may try the passphrase again (0: now).
    /// Other apps' wrong guesses do not move it; they learn their wait from `RateLimited`.
    #[zbus(property)]
    async fn unlock_retry_after(&self) -> u64 {
        self.passphrases.own_retry_after()
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
    /// Serves the state service and the catalog on the bus.
    pub fn new(
        service: Arc<Service>,
        catalog: Catalog,
        gate: Arc<Gate>,
        passphrases: Arc<PassphraseGate>,
    ) -> Self {
        Self {
            service,
            catalog,
            gate,
            passphrases,
            adds: AddQuota::default(),
        }
    }

    /// Counts the call as use for the inactivity timer if one of Latchkey's own clients made it;
    /// other apps' calls never keep the vault unlocked.
    async fn own_activity(&self, conn: &zbus::Connection, header: &Header<'_>) {
        if let Ok(caller) = self.gate.caller(conn, header).await
            && self.gate.is_own_client(&caller)
        {
            self.service.touch();
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

    /// Asks the consent gate whether the caller may have codes of account `id`.
    async fn check_code_access(
        &self,
        id: &str,
        header: &Header<'_>,
        conn: &zbus::Connection,
    ) -> Result<(), Error> {
        let label = format!("the code for {}", self.catalog.code_owner(id)?);
        self.gate.check(conn, header, id, &label).await
    }

    /// AddUri and AddAccount: Latchkey's own clients add freely; other apps add within the
    /// allowance of [`crate::access::adds`] (given back when the add fails), and the same account
    /// twice is refused as `AlreadyExists` whoever asks. An own client's add is use for the
    /// inactivity timer; another app's is not.
    async fn add_counted(
        &self,
        header: &Header<'_>,
        conn: &zbus::Connection,
        add: impl FnOnce(&mut VaultState) -> Result<String, StateError> + Send + 'static,
    ) -> Result<String, Error> {
        let caller = self.gate.caller(conn, header).await?;
        let counted = if self.gate.is_own_client(&caller) {
            None
        } else {
            // Callers that hide who they are share one allowance.
            let identity = identity_of(&caller).unwrap_or_else(|| "unidentified".to_string());
            let session = lock_state(self.service.state()).unlock_session();
            if let Err(limit) = self.adds.take(&identity, session) {
                let e = Error::AddLimitReached(limit.to_string());
                return Err(self.gate.refuse(&caller, "add-refused", e).await);
            }
            Some((identity, session))
        };
        let who =
            latchkey_dbus::display::claim(&caller.label(), latchkey_dbus::display::IDENTITY_MAX);
        let result = self.service.add(&who, add).await.map_err(Error::from);
        match (&result, &counted) {
            (Err(_), Some((identity, session))) => self.adds.give_back(identity, *session),
            (Ok(_), None) => self.service.touch(),
            _ => {}
        }
        match result {
            // An app adding the same account again and again is slowed like any refused one.
            Err(e @ Error::AlreadyExists(_)) => {
                Err(self.gate.refuse(&caller, "add-refused", e).await)
            }
            other => other,
        }
    }
}

/// A code as GetCode and GetNextCode return it: `(code, valid_from, valid_until)`, HOTP 0, 0.
fn code_reply(code: Code) -> (String, u64, u64) {
    let (from, until) = code.window.unwrap_or((0, 0));
    (code.code.to_string(), from, until)
}

/// An import's report as the bus returns it.
fn import_reply(imported: crate::state::Imported) -> ImportReply {
    let (r, notes) = (imported.report, imported.notes);
    let entry = |position: usize, issuer: String, account: String| ImportEntry {
        position: u32::try_from(position).unwrap_or(u32::MAX),
        issuer,
        account,
        ..ImportEntry::default()
    };
    let added = r
        .added
        .into_iter()
        .map(|a| ImportEntry {
            id: Some(a.id),
            ..entry(a.position, a.issuer, a.account)
        })
        .collect();
    let skipped = r
        .skipped
        .into_iter()
        .map(|s| ImportEntry {
            duplicate_of: Some(s.duplicate_of),
            ..entry(s.position, s.issuer, s.account)
        })
        .collect();
    let failed = r
        .failed
        .into_iter()
        .map(|f| ImportEntry {
            reason: Some(f.fault.to_string()),
            ..entry(f.position, f.issuer, f.account)
        })
        .collect();
    (added, skipped, failed, notes)
}
