//! The sync folder's files: which names are replicas, conflict copies, join requests or
//! someone else's business, and reading them bounded.
//!
//! Each device writes only `Latchkey/<device id>.lkreplica` (and, while joining,
//! `<device id>.lkjoin`), so the sync engine never has two writers for one file. Syncthing's
//! partial files (`.syncthing.*.tmp`) and every other dot-file are ignored; a conflict copy
//! (`<id>.sync-conflict-<date>-<time>-<by>.lkreplica`) is read as one more replica, then removed.

use latchkey_core::sync::DeviceId;
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// The subfolder of the user's folder that Latchkey writes in.
pub const SUBFOLDER: &str = "Latchkey";
const REPLICA: &str = "lkreplica";
const JOIN: &str = "lkjoin";

/// What a file in the sync folder is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A device's replica.
    Replica(DeviceId),
    /// A conflict copy of a device's replica, made by the sync engine.
    Conflict(DeviceId),
    /// A join request.
    Join(DeviceId),
    /// Anything else (partial files, dot-files, other names): not ours to read.
    Other,
}

/// Classifies a file by its name.
pub fn kind(path: &Path) -> Kind {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return Kind::Other;
    };
    if name.starts_with('.') {
        return Kind::Other;
    }
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return Kind::Other;
    };
    match ext {
        REPLICA => {
            if let Some((id, _)) = stem.split_once(".sync-conflict-") {
                return DeviceId::from_hex(id).map_or(Kind::Other, Kind::Conflict);
            }
            DeviceId::from_hex(stem).map_or(Kind::Other, Kind::Replica)
        }
        JOIN => DeviceId::from_hex(stem).map_or(Kind::Other, Kind::Join),
        _ => Kind::Other,
    }
}

/// `FOLDER/Latchkey`.
pub fn dir(folder: &str) -> PathBuf {
    Path::new(folder).join(SUBFOLDER)
}

/// Where `device` writes its replica.
pub fn replica_path(folder: &str, device: &DeviceId) -> PathBuf {
    dir(folder).join(format!("{}.{REPLICA}", device.to_hex()))
}

/// Where `device` writes its join request.
pub fn join_path(folder: &str, device: &DeviceId) -> PathBuf {
    dir(folder).join(format!("{}.{JOIN}", device.to_hex()))
}

/// Reads a file of at most `max` bytes, not following a symlink.
pub fn read(path: &Path, max: usize) -> std::io::Result<Vec<u8>> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    if meta.len() > max as u64 {
        return Err(std::io::Error::other(format!(
            "{} bytes, more than {max}",
            meta.len()
        )));
    }
    let mut out = Vec::with_capacity(meta.len() as usize);
    file.take(max as u64 + 1).read_to_end(&mut out)?;
    if out.len() > max {
        return Err(std::io::Error::other(format!("more than {max} bytes")));
    }
    Ok(out)
}

/// Writes `bytes` to `path` atomically (0600 temp file, fsync, rename, fsync of the folder).
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    crate::files::write_private_atomic(path, bytes)
}

/// A file's identity for "already refused": size and modification time.
pub fn fingerprint(path: &Path) -> Option<(u64, std::time::SystemTime)> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_told_apart() {
        let id = "0123456789abcdef0123456789abcdef";
        let dev = DeviceId::from_hex(id).expect("id");
        assert_eq!(
            kind(Path::new(&format!("{id}.lkreplica"))),
            Kind::Replica(dev)
        );
        assert_eq!(
            kind(Path::new(&format!(
                "{id}.sync-conflict-20240102-030405-ABCDEFG.lkreplica"
            ))),
            Kind::Conflict(dev)
        );
        assert_eq!(kind(Path::new(&format!("{id}.lkjoin"))), Kind::Join(dev));
        for other in [
            format!(".syncthing.{id}.lkreplica.tmp"),
            format!(".{id}.lkreplica.tmp-0011"),
            "notes.txt".into(),
            "XYZ.lkreplica".into(),
        ] {
            assert_eq!(kind(Path::new(&other)), Kind::Other, "{other}");
        }
    }
}
