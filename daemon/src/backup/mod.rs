//! Automatic, encrypted, versioned backups into a folder the user chooses (a synced folder is
//! the "cloud backup"), and restoring them.
//!
//! A backup is a copy of the vault file holding only the passphrase slot
//! ([`crate::vault::Session::seal_copy`]): the file and the passphrase that was current when it
//! was written are all a fresh machine needs. Backups are written after every change of the
//! accounts or the passphrase, 0600 and atomically, never replacing a file; a burst of changes
//! leaves one backup ([`coalesce`]); the folder keeps `backup_keep` of this machine's backups,
//! the newest of each day first ([`retention`]), and pruning deletes nothing whose name
//! Latchkey did not make. A failing backup is logged and reported, never blocks the change.

mod coalesce;
mod names;
mod retention;

pub use names::{BackupName, this_host};

use crate::events::{Event, Sealed, Subscription};
use crate::settings::Settings;
use crate::vault::{VaultError, install_copy};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

pub use crate::settings::MAX_BACKUP_KEEP as MAX_KEEP;

/// Why a backup could not be written or listed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("the backup folder {0} is not an absolute path")]
    RelativeFolder(PathBuf),
    #[error("cannot use the backup folder {path}: {source}")]
    Folder {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write the backup: {0}")]
    Write(#[from] VaultError),
}

/// One backup as `ListBackups` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupEntry {
    /// File name inside the folder.
    pub file: String,
    /// When it was written (Unix seconds, from the name).
    pub time: u64,
    /// Size in bytes.
    pub size: u64,
    /// Whether this machine wrote it (only those are pruned here).
    pub ours: bool,
}

/// Outcome of the last automatic or manual backup, for the bus and diagnostics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BackupStatus {
    /// Unix time of the last backup written (0: none since the daemon started).
    pub last_time: u64,
    /// Its file name.
    pub last_file: String,
    /// Why the last attempt failed; empty after a success.
    pub last_error: String,
}

/// The subscriber that writes an automatic backup after each save of the vault, one at a
/// time and off the async workers, until the daemon stops. A backup never delays the change
/// it copies: the change was acknowledged when its own write was done.
pub async fn follow(backups: Arc<Backups>, mut events: Subscription) {
    while let Some(event) = events.next().await {
        let Event::Saved(copy) = event else { continue };
        let backups = backups.clone();
        if let Err(e) = tokio::task::spawn_blocking(move || backups.after_save(&copy)).await {
            tracing::error!(event = "backup-failed", "automatic backup failed: {e}");
        }
    }
}

/// Writes, lists and prunes backups in the folder the settings name.
pub struct Backups {
    settings: Arc<Settings>,
    host: String,
    status: Mutex<BackupStatus>,
    runs: Mutex<coalesce::Runs>,
}

impl Backups {
    /// Backups configured by `settings`, named after this machine.
    pub fn new(settings: Arc<Settings>) -> Arc<Self> {
        Arc::new(Self {
            settings,
            host: names::this_host(),
            status: Mutex::default(),
            runs: Mutex::default(),
        })
    }

    /// The folder in use: the configured one, or `$XDG_DATA_HOME/latchkey/backups`.
    pub fn folder(&self) -> Result<PathBuf, BackupError> {
        folder_from(&self.settings.current().backup_folder)
    }

