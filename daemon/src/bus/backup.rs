//! `org.latchkey.Latchkey1.Backup`: export, automatic backups and restore.
//!
//! File contents travel as bytes in both directions; the daemon never opens a path a caller
//! names (it writes backups only into the configured folder). Export and Restore are for
//! Latchkey's own clients only.

use super::passphrase::Action;
use super::{blocking, lock_state};
use crate::backup::Backups;
use crate::state::{Service, export};
use latchkey_dbus::Error;
use latchkey_dbus::limits::{self, check};
use std::sync::Arc;
use zbus::message::Header;
use zeroize::Zeroizing;

/// Serves exports, backups and restores against the state service.
pub struct BackupInterface {
    service: Arc<Service>,
    gate: Arc<super::Gate>,
    backups: Arc<Backups>,
    /// Checks the passphrase for exports, like every other passphrase check.
    passphrases: Arc<super::PassphraseGate>,
}

impl BackupInterface {
    /// Serves `service`; `backups` is the same object automatic backups are written with.
    pub fn new(
        service: Arc<Service>,
        gate: Arc<super::Gate>,
        backups: Arc<Backups>,
        passphrases: Arc<super::PassphraseGate>,
    ) -> Self {
        Self {
            service,
            gate,
            backups,
            passphrases,
        }
    }
}

impl BackupInterface {
    /// Checks the vault passphrase through the passphrase gate, like an unlock: same delay,
    /// same count, same report, so exports cannot be used to guess it faster.
    async fn check_passphrase(
        &self,
        conn: &zbus::Connection,
        header: &Header<'_>,
        passphrase: &Zeroizing<String>,
    ) -> Result<(), Error> {
        let who = self.passphrases.attempter(conn, header).await;
        let pass = passphrase.clone();
        self.passphrases
            .attempt(
                &who,
                Action::Export,
                |s| Ok(s.session()?.passphrase_check()?),
                move |check| Ok(check.verify(pass.as_bytes())?),
            )
            .await
    }
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
        let format = export::format(&format, plaintext)?;
        self.check_passphrase(conn, &header, &passphrase).await?;
        let done = self
            .service
            .export(format, plaintext, passphrase, &caller)
            .await?;
        let mut data = done.data;
        // The reply owns the bytes now; zbus cannot wipe its copy (docs/export.md).
        Ok(std::mem::take(&mut *data))
    }

    /// One account's `otpauth://` URI, to move it to a phone (the app shows it as a QR code),
    /// after checking the vault passphrase again, exactly as [`Self::export`] does.
    #[zbus(out_args("uri"))]
    async fn export_account(
        &self,
        id: String,
        passphrase: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<String, Error> {
        let passphrase = Zeroizing::new(passphrase);
        check("the account id", id.as_bytes(), limits::ID)?;
        check("the passphrase", passphrase.as_bytes(), limits::PASSPHRASE)?;
        let caller = self
            .gate
            .require_own_client(conn, &header, "show an account's secret")
            .await?;
        self.check_passphrase(conn, &header, &passphrase).await?;
        let mut uri = self.service.export_account(id, &caller).await?;
        // The reply owns the text now; zbus cannot wipe its copy (docs/export.md).
        Ok(std::mem::take(&mut *uri))
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
        let state = self.service.state().clone();
        let backups = self.backups.clone();
        blocking(move || {
            let copy = lock_state(&state).sealed()?;
            backups
                .write(&copy)
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
        let (outcome, added, skipped) = self.service.restore(data, passphrase, &caller).await?;
        Ok((outcome.into(), added, skipped))
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
