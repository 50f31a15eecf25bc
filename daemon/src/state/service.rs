//! The state as a service: every change the bus asks for is done here, off the async workers
//! where it is slow (a KDF, an fsync), logged with who asked, and published on the event
//! channel. The bus decides who may ask and translates; it never publishes a change itself.
//!
//! `who` is the caller as the bus identified it, for the journal only.

use super::export::{self, Exported};
use super::keyring::{self, KeyringUnlockError};
use super::restore::{self, RestoreError, Restored};
use super::{ImportReport, SharedState, StateError, VaultState, blocking, lock_state};
use crate::events::LockReason;
use crate::events::{Event, Events, Security, Urgency};
use crate::import::{Format, inspect, parse};
use crate::otp::{Code, Kind};
use crate::vault::Session;
use std::sync::Arc;
use zeroize::Zeroizing;

/// The vault state and the channel its changes are published on.
pub struct Service {
    state: SharedState,
    events: Events,
    /// Whether anyone wants a sealed copy after each save (automatic backups are on): a copy
    /// is an encryption of the whole vault, not made for nothing on every change and code.
    copies: Box<dyn Fn() -> bool + Send + Sync>,
}

/// What an import did, and what the format wants the user to know.
pub struct Imported {
    pub report: ImportReport,
    pub notes: Vec<String>,
}

impl Service {
    /// The service over `state`, publishing on `events`.
    pub fn new(
        state: SharedState,
        events: Events,
        copies: impl Fn() -> bool + Send + Sync + 'static,
    ) -> Arc<Self> {
        Arc::new(Self {
            state,
            events,
            copies: Box::new(copies),
        })
    }

    /// The shared state, for reading (properties, checks before work).
    pub fn state(&self) -> &SharedState {
        &self.state
    }

    /// The channel changes are published on.
    pub fn events(&self) -> &Events {
        &self.events
    }