    /// The last outcome.
    pub fn status(&self) -> BackupStatus {
        self.status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// After a change: writes a backup if automatic backups are on; it replaces the previous
    /// backup of the same burst ([`coalesce`]). Failures are logged and recorded, never
    /// returned: the change itself already happened.
    pub fn after_save(&self, copy: &Sealed) {
        if !self.settings.current().automatic_backups {
            return;
        }
        let (folder, file) = match self.record(self.install(copy), copy.accounts) {
            Ok(written) => written,
            Err(e) => {
                tracing::error!(event = "backup-failed", "automatic backup failed: {e}");
                return;
            }
        };
        let replaced = self
            .runs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .after_automatic(folder.join(&file), now_millis());
        if let Some(old) = replaced {
            match std::fs::remove_file(&old) {
                Ok(()) => {
                    tracing::debug!(event = "backup-replaced", file = %file, "a backup of the same burst of changes was replaced")
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    tracing::warn!("cannot remove the replaced backup {}: {e}", old.display())
                }
            }
        }
        self.prune(&folder);
    }

    /// Writes a backup now (on request); returns its file name. It is never replaced by a later
    /// automatic backup.
    pub fn write(&self, copy: &Sealed) -> Result<String, BackupError> {
        let (folder, file) = self.record(self.install(copy), copy.accounts)?;
        self.runs.lock().unwrap_or_else(|p| p.into_inner()).end();
        self.prune(&folder);
        Ok(file)
    }

    /// Records the outcome of a write in the status.
    fn record(
        &self,
        result: Result<(PathBuf, String), BackupError>,
        count: u32,
    ) -> Result<(PathBuf, String), BackupError> {
        let mut status = self.status.lock().unwrap_or_else(|p| p.into_inner());
        match &result {
            Ok((_, file)) => {
                *status = BackupStatus {
                    last_time: now_millis() / 1000,
                    last_file: file.clone(),
                    last_error: String::new(),
                };
                tracing::info!(event = "backup-written", file = %file, accounts = count, "backup written");
            }
            Err(e) => status.last_error = e.to_string(),
        }
        result
    }

    /// Writes a new backup file; returns the folder and the file's name.
    fn install(&self, copy: &Sealed) -> Result<(PathBuf, String), BackupError> {
        let folder = self.folder()?;
        ensure_folder(&folder)?;
        let bytes = copy.bytes.as_slice();
        let mut name = BackupName {
            millis: now_millis(),
            host: self.host.clone(),
        };
        // Two changes in one millisecond: take the next free millisecond, never overwrite.
        let file = loop {
            let file = name.file_name();
            match install_copy(&folder.join(&file), bytes) {
                Ok(()) => break file,
                Err(VaultError::AlreadyExists(_)) if name.millis % 1000 < 999 => name.millis += 1,
                Err(e) => return Err(e.into()),
            }
        };
        Ok((folder, file))
    }

    /// Deletes this machine's backups beyond `backup_keep` (keeping the newest of each day
    /// first, see [`retention`]), and temp files a crash mid-write left
    /// (`.<backup name>.tmp-<16 hex>`); never other files.
    fn prune(&self, folder: &Path) {
        self.remove_crash_leftovers(folder);
        let keep = self.settings.current().backup_keep.clamp(1, MAX_KEEP) as usize;
        let Ok(list) = list_in(folder) else { return };
        let ours: Vec<_> = list.iter().filter(|e| e.1.host == self.host).collect();
        let times: Vec<u64> = ours.iter().map(|e| e.1.millis).collect();
        for entry in retention::to_delete(&times, keep)
            .into_iter()
            .filter_map(|i| ours.get(i))
        {
            let path = folder.join(&entry.0);
            match std::fs::remove_file(&path) {
                Ok(()) => {
                    tracing::info!(event = "backup-pruned", file = %entry.0, "old backup removed")
                }
                Err(e) => tracing::warn!("cannot remove the old backup {}: {e}", path.display()),
            }
        }
    }

    fn remove_crash_leftovers(&self, folder: &Path) {
        let Ok(entries) = std::fs::read_dir(folder) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if names::is_temp_of(name, &self.host) && entry.file_type().is_ok_and(|t| t.is_file()) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    /// Every backup in the folder (any machine's), oldest first.
    pub fn list(&self) -> Result<(PathBuf, Vec<BackupEntry>), BackupError> {
        let folder = self.folder()?;
        let entries = list_in(&folder)
            .map_err(|source| BackupError::Folder {
                path: folder.clone(),
                source,
            })?
            .into_iter()
            .map(|(file, name, size)| BackupEntry {
                ours: name.host == self.host,
                time: name.millis / 1000,
                file,
                size,
            })
            .collect();
        Ok((folder, entries))
    }
}

/// A listed file: its name, the parsed name, its size.
type Listed = (String, BackupName, u64);

/// Regular files named like backups, oldest first; a missing folder is empty.
fn list_in(folder: &Path) -> std::io::Result<Vec<Listed>> {
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => return Err(e),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry?;
        let Some(name) = entry.file_name().to_str().and_then(BackupName::parse) else {
            continue;
        };
        let Ok(meta) = entry.metadata() else { continue };
        if meta.is_file() {
            out.push((
                entry.file_name().to_string_lossy().into_owned(),
                name,
                meta.len(),
            ));
        }
    }
    out.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
    Ok(out)
}

/// The folder a setting names: empty is the default; anything else must be absolute.
pub fn folder_from(setting: &str) -> Result<PathBuf, BackupError> {
    if setting.is_empty() {
        return Ok(crate::paths::data_dir().join("backups"));
    }
    let path = PathBuf::from(setting);
    if path.is_absolute() {
        Ok(path)
    } else {
        Err(BackupError::RelativeFolder(path))
    }
}

/// Creates the folder 0700 if it is missing; an existing folder keeps its mode (it may be a
/// synced folder the user set up), but must be a directory.
fn ensure_folder(folder: &Path) -> Result<(), BackupError> {
    let err = |source| BackupError::Folder {
        path: folder.to_path_buf(),
        source,
    };
    match std::fs::metadata(folder) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(err(std::io::Error::other("it is not a directory"))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(folder)
                .map_err(err)?;
            std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o700)).map_err(err)
        }
        Err(e) => Err(err(e)),
    }
}

fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
