//! Small private files next to the vault (settings, attempt counter, consent decisions).

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Replaces `path` atomically with `bytes`: a 0600 temporary file in the same directory,
/// fsync, rename, fsync of the directory (so the rename itself survives a power cut). A reader
/// sees the old file or the new one, never a part.
pub fn write_private_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", uuid::Uuid::new_v4().simple()));
    let written = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    let written = written.and_then(|()| std::fs::File::open(dir).and_then(|d| d.sync_all()));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Why the folder that holds the vault cannot be trusted.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    #[error("cannot use {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{path} belongs to uid {owner}, not to you (uid {ours}): another user could replace the vault; fix the owner as root, or move the vault"
    )]
    Foreign {
        path: std::path::PathBuf,
        owner: u32,
        ours: u32,
    },
    #[error("{path} is not a directory")]
    NotFolder { path: std::path::PathBuf },
}

/// Makes sure `dir` (the vault's folder) exists, is ours and is private (0700). A folder that
/// others can read or write is repaired to 0700 and its old mode returned, so the caller can say
/// so; a folder that belongs to another user is refused.
pub fn secure_dir(dir: &Path) -> Result<Option<u32>, FolderError> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
    let io = |source| FolderError::Io {
        path: dir.to_path_buf(),
        source,
    };
    match std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
    {
        Ok(()) => {}
        Err(e) => return Err(io(e)),
    }
    let meta = std::fs::metadata(dir).map_err(io)?;
    if !meta.is_dir() {
        return Err(FolderError::NotFolder {
            path: dir.to_path_buf(),
        });
    }
    // SAFETY: geteuid has no preconditions.
    let ours = unsafe { libc::geteuid() };
    if meta.uid() != ours {
        return Err(FolderError::Foreign {
            path: dir.to_path_buf(),
            owner: meta.uid(),
            ours,
        });
    }
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 == 0 {
        return Ok(None);
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(io)?;
    Ok(Some(mode))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn an_open_folder_is_made_private_and_a_new_one_starts_private() {
        let root = tempfile::tempdir().expect("dir");
        let dir = root.path().join("latchkey");
        assert_eq!(secure_dir(&dir).expect("created"), None);
        let mode = |d: &Path| std::fs::metadata(d).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).expect("chmod");
        assert_eq!(secure_dir(&dir).expect("repaired"), Some(0o777));
        assert_eq!(mode(&dir), 0o700);
        std::fs::write(root.path().join("file"), b"").expect("file");
        assert!(matches!(
            secure_dir(&root.path().join("file")),
            Err(FolderError::Io { .. } | FolderError::NotFolder { .. })
        ));
    }
}
