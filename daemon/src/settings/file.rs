//! The settings file, `$XDG_CONFIG_HOME/latchkey/config.toml`: every setting's value, loaded,
//! checked and saved. Never holds secrets.
//!
//! A missing file means defaults; a malformed one is reported with its line and the daemon keeps
//! the settings it had, so a typo never takes the service down. Settings changed over D-Bus are
//! written back atomically.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The settings that decide when the vault locks by itself (all in config.toml).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Triggers {
    /// Seconds without a code request or other activity of Latchkey's own clients before
    /// locking; 0 = never.
    pub auto_lock_timeout: u32,
    /// Lock when the screen locks (logind `Lock`/`LockedHint`, ScreenSaver `ActiveChanged`).
    pub lock_on_screen_lock: bool,
    /// Lock before the machine suspends (logind `PrepareForSleep`).
    pub lock_on_suspend: bool,
    /// Lock when logind says the session is idle (`IdleHint`).
    pub lock_on_session_idle: bool,
}

impl Default for Triggers {
    fn default() -> Self {
        Self {
            auto_lock_timeout: 300,
            lock_on_screen_lock: true,
            lock_on_suspend: true,
            lock_on_session_idle: true,
        }
    }
}

/// Most backups kept, whatever the setting says.
pub const MAX_BACKUP_KEEP: u32 = 10_000;

/// Seconds between polls of a privacyIDEA server, unless the user chose otherwise.
pub const DEFAULT_PUSH_POLL_INTERVAL: u32 = 5;

/// Daemon settings; every field has a default so an empty file is valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Values {
    /// Log filter in `RUST_LOG` syntax (e.g. `info`, `latchkeyd=debug`); `RUST_LOG` wins if set.
    pub log_level: String,
    /// Seconds without activity before the vault locks; 0 = never.
    pub auto_lock_timeout: u32,
    /// Lock when the screen locks.
    pub lock_on_screen_lock: bool,
    /// Lock before suspend.
    pub lock_on_suspend: bool,
    /// Lock when the session goes idle.
    pub lock_on_session_idle: bool,
    /// Approving a sign-in request needs an unlocked vault (like an app lock).
    pub approval_requires_unlock: bool,
    /// Apps other than Latchkey's own clients must be allowed before they get codes.
    pub require_app_consent: bool,
    /// Write an encrypted backup after every change of the accounts or the passphrase.
    pub automatic_backups: bool,
    /// Absolute folder for backups; empty = `$XDG_DATA_HOME/latchkey/backups`.
    pub backup_folder: String,
    /// How many of this machine's backups the folder keeps (1 to 10000).
    pub backup_keep: u32,
    /// Seconds between polls of privacyIDEA for push challenges (only while push tokens exist).
    pub push_poll_interval: u32,
}

impl Default for Values {
    fn default() -> Self {
        let lock = Triggers::default();
        Self {
            log_level: "info".into(),
            auto_lock_timeout: lock.auto_lock_timeout,
            lock_on_screen_lock: lock.lock_on_screen_lock,
            lock_on_suspend: lock.lock_on_suspend,
            lock_on_session_idle: lock.lock_on_session_idle,
            approval_requires_unlock: true,
            require_app_consent: true,
            automatic_backups: true,
            backup_folder: String::new(),
            backup_keep: 10,
            push_poll_interval: DEFAULT_PUSH_POLL_INTERVAL,
        }
    }
}

/// Longest auto-lock timeout accepted, in seconds (one week).
pub const MAX_AUTO_LOCK: u32 = 7 * 86_400;
/// Longest interval between polls of a push server, in seconds.
pub const MAX_PUSH_POLL: u32 = 3_600;

/// A setting outside what Latchkey accepts.
#[derive(Debug, thiserror::Error)]
#[error("{setting} must be {allowed}")]
pub struct OutOfRange {
    /// The setting's name in config.toml.
    pub setting: &'static str,
    /// What is accepted, for a person.
    pub allowed: &'static str,
}

