//! Where Latchkey's files live, for this user (XDG base directories) and system-wide.
//!
//! The XDG rules match the daemon's (`daemon/src/paths.rs`), so the CLI looks where it writes.

use std::path::PathBuf;

/// File name of the systemd user unit.
pub const UNIT_NAME: &str = "latchkeyd.service";
/// File name of the D-Bus activation file (the bus name plus `.service`).
pub const ACTIVATION_NAME: &str = "org.latchkey.Latchkey1.service";
/// File name of the optional namespacing drop-in, inside `latchkeyd.service.d/`.
pub const SANDBOX_NAME: &str = "sandbox.conf";

/// The user's home directory (`$HOME`), where the XDG defaults live.
pub fn home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/"))
}

/// An absolute XDG variable, or `$HOME/fallback` (the spec says relative values are ignored).
fn xdg_dir(var: &str, fallback: &str) -> PathBuf {
    match std::env::var_os(var) {
        Some(v) if PathBuf::from(&v).is_absolute() => PathBuf::from(v),
        _ => home().join(fallback),
    }
}

/// `$XDG_DATA_HOME` (default `~/.local/share`).
pub fn data_home() -> PathBuf {
    xdg_dir("XDG_DATA_HOME", ".local/share")
}

/// `$XDG_CONFIG_HOME` (default `~/.config`).
pub fn config_home() -> PathBuf {
    xdg_dir("XDG_CONFIG_HOME", ".config")
}

/// Whether `$XDG_DATA_HOME` / `$XDG_CONFIG_HOME` differ from their defaults, as the unit must know.
pub fn xdg_overrides() -> Vec<(&'static str, PathBuf)> {
    let mut out = Vec::new();
    if data_home() != home().join(".local/share") {
        out.push(("XDG_DATA_HOME", data_home()));
    }
    if config_home() != home().join(".config") {
        out.push(("XDG_CONFIG_HOME", config_home()));
    }
    out
}

/// `$XDG_DATA_HOME/latchkey`: the vault and its backup.
pub fn data_dir() -> PathBuf {
    data_home().join("latchkey")
}

/// `$XDG_CONFIG_HOME/latchkey`: settings, never secrets.
pub fn config_dir() -> PathBuf {
    config_home().join("latchkey")
}

/// The vault the daemon uses by default (the CLI only ever stats it).
pub fn vault_file() -> PathBuf {
    data_dir().join("vault.latchkey")
}

/// The daemon's settings file.
pub fn config_file() -> PathBuf {
    config_dir().join("config.toml")
}

/// `$XDG_RUNTIME_DIR`, when set and absolute.
pub fn runtime_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
}

/// Where `service install` puts the unit: `$XDG_CONFIG_HOME/systemd/user`.
pub fn user_unit_dir() -> PathBuf {
    config_home().join("systemd/user")
}

/// Where `service install` puts the activation file: `$XDG_DATA_HOME/dbus-1/services`.
pub fn user_services_dir() -> PathBuf {
    data_home().join("dbus-1/services")
}

/// `$XDG_DATA_DIRS` (default `/usr/local/share:/usr/share`), where packages install data.
fn data_dirs() -> Vec<PathBuf> {
    let dirs: Vec<PathBuf> = std::env::var("XDG_DATA_DIRS")
        .unwrap_or_default()
        .split(':')
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .collect();
    if dirs.is_empty() {
        vec![
            PathBuf::from("/usr/local/share"),
            PathBuf::from("/usr/share"),
        ]
    } else {
        dirs
    }
}

/// Directories systemd's user manager loads units from, user's first (as `systemd.unit(5)` lists).
pub fn unit_search_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![
        user_unit_dir(),
        PathBuf::from("/etc/systemd/user"),
        data_home().join("systemd/user"),
    ];
    dirs.extend(data_dirs().into_iter().map(|d| d.join("systemd/user")));
    dirs.push(PathBuf::from("/usr/local/lib/systemd/user"));
    dirs.push(PathBuf::from("/usr/lib/systemd/user"));
    dedup(dirs)
}

/// Directories the session bus loads activation files from, user's first.
pub fn services_search_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![user_services_dir()];
    dirs.extend(data_dirs().into_iter().map(|d| d.join("dbus-1/services")));
    dedup(dirs)
}

fn dedup(dirs: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::with_capacity(dirs.len());
    for d in dirs {
        if !out.contains(&d) {
            out.push(d);
        }
    }
    out
}
