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
