//! `org.latchkey.Latchkey1.Backup`: export, automatic backups and restore.
//!
//! File contents travel as bytes in both directions; the daemon never opens a path a caller
//! names (it writes backups only into the configured folder). Export and Restore are for
//! Latchkey's own clients only.

use super::{SharedState, blocking, lock_state};
use crate::backup::Backups;
use crate::events::{Events, Security};
use crate::notifications::Urgency;
use crate::state::restore::{self, Restored};
use latchkey_dbus::Error;
use latchkey_dbus::limits::{self, check};
use std::sync::Arc;
use zbus::message::Header;
use zeroize::Zeroizing;

/// Serves exports, backups and restores against the shared state.
pub struct BackupInterface {
    state: SharedState,
    gate: Arc<super::Gate>,
    backups: Arc<Backups>,
    /// Checks the passphrase for exports, like every other passphrase check.
    passphrases: Arc<super::PassphraseGate>,
    events: Events,
}

impl BackupInterface {
    /// Serves `state`; `backups` is the same object the state writes automatic backups with.
    pub fn new(
        state: SharedState,
        gate: Arc<super::Gate>,
        backups: Arc<Backups>,
        passphrases: Arc<super::PassphraseGate>,
        events: Events,
    ) -> Self {
        Self {
            state,
            gate,
            backups,
            passphrases,
            events,
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

#[zbus::interface(name = "org.latchkey.Latchkey1.Backup")]
impl BackupInterface {
    /// Every account in `format` (latchkey, aegis, uris, qr, qr-text) after checking the vault
    /// passphrase again; plaintext formats need `plaintext`.
    #[zbus(out_args("data"))]
    async fn export(
        &self,
        format: String,
        passphrase: String,
        plaintext: bool,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<Vec<u8>, Error> {
        let passphrase = Zeroizing::new(passphrase);
        check("the format", format.as_bytes(), limits::WORD)?;
        check("the passphrase", passphrase.as_bytes(), limits::PASSPHRASE)?;
        let caller = self
            .gate
            .require_own_client(conn, &header, "export the accounts")
            .await?;
        let who = self.passphrases.attempter(conn, &header).await;
        let done = super::export::run(
            &self.state,
            &self.passphrases,
            &who,
            &format,
            passphrase,
            plaintext,
        )
        .await?;
        let name = done.format.name();
        tracing::info!(event = "exported", format = name, plaintext, accounts = done.count, caller = %caller, "accounts exported");
        let message = format!(
            "{} account(s) exported as {name}{}",
            done.count,
            if plaintext { ", unencrypted" } else { "" }
        );
        self.events.security(
            noticed("exported", message)
                .with("format", name)
                .with("plaintext", plaintext)
                .with("caller", caller.as_str()),
        );
        let mut data = done.data;
        // The reply owns the bytes now; zbus cannot wipe its copy (docs/export.md).
        Ok(std::mem::take(&mut *data))
    }

    /// The backup folder and its backups `(file, unix time, size, written by this machine)`,
    /// oldest first.
    #[zbus(out_args("folder", "backups"))]
    async fn list_backups(&self) -> Result<(String, Vec<(String, u64, u64, bool)>), Error> {
        let (folder, list) = self
            .backups
            .list()
            .map_err(|e| Error::Storage(e.to_string()))?;
        let list = list
            .into_iter()
            .map(|b| (b.file, b.time, b.size, b.ours))
            .collect();
        Ok((folder.display().to_string(), list))
    }

    /// Writes a backup now (the vault must be unlocked); returns its file name.
    #[zbus(out_args("file"))]
    async fn backup_now(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<String, Error> {
        // Each backup prunes the oldest past BackupKeep: another app calling this in a loop
        // would wipe the backup history.
        self.gate
            .require_own_client(conn, &header, "write backups on demand")
            .await?;
        let state = self.state.clone();
        let backups = self.backups.clone();
        blocking(move || {
            lock_state(&state)
                .with_body(|session, body, count| backups.write(session, body, count))?
                .map_err(|e| Error::Storage(e.to_string()))
        })
        .await?
    }

    /// Restores a backup's bytes: becomes the vault when there is none (and unlocks it),
    /// otherwise merges its accounts into the unlocked vault (duplicates skipped, all or
    /// nothing). Returns `("created" | "merged", added, skipped)`.
    #[zbus(out_args("outcome", "added", "skipped"))]
    async fn restore(
        &self,
        data: Vec<u8>,
        passphrase: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<(String, u32, u32), Error> {
        let (data, passphrase) = (Zeroizing::new(data), Zeroizing::new(passphrase));
        check("the backup", &data, limits::FILE)?;
        check("the passphrase", passphrase.as_bytes(), limits::PASSPHRASE)?;
        let caller = self
            .gate
            .require_own_client_now(conn, &header, "restore a backup")
            .await?;
        let state = self.state.clone();
        let restored = blocking(move || {
            let checked = restore::check(data, passphrase.as_bytes())?;
            lock_state(&state).restore(checked, passphrase.as_bytes())
        })
        .await??;
        match restored {
            Restored::Created(count) => {
                tracing::info!(event = "restored", mode = "created", accounts = count, caller = %caller, "vault restored from a backup");
                let message = format!("Vault restored from a backup ({count} account(s))");
                self.events
                    .security(noticed("restored", message).with("outcome", "created"));
                self.events.unlocked("passphrase", &caller);
                Ok(("created".into(), count, 0))
            }
            Restored::Merged(report) => {
                if !report.failed.is_empty() {
                    return Err(Error::InvalidArgument(format!(
                        "{} account(s) of the backup cannot be added; nothing was restored",
                        report.failed.len()
                    )));
                }
                let ids: Vec<String> = report.added.iter().map(|a| a.id.clone()).collect();
                let (added, skipped) = (ids.len() as u32, report.skipped.len() as u32);
                tracing::info!(event = "restored", mode = "merged", added, skipped, caller = %caller, "backup merged into the vault");
                let message = format!("Backup merged: {added} account(s) added, {skipped} skipped");
                self.events
                    .security(noticed("restored", message).with("outcome", "merged"));
                if !ids.is_empty() {
                    self.events.added(ids);
                }
                Ok(("merged".into(), added, skipped))
            }
        }
    }

    /// The folder backups go to (the configured one, or the default).
    #[zbus(property(emits_changed_signal = "false"))]
    async fn folder(&self) -> String {
        match self.backups.folder() {
            Ok(f) => f.display().to_string(),
            Err(e) => e.to_string(),
        }
    }

    /// Unix time of the last backup written since the daemon started (0: none).
    #[zbus(property(emits_changed_signal = "false"))]
    async fn last_backup_time(&self) -> u64 {
        self.backups.status().last_time
    }

    /// File name of the last backup written.
    #[zbus(property(emits_changed_signal = "false"))]
    async fn last_backup_file(&self) -> String {
        self.backups.status().last_file
    }

    /// Why the last backup failed; empty when it succeeded.
    #[zbus(property(emits_changed_signal = "false"))]
    async fn last_backup_error(&self) -> String {
        self.backups.status().last_error
    }
}