    /// Runs `f` on the state on tokio's blocking pool (for the KDF and fsync).
    pub async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut VaultState) -> Result<T, StateError> + Send + 'static,
    ) -> Result<T, StateError> {
        let state = self.state.clone();
        blocking(move || f(&mut lock_state(&state))).await?
    }

    /// Runs a change `f` like [`Self::blocking`] and publishes the vault as it wrote it
    /// ([`Event::Saved`]), sealed under the same hold of the state as the write, then
    /// [`Event::Stored`].
    pub(super) async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut VaultState) -> Result<T, StateError> + Send + 'static,
    ) -> Result<T, StateError> {
        let wanted = (self.copies)();
        let (value, sealed) = self
            .blocking(move |s| {
                let value = f(s)?;
                Ok((value, wanted.then(|| s.sealed())))
            })
            .await?;
        self.saved(sealed);
        self.events.publish(Event::Stored);
        Ok(value)
    }

    /// Whether a sealed copy is wanted after each write (automatic backups are on).
    pub(super) fn wants_copies(&self) -> bool {
        (self.copies)()
    }

    /// Publishes a sealed copy of the vault just written; a copy that could not be made is
    /// logged (the change itself happened; only its automatic backup is missing).
    pub(super) fn saved(&self, sealed: Option<Result<crate::events::Sealed, StateError>>) {
        match sealed {
            None => {}
            Some(Ok(copy)) => self.events.publish(Event::Saved(copy)),
            Some(Err(e)) => tracing::error!(
                event = "backup-failed",
                "no copy of the change for a backup: {e}"
            ),
        }
    }

    /// Counts as use for the inactivity timer.
    pub fn touch(&self) {
        lock_state(&self.state).touch();
    }

    /// Creates the vault under `passphrase` and leaves it unlocked.
    pub async fn create(&self, passphrase: Zeroizing<String>, who: &str) -> Result<(), StateError> {
        if passphrase.is_empty() {
            return Err(StateError::InvalidArgument(
                "the passphrase must not be empty".into(),
            ));
        }
        self.blocking(move |s| s.create(passphrase.as_bytes()))
            .await?;
        tracing::info!(event = "vault-created", caller = %who, "vault created");
        self.events.publish(Event::Created);
        Ok(())
    }

    /// Finishes an unlock whose passphrase the passphrase gate checked (another unlock may have
    /// won the race: then the vault stays as that one left it).
    pub fn unlocked(&self, session: Session, body: &[u8], who: &str) -> Result<(), StateError> {
        {
            let mut s = lock_state(&self.state);
            if s.locked() {
                s.finish_unlock(session, body)?;
            }
        }
        self.events.unlocked("passphrase", who);
        self.events.publish(Event::Attempts);
        Ok(())
    }

    /// Publishes a passphrase change that the passphrase gate installed.
    pub fn passphrase_changed(&self, who: &str) {
        tracing::info!(event = "passphrase-changed", caller = %who, "passphrase changed");
        self.events.publish(Event::Attempts);
        // Backups made from now on open with the new passphrase only.
        if (self.copies)() {
            let sealed = lock_state(&self.state).sealed();
            self.saved(Some(sealed));
        }
    }

    /// Unlocks with the key kept in the login keyring.
    /// A failure is the caller's to log: another app trying again and again must not fill the
    /// journal.
    pub async fn unlock_with_keyring(&self, who: &str) -> Result<(), KeyringUnlockError> {
        keyring::unlock(&self.state).await?;
        self.events.unlocked("keyring", who);
        Ok(())
    }

    /// Turns keyring unlock on or off.
    pub async fn set_keyring(&self, enabled: bool, who: &str) -> Result<(), KeyringUnlockError> {
        if enabled {
            keyring::enable(&self.state).await?;
            tracing::info!(event = "keyring-enabled", caller = %who, "keyring unlock enabled");
        } else {
            keyring::disable(&self.state).await?;
            tracing::info!(event = "keyring-disabled", caller = %who, "keyring unlock disabled");
        }
        self.events.publish(Event::Keyring { enabled });
        Ok(())
    }

    /// Locks the vault for `reason` (nothing happens if it was locked already).
    pub fn lock(&self, reason: LockReason, who: &str) {
        lock(&self.events, &self.state, reason, who);
    }

    /// The current code of account `id`; an HOTP code writes its counter off the async workers.
    pub async fn code(&self, id: &str) -> Result<Code, StateError> {
        let is_hotp = {
            let s = lock_state(&self.state);
            matches!(s.account(id)?.params.kind, Kind::Hotp { .. })
        };
        if is_hotp {
            let id = id.to_string();
            self.write(move |s| s.code(&id)).await
        } else {
            lock_state(&self.state).code(id)
        }
    }

    /// The following window's code (time codes only).
    pub fn next_code(&self, id: &str) -> Result<Code, StateError> {
        lock_state(&self.state).next_code(id)
    }

    /// Runs `add` off the async workers and publishes the account it added.
    pub async fn add(
        &self,
        who: &str,
        add: impl FnOnce(&mut VaultState) -> Result<String, StateError> + Send + 'static,
    ) -> Result<String, StateError> {
        let id = self.write(add).await?;
        self.added(&id, who);
        Ok(id)
    }

    /// Logs and publishes an account (or push token) that `who` added.
    pub fn added(&self, id: &str, who: &str) {
        tracing::info!(event = "account-added", account_id = %id, caller = %who, "account added");
        self.events.added(vec![id.to_string()]);
    }

    /// Applies `edit` to account `id`.
    pub async fn update(
        &self,
        id: String,
        edit: super::AccountEdit,
        who: &str,
    ) -> Result<(), StateError> {
        let target = id.clone();
        self.write(move |s| s.update(&target, edit)).await?;
        self.updated(id, who);
        Ok(())
    }

    /// Adds `site` to account `id`'s sites: a guessed site the user confirmed by allowing a fill.
    pub async fn add_site(&self, id: String, site: String, who: &str) -> Result<(), StateError> {
        let target = id.clone();
        self.write(move |s| s.add_site(&target, &site)).await?;
        self.updated(id, who);
        Ok(())
    }

    /// Logs and publishes that account `id` was edited.
    fn updated(&self, id: String, who: &str) {
        tracing::info!(event = "account-updated", account_id = %id, caller = %who, "account updated");
        self.events.publish(Event::AccountsChanged {
            added: vec![],
            removed: vec![],
            updated: vec![id],
        });
    }

    /// Removes account `id`.
    pub async fn remove(&self, id: String, who: &str) -> Result<(), StateError> {
        let target = id.clone();
        self.write(move |s| s.remove(&target)).await?;
        tracing::info!(event = "account-removed", account_id = %id, caller = %who, "account removed");
        self.removed(id);
        Ok(())
    }

    /// Publishes that account or push token `id` is gone.
    pub fn removed(&self, id: String) {
        self.events.publish(Event::AccountsChanged {
            added: vec![],
            removed: vec![id],
            updated: vec![],
        });
    }

    /// Parses another app's export off the async workers (its KDF may be scrypt) and imports
    /// it in one write, or only reports what it would do (`dry_run`).
    pub async fn import(
        &self,
        data: Zeroizing<Vec<u8>>,
        format: &str,
        passphrase: Zeroizing<String>,
        dry_run: bool,
        who: &str,
    ) -> Result<Imported, StateError> {
        let format = Format::from_name(format)?;
        if lock_state(&self.state).locked() {
            return Err(StateError::Locked);
        }
        let parsed = blocking(move || {
            let pass = (!passphrase.is_empty()).then_some(passphrase.as_bytes());
            parse(&data, format, pass)
        })
        .await??;
        let (format, notes) = (parsed.format.name(), parsed.notes);
        let wanted = (self.copies)();
        let (report, sealed) = self
            .blocking(move |s| {
                let report = s.import(parsed.entries, dry_run)?;
                // Written only when something was added.
                let wrote = !dry_run && !report.added.is_empty();
                Ok((report, (wrote && wanted).then(|| s.sealed())))
            })
            .await?;
        self.saved(sealed);
        tracing::info!(
            event = "import",
            format,
            dry_run,
            added = report.added.len(),
            skipped = report.skipped.len(),
            failed = report.failed.len(),
            "import: {} added, {} skipped, {} failed",
            report.added.len(),
            report.skipped.len(),
            report.failed.len()
        );
        let ids: Vec<String> = report
            .added
            .iter()
            .filter(|a| !a.id.is_empty())
            .map(|a| a.id.clone())
            .collect();
        if !ids.is_empty() {
            let count = u32::try_from(ids.len()).unwrap_or(u32::MAX);
            tracing::info!(event = "accounts-imported", count, format, caller = %who, "accounts imported");
            self.events.added(ids);
            let message = format!("{count} account(s) imported ({format})");
            self.events.security(
                Security::new("imported", message)
                    .with("format", format)
                    .with("count", count),
            );
        }
        Ok(Imported { report, notes })
    }

    /// Which app's export `data` is and whether it needs a passphrase (no key derivation runs;
    /// the vault is not needed).
    pub async fn inspect(
        &self,
        data: Zeroizing<Vec<u8>>,
        format: &str,
    ) -> Result<crate::import::Inspection, StateError> {
        let format = Format::from_name(format)?;
        Ok(blocking(move || inspect(&data, format)).await??)
    }

    /// Every account in `format` (its name checked with [`export::format`] before the
    /// passphrase was), announced to every client and on the desktop.
    pub async fn export(
        &self,
        format: crate::export::Format,
        plaintext: bool,
        passphrase: Zeroizing<String>,
        who: &str,
    ) -> Result<Exported, StateError> {
        let state = self.state.clone();
        let done =
            blocking(move || export::render_all(&state, format, plaintext, passphrase.as_bytes()))
                .await??;
        let name = done.format.name();
        tracing::info!(event = "exported", format = name, plaintext, accounts = done.count, caller = %who, "accounts exported");
        let message = format!(
            "{} account(s) exported as {name}{}",
            done.count,
            if plaintext { ", unencrypted" } else { "" }
        );
        self.events.security(
            noticed("exported", message)
                .with("format", name)
                .with("plaintext", plaintext)
                .with("caller", who),
        );
        Ok(done)
    }

    /// One account's `otpauth://` URI, for moving it to another device (the passphrase was
    /// checked before); published as an `exported` security event, like a whole export.
    pub async fn export_account(
        &self,
        id: String,
        who: &str,
    ) -> Result<Zeroizing<String>, StateError> {
        let (uri, label) = {
            let s = lock_state(&self.state);
            s.touch();
            let a = s.account(&id)?;
            (
                crate::otp::to_uri(&a.issuer, &a.account, &a.params),
                a.label(),
            )
        };
        tracing::info!(event = "exported", format = "uri", plaintext = true, accounts = 1, account_id = %id, caller = %who, "one account's secret shown");
        self.events.security(
            noticed("exported", format!("The secret of {label} was shown"))
                .with("format", "uri")
                .with("plaintext", true)
                .with("account_id", id.as_str())
                .with("caller", who),
        );
        Ok(uri)
    }

    /// Restores a backup's bytes: it becomes the vault when there is none (and is unlocked),
    /// otherwise its accounts are merged into the unlocked vault. Returns the outcome's name
    /// (`created` or `merged`), the accounts added and the ones skipped.
    pub async fn restore(
        &self,
        data: Zeroizing<Vec<u8>>,
        passphrase: Zeroizing<String>,
        who: &str,
    ) -> Result<(&'static str, u32, u32), RestoreError> {
        let state = self.state.clone();
        let wanted = (self.copies)();
        let (restored, sealed) = blocking(move || {
            let checked = restore::check(data, passphrase.as_bytes())?;
            let mut s = lock_state(&state);
            let restored = s.restore(checked, passphrase.as_bytes())?;
            // A merge writes only when it adds something.
            let wrote = matches!(&restored, Restored::Merged(r) if !r.added.is_empty());
            Ok::<_, RestoreError>((restored, (wrote && wanted).then(|| s.sealed())))
        })
        .await??;
        match restored {
            Restored::Created(count) => {
                tracing::info!(event = "restored", mode = "created", accounts = count, caller = %who, "vault restored from a backup");
                let message = format!("Vault restored from a backup ({count} account(s))");
                self.events
                    .security(noticed("restored", message).with("outcome", "created"));
                self.events.unlocked("passphrase", who);
                Ok(("created", count, 0))
            }
            Restored::Merged(report) => {
                if !report.failed.is_empty() {
                    return Err(RestoreError::Unaddable(report.failed.len()));
                }
                self.saved(sealed);
                let ids: Vec<String> = report.added.iter().map(|a| a.id.clone()).collect();
                let (added, skipped) = (ids.len() as u32, report.skipped.len() as u32);
                tracing::info!(event = "restored", mode = "merged", added, skipped, caller = %who, "backup merged into the vault");
                let message = format!("Backup merged: {added} account(s) added, {skipped} skipped");
                self.events
                    .security(noticed("restored", message).with("outcome", "merged"));
                if !ids.is_empty() {
                    self.events.added(ids);
                }
                Ok(("merged", added, skipped))
            }
        }
    }
}

/// A security event that also shows as a desktop notification: an export or restore nobody
/// asked for must not go unnoticed.
fn noticed(kind: &'static str, message: String) -> Security {
    Security::new(kind, message.clone()).notify(
        format!("Latchkey: {kind}"),
        message,
        Urgency::Normal,
    )
}

/// Locks the vault in `state` for `reason` and publishes it (every client hears of it).
pub fn lock(events: &Events, state: &SharedState, reason: LockReason, who: &str) {
    if !lock_state(state).lock(reason) {
        return;
    }
    tracing::info!(
        event = "locked",
        reason = reason.as_str(),
        caller = who,
        "vault locked"
    );
    events.publish(Event::Locked { reason });
}
