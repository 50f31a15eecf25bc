//! Moving accounts in and out: imports (previewed first), exports, one account's secret,
//! backups and restores, and the files the app reads and writes for them.
//!
//! The daemon never opens a path a client names: the app reads the file the user picked and
//! sends its bytes, and writes what the daemon returns into the file the user chose, private
//! (0600) and whole (a temporary file renamed over it).

use super::bridge;
use latchkey_dbus::{BackupProxy, Error, ImportEntry, VaultProxy};
use std::io::{Read, Write};
use std::path::Path;
use zbus::proxy::CacheProperties;
use zeroize::Zeroizing;

async fn vault(conn: &zbus::Connection) -> Result<VaultProxy<'static>, Error> {
    Ok(VaultProxy::builder(conn)
        .cache_properties(CacheProperties::No)
        .build()
        .await?)
}

async fn backup(conn: &zbus::Connection) -> Result<BackupProxy<'static>, Error> {
    Ok(BackupProxy::builder(conn)
        .cache_properties(CacheProperties::No)
        .build()
        .await?)
}

/// Largest file the app sends, as the daemon accepts it (10 MiB).
const MAX_FILE: u64 = 10 * 1024 * 1024;

/// Reads a file to send to the daemon (an export, a QR code image, a backup), refusing one
/// larger than the daemon accepts before reading it all. The error is a sentence for the user.
pub fn read_file(path: &Path) -> Result<Zeroizing<Vec<u8>>, String> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let file = std::fs::File::open(path).map_err(|e| {
        crate::i18n::fill(
            &crate::i18n::gettext("Cannot open {file}: {reason}"),
            &[("file", &name), ("reason", &e.to_string())],
        )
    })?;
    let too_large = || {
        crate::i18n::fill(
            &crate::i18n::gettext("{file} is larger than 10 MiB"),
            &[("file", &name)],
        )
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len > MAX_FILE {
        return Err(too_large());
    }
    // Sized up front so growing the buffer leaves no copies of what it holds behind.
    let mut data = Zeroizing::new(Vec::with_capacity(usize::try_from(len).unwrap_or(0) + 1));
    file.take(MAX_FILE + 1)
        .read_to_end(&mut data)
        .map_err(|e| {
            crate::i18n::fill(
                &crate::i18n::gettext("Cannot read {file}: {reason}"),
                &[("file", &name), ("reason", &e.to_string())],
            )
        })?;
    if data.len() as u64 > MAX_FILE {
        return Err(too_large());
    }
    Ok(data)
}

/// Writes `data` to `path` readable by the user alone, whole or not at all: a temporary file
/// beside it (0600), flushed to disk, then renamed over it.
pub fn write_private_file(path: &Path, data: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// What an import adds, skips as already there, and refuses, and what the format could not
/// carry over. A preview (dry run) adds nothing; if anything is refused, nothing is added.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub added: Vec<ImportEntry>,
    pub skipped: Vec<ImportEntry>,
    pub failed: Vec<ImportEntry>,
    pub notes: Vec<String>,
}

/// Imports `data` as `format` (`auto` detects it) with the export's `passphrase` ("" when it is
/// not encrypted); `dry_run` only reports what would happen.
pub async fn import(
    data: Zeroizing<Vec<u8>>,
    format: &'static str,
    passphrase: Zeroizing<String>,
    dry_run: bool,
) -> Result<Report, Error> {
    bridge()
        .call(move |c| async move {
            let (added, skipped, failed, notes) = vault(&c)
                .await?
                .import(&data, format, &passphrase, dry_run)
                .await?;
            Ok(Report {
                added,
                skipped,
                failed,
                notes,
            })
        })
        .await
}

/// What an export is, without decrypting it: its format, the app that wrote it, and whether it
/// needs a passphrase. Errors name what the file looks like when it is no known format.
pub async fn inspect(data: Zeroizing<Vec<u8>>) -> Result<latchkey_dbus::ImportInspection, Error> {
    bridge()
        .call(move |c| async move { Ok(vault(&c).await?.inspect_import(&data, "auto").await?) })
        .await
}

