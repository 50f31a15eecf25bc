//! The local activity log: every approval and consent decision, for `latchkey activity`.
//!
//! JSON lines in `$XDG_DATA_HOME/latchkey/activity.jsonl` (0600). It holds titles, outcomes
//! and caller labels — never seeds or codes. When it passes 1 MiB the older half is dropped.

use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;

/// Largest size before the older half of the log is dropped.
const MAX_BYTES: u64 = 1024 * 1024;

/// Appends entries to the activity log.
#[derive(Debug, Clone)]
pub struct ActivityLog {
    path: PathBuf,
}

/// One line of the log.
#[derive(Debug, Serialize)]
pub struct Entry<'a> {
    pub time: u64,
    pub event: &'a str,
    pub outcome: &'a str,
    pub title: &'a str,
    pub caller: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub detail: &'a str,
}

impl ActivityLog {
    /// The log kept beside the vault.
    pub fn new(path: PathBuf) -> Self {
        Self { path }
    }

    /// Appends one entry; a write failure is logged, never fatal.
    pub fn append(&self, entry: &Entry<'_>) {
        if let Err(e) = self.try_append(entry) {
            tracing::error!("cannot write the activity log {}: {e}", self.path.display());
        }
    }

    fn try_append(&self, entry: &Entry<'_>) -> std::io::Result<()> {
        use std::os::unix::fs::OpenOptionsExt;
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        if std::fs::metadata(&self.path)
            .map(|m| m.len() > MAX_BYTES)
            .unwrap_or(false)
        {
            let text = std::fs::read_to_string(&self.path)?;
            let lines: Vec<&str> = text.lines().collect();
            let keep = lines[lines.len() / 2..].join("\n") + "\n";
            std::fs::write(&self.path, keep)?;
        }
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(&self.path)?;
        let mut line = serde_json::to_vec(entry).map_err(std::io::Error::other)?;
        line.push(b'\n');
        f.write_all(&line)
    }

    /// The last `limit` entries, oldest first, as JSON lines.
    pub fn tail(&self, limit: usize) -> Vec<String> {
        let text = std::fs::read_to_string(&self.path).unwrap_or_default();
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        lines[lines.len().saturating_sub(limit)..].to_vec()
    }
}