/// Why the configuration file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{path} is not valid: {source}")]
    OutOfRange {
        path: PathBuf,
        #[source]
        source: OutOfRange,
    },
    /// A change that would put a setting out of range; nothing was written.
    #[error(transparent)]
    Refused(#[from] OutOfRange),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The configuration file used when none is given.
pub fn default_path() -> PathBuf {
    crate::paths::config_dir().join("config.toml")
}

impl Values {
    /// Loads `path`; a missing file gives the defaults.
    pub fn load(path: &Path) -> Result<Self, SettingsError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(source) => {
                return Err(SettingsError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        let config: Self = toml::from_str(&text).map_err(|e| SettingsError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        config
            .validate()
            .map_err(|source| SettingsError::OutOfRange {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(config)
    }

    /// Checks every setting against what Latchkey accepts: the one place ranges are decided, for
    /// the file at start and SIGHUP and for changes over D-Bus.
    pub fn validate(&self) -> Result<(), OutOfRange> {
        let refuse = |setting, allowed| Err(OutOfRange { setting, allowed });
        if self.auto_lock_timeout > MAX_AUTO_LOCK {
            return refuse(
                "auto_lock_timeout",
                "at most 604800 seconds (one week; 0 = never)",
            );
        }
        if !(1..=MAX_BACKUP_KEEP).contains(&self.backup_keep) {
            return refuse("backup_keep", "between 1 and 10000");
        }
        if !(1..=MAX_PUSH_POLL).contains(&self.push_poll_interval) {
            return refuse("push_poll_interval", "between 1 and 3600 seconds");
        }
        if !self.backup_folder.is_empty() && !Path::new(&self.backup_folder).is_absolute() {
            return refuse(
                "backup_folder",
                "an absolute path, or empty for the default folder",
            );
        }
        if tracing_subscriber::EnvFilter::try_new(&self.log_level).is_err() {
            return refuse("log_level", "a log filter such as info, debug or warn");
        }
        Ok(())
    }

    /// Writes the settings atomically (temporary file, fsync, rename).
    pub fn save(&self, path: &Path) -> Result<(), SettingsError> {
        let err = |source| SettingsError::Write {
            path: path.to_path_buf(),
            source,
        };
        let text = toml::to_string_pretty(self).map_err(|e| err(std::io::Error::other(e)))?;
        let text =
            format!("# Latchkey settings (latchkey config get|set edits this file).\n{text}");
        crate::files::write_private_atomic(path, text.as_bytes()).map_err(err)
    }

    /// What `self` switches off or weakens compared with `before`, one sentence each.
    pub fn weakened_from(&self, before: &Values) -> Vec<String> {
        let mut off = Vec::new();
        let mut check = |was: bool, now: bool, what| {
            if was && !now {
                off.push(String::from(what));
            }
        };
        check(
            before.require_app_consent,
            self.require_app_consent,
            "Apps no longer need your consent to get codes",
        );
        check(
            before.approval_requires_unlock,
            self.approval_requires_unlock,
            "Sign-in requests can now be approved while the vault is locked",
        );
        check(
            before.lock_on_screen_lock,
            self.lock_on_screen_lock,
            "The vault no longer locks when the screen locks",
        );
        check(
            before.lock_on_suspend,
            self.lock_on_suspend,
            "The vault no longer locks before suspend",
        );
        check(
            before.lock_on_session_idle,
            self.lock_on_session_idle,
            "The vault no longer locks when the session is idle",
        );
        check(
            before.automatic_backups,
            self.automatic_backups,
            "Automatic backups are off",
        );
        let (was, now) = (before.auto_lock_timeout, self.auto_lock_timeout);
        if was != 0 && now == 0 {
            off.push("The vault no longer locks after inactivity".into());
        } else if was != 0 && now > was {
            off.push(format!(
                "The vault now stays unlocked for {now} s when idle (was {was} s)"
            ));
        }
        if before.backup_folder != self.backup_folder {
            off.push(format!(
                "Backups now go to {}",
                if self.backup_folder.is_empty() {
                    "the default folder"
                } else {
                    &self.backup_folder
                }
            ));
        }
        off
    }

    /// The settings that decide when the vault locks by itself.
    pub fn triggers(&self) -> Triggers {
        Triggers {
            auto_lock_timeout: self.auto_lock_timeout,
            lock_on_screen_lock: self.lock_on_screen_lock,
            lock_on_suspend: self.lock_on_suspend,
            lock_on_session_idle: self.lock_on_session_idle,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_toml_names_the_settings_as_the_contract_does() {
        let text = toml::to_string(&Values::default()).expect("toml");
        let table: toml::Table = text.parse().expect("table");
        let mut file: Vec<&str> = table.keys().map(String::as_str).collect();
        let mut contract: Vec<&str> = latchkey_dbus::settings::Setting::ALL
            .iter()
            .map(|s| s.name())
            .collect();
        file.sort_unstable();
        contract.sort_unstable();
        assert_eq!(file, contract);
    }

    fn loaded(text: &str) -> Result<Values, SettingsError> {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).expect("write");
        Values::load(&path)
    }

    #[test]
    fn out_of_range_values_are_refused_by_name() {
        for (text, setting) in [
            ("auto_lock_timeout = 4294967295", "auto_lock_timeout"),
            ("backup_keep = 0", "backup_keep"),
            ("backup_keep = 4000000000", "backup_keep"),
            ("push_poll_interval = 0", "push_poll_interval"),
            ("backup_folder = \"relative/dir\"", "backup_folder"),
            ("log_level = \"[[[\"", "log_level"),
        ] {
            let err = loaded(text).expect_err(text);
            assert!(
                matches!(&err, SettingsError::OutOfRange { source, .. } if source.setting == setting),
                "{text}: {err}"
            );
            assert!(err.to_string().contains(setting), "{err}");
        }
        assert_eq!(
            loaded("auto_lock_timeout = 0")
                .expect("0 = never")
                .auto_lock_timeout,
            0
        );
    }
}
