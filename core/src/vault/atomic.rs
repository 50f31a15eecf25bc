//! Crash-safe file replacement: at every instant the vault path holds one complete version.
//!
//! New content goes to a 0600 temp file in the same directory (created with O_EXCL), is fsynced,
//! then takes the vault's name by `link` (new vault: fails if anything is there) or `rename`
//! (existing vault: the old version is first hard-linked and renamed to `<file>.bak`). The
//! directory is fsynced last. A temp file is removed on every error path.

use super::VaultError;
use super::crypto;
use std::ffi::{OsStr, OsString};
use std::fs::{self, DirBuilder, File, OpenOptions, Permissions};
use std::io::{ErrorKind, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Vault and backup files are readable by their owner only.
const FILE_MODE: u32 = 0o600;
/// A directory we create for the vault is private to its owner.
const DIR_MODE: u32 = 0o700;

/// A temp file that is deleted when dropped, unless it was renamed or linked into place.
pub(crate) struct TempFile {
    path: PathBuf,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        // Best effort: after a successful rename the name is already gone.
        let _ = fs::remove_file(&self.path);
    }
}

/// The directory holding `path` ("." for a bare file name).
pub(crate) fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// A sibling of `path` named `.<file name><suffix>-<random hex>`, for temp files.
fn sibling_temp_name(path: &Path, suffix: &str) -> Result<PathBuf, VaultError> {
    let name = path.file_name().ok_or_else(|| {
        VaultError::io("use", path, std::io::Error::from(ErrorKind::InvalidInput))
    })?;
    let random: [u8; 8] = crypto::random_array().map_err(VaultError::Random)?;
    let mut temp = OsString::from(".");
    temp.push(name);
    temp.push(suffix);
    temp.push("-");
    temp.push(data_encoding::HEXLOWER.encode(&random));
    Ok(parent_dir(path).join(temp))
}

/// Deletes the temp files that writes interrupted by a crash left next to `path`: the names
/// [`sibling_temp_name`] makes (`.<name>.tmp-<hex>`, `.<name>.bak-tmp-<hex>`) and nothing else.
/// Returns how many went.
///
/// Each one is a whole older copy of the vault, so they are not left to pile up. Only call this
/// while nothing writes the vault, or that write fails (cleanly) when its temp file vanishes.
pub(crate) fn remove_leftovers(path: &Path) -> Result<usize, VaultError> {
    let name = path.file_name().ok_or_else(|| {
        VaultError::io("use", path, std::io::Error::from(ErrorKind::InvalidInput))
    })?;
    let dir = parent_dir(path);
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(VaultError::io("list", dir, e)),
    };
    let mut removed = 0;
    for entry in entries {
        let entry = entry.map_err(|e| VaultError::io("list", dir, e))?;
        if !is_temp_name(&entry.file_name(), name) || entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        match fs::remove_file(entry.path()) {
            Ok(()) => removed += 1,
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(VaultError::io("remove", entry.path(), e)),
        }
    }
    if removed > 0 {
        sync_dir(path)?;
    }
    Ok(removed)
}

/// Whether `entry` is a temp name [`sibling_temp_name`] makes for the file called `name`.
fn is_temp_name(entry: &OsStr, name: &OsStr) -> bool {
    let Some(rest) = entry
        .as_bytes()
        .strip_prefix(b".")
        .and_then(|r| r.strip_prefix(name.as_bytes()))
    else {
        return false;
    };
    let Some(hex) = rest
        .strip_prefix(b".tmp-")
        .or_else(|| rest.strip_prefix(b".bak-tmp-"))
    else {
        return false;
    };
    hex.len() == 16 && hex.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Creates the vault's directory (and missing parents) with mode 0700 if it does not exist.
pub(crate) fn ensure_parent_dir(path: &Path) -> Result<(), VaultError> {
    let dir = parent_dir(path);
    DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)
        .map_err(|e| VaultError::io("create directory", dir, e))
}

/// Writes `bytes` to a new 0600 temp file next to `path` and fsyncs it.
pub(crate) fn write_temp(path: &Path, bytes: &[u8]) -> Result<TempFile, VaultError> {
    let temp = TempFile {
        path: sibling_temp_name(path, ".tmp")?,
    };
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(FILE_MODE)
        .open(&temp.path)
        .map_err(|e| VaultError::io("create", &temp.path, e))?;
    // The umask can only remove bits, but be explicit in case the file system ignores the mode.
    file.set_permissions(Permissions::from_mode(FILE_MODE))
        .map_err(|e| VaultError::io("set permissions on", &temp.path, e))?;
    file.write_all(bytes)
        .map_err(|e| VaultError::io("write", &temp.path, e))?;
    file.sync_all()
        .map_err(|e| VaultError::io("flush", &temp.path, e))?;
    Ok(temp)
}

/// Gives a new vault its name without ever replacing anything: `link` fails if the name exists.
pub(crate) fn install_new(temp: TempFile, path: &Path) -> Result<(), VaultError> {
    match fs::hard_link(&temp.path, path) {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            return Err(VaultError::AlreadyExists(path.to_path_buf()));
        }
        Err(e) => return Err(VaultError::io("create", path, e)),
    }
    drop(temp);
    sync_dir(path)
}

/// Replaces the vault at `path` by `temp`, first keeping the current file as `backup`.
///
/// The caller then calls [`sync_dir`]: once the rename happened the new version is in place,
/// even if making it durable fails.
pub(crate) fn replace(temp: TempFile, path: &Path, backup: &Path) -> Result<(), VaultError> {
    let backup_temp = TempFile {
        path: sibling_temp_name(path, ".bak-tmp")?,
    };
    fs::hard_link(path, &backup_temp.path)
        .map_err(|e| VaultError::io("keep a backup of", path, e))?;
    // Same inode as the vault, which is about to be replaced: tightening it is harmless.
    fs::set_permissions(&backup_temp.path, Permissions::from_mode(FILE_MODE))
        .map_err(|e| VaultError::io("set permissions on", &backup_temp.path, e))?;
    fs::rename(&backup_temp.path, backup)
        .map_err(|e| VaultError::io("keep a backup at", backup, e))?;
    fs::rename(&temp.path, path).map_err(|e| VaultError::io("replace", path, e))?;
    Ok(())
}

/// Reads a whole file, but not more than `limit` + 1 bytes (enough to know it is too long).
pub(crate) fn read_limited(path: &Path, limit: usize) -> Result<Vec<u8>, VaultError> {
    let file = File::open(path).map_err(|e| match e.kind() {
        ErrorKind::NotFound => VaultError::NotFound(path.to_path_buf()),
        _ => VaultError::io("open", path, e),
    })?;
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| VaultError::io("read", path, e))?;
    Ok(bytes)
}

/// Makes the directory entry changes (link, rename) durable.
pub(crate) fn sync_dir(path: &Path) -> Result<(), VaultError> {
    let dir = parent_dir(path);
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| VaultError::io("flush directory", dir, e))
}
