//! Where Latchkey keeps its files, following the XDG base directory spec.

use std::path::PathBuf;

/// `$XDG_DATA_HOME/latchkey` (default `~/.local/share/latchkey`): the vault and its backups.
pub fn data_dir() -> PathBuf {
    xdg_dir("XDG_DATA_HOME", ".local/share").join("latchkey")
}

/// `$XDG_CONFIG_HOME/latchkey` (default `~/.config/latchkey`): settings, never secrets.
pub fn config_dir() -> PathBuf {
    xdg_dir("XDG_CONFIG_HOME", ".config").join("latchkey")
}

/// The vault file used when none is given on the command line.
pub fn default_vault() -> PathBuf {
    data_dir().join("vault.latchkey")
}

fn xdg_dir(var: &str, fallback: &str) -> PathBuf {
    match std::env::var_os(var) {
        // The spec says relative values are invalid and must be ignored.
        Some(v) if PathBuf::from(&v).is_absolute() => PathBuf::from(v),
        _ => home().join(fallback),
    }
}

fn home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/"))
}