/// Imports at once what holds no passphrase (a QR code image, pasted links), for the Add
/// dialog: the number of accounts added. An import that adds nothing because everything is
/// already there, or that has an entry the daemon refused, is an error that says so.
pub async fn import_now(data: Zeroizing<Vec<u8>>, format: &'static str) -> Result<usize, Error> {
    use crate::i18n::{fill, gettext, ngettext};
    let report = import(data, format, Zeroizing::new(String::new()), false).await?;
    if let Some(f) = report.failed.first() {
        let reason = f
            .reason
            .clone()
            .unwrap_or_else(|| gettext("it cannot be read"));
        let what = match f.label() {
            l if l.is_empty() => fill(&gettext("Entry {n}"), &[("n", &f.position.to_string())]),
            l => l,
        };
        return Err(Error::InvalidArgument(fill(
            &gettext("{entry}: {reason}; nothing was added"),
            &[("entry", &what), ("reason", &reason)],
        )));
    }
    if report.added.is_empty() && !report.skipped.is_empty() {
        let n = report.skipped.len();
        return Err(Error::AlreadyExists(fill(
            &ngettext(
                "This account is already in Latchkey",
                "These {n} accounts are already in Latchkey",
                n as u32,
            ),
            &[("n", &n.to_string())],
        )));
    }
    Ok(report.added.len())
}

/// Every account in `format` (`latchkey`, `aegis`, `uris`, `qr`), after the vault passphrase.
pub async fn export(
    format: &'static str,
    passphrase: Zeroizing<String>,
    plaintext: bool,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    bridge()
        .call(move |c| async move {
            let data = backup(&c)
                .await?
                .export(format, &passphrase, plaintext)
                .await?;
            Ok(Zeroizing::new(data))
        })
        .await
}

/// One account's `otpauth://` URI, after the vault passphrase.
pub async fn export_account(
    id: String,
    passphrase: Zeroizing<String>,
) -> Result<Zeroizing<String>, Error> {
    bridge()
        .call(move |c| async move {
            let uri = backup(&c).await?.export_account(&id, &passphrase).await?;
            Ok(Zeroizing::new(uri))
        })
        .await
}

/// One backup in the folder: file name, unix time, size in bytes, written by this machine.
#[derive(Debug, Clone)]
pub struct BackupFile {
    pub file: String,
    pub time: u64,
    pub size: u64,
    pub ours: bool,
}

/// The backup folder and the backups in it, newest first.
pub async fn backups() -> Result<(String, Vec<BackupFile>), Error> {
    bridge()
        .call(|c| async move {
            let (folder, list) = backup(&c).await?.list_backups().await?;
            let mut list: Vec<BackupFile> = list
                .into_iter()
                .map(|(file, time, size, ours)| BackupFile {
                    file,
                    time,
                    size,
                    ours,
                })
                .collect();
            list.reverse();
            Ok((folder, list))
        })
        .await
}

/// Writes a backup now; its file name.
pub async fn backup_now() -> Result<String, Error> {
    bridge()
        .call(|c| async move { Ok(backup(&c).await?.backup_now().await?) })
        .await
}

/// What a restore did: `created` the vault (there was none) or `merged` into it.
#[derive(Debug, Clone)]
pub struct Restored {
    pub created: bool,
    pub added: u32,
    pub skipped: u32,
}

/// Restores a backup's bytes, opened with the passphrase the vault had when it was made.
pub async fn restore(
    data: Zeroizing<Vec<u8>>,
    passphrase: Zeroizing<String>,
) -> Result<Restored, Error> {
    bridge()
        .call(move |c| async move {
            let (outcome, added, skipped) = backup(&c).await?.restore(&data, &passphrase).await?;
            Ok(Restored {
                created: outcome == "created",
                added,
                skipped,
            })
        })
        .await
}

/// Changes the vault passphrase.
pub async fn change_passphrase(
    old: Zeroizing<String>,
    new: Zeroizing<String>,
) -> Result<(), Error> {
    bridge()
        .call(move |c| async move { Ok(vault(&c).await?.change_passphrase(&old, &new).await?) })
        .await
}
