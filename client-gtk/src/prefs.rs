//! Client-side preferences (hide codes, clipboard delay) in `$XDG_CONFIG_HOME/latchkey/gtk.toml`.
//!
//! A small TOML file rather than GSettings: GSettings needs a compiled schema installed where
//! GLib finds it, which tests and `cargo run` cannot do without root or extra environment. The
//! daemon's own settings (auto-lock, keyring) live in the daemon and go over D-Bus instead.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Why the preferences could not be saved.
#[derive(Debug, thiserror::Error)]
pub enum PrefsError {
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot encode the preferences: {0}")]
    Encode(#[from] toml::ser::Error),
}

/// What the GTK client remembers between runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// Codes stay concealed until revealed (the desktop analogue of hiding from screen captures).
    pub hide_codes: bool,
    /// Seconds after which a copied code is cleared from the clipboard (0 = never).
    pub clipboard_clear_seconds: u32,
}

impl Default for Prefs {
    fn default() -> Self {
        Self {
            hide_codes: true,
            clipboard_clear_seconds: 30,
        }
    }
}

/// Where the file lives: `$XDG_CONFIG_HOME/latchkey/gtk.toml` (or `~/.config/...`).
pub fn path() -> PathBuf {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("latchkey").join("gtk.toml")
}

impl Prefs {
    /// Reads the file; a missing or unreadable file gives the defaults (and a log line).
    pub fn load() -> Self {
        let path = path();
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).unwrap_or_else(|e| {
                tracing::warn!("{}: {e}; using default preferences", path.display());
                Self::default()
            }),
            Err(_) => Self::default(),
        }
    }

    /// Writes the file atomically (temporary file, rename), mode 0600.
    pub fn save(&self) -> Result<(), PrefsError> {
        let path = path();
        let text = toml::to_string(self)?;
        write_atomic(&path, text.as_bytes()).map_err(|source| PrefsError::Write {
            path: path.display().to_string(),
            source,
        })
    }
}

fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other("no parent directory"))?;
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(".gtk.toml.tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::Prefs;

    #[test]
    fn defaults_hide_codes_and_partial_files_keep_defaults() {
        assert!(Prefs::default().hide_codes);
        let p: Prefs = toml::from_str("clipboard_clear_seconds = 10\n").unwrap();
        assert!(p.hide_codes);
        assert_eq!(p.clipboard_clear_seconds, 10);
    }
}
