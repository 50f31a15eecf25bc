//! `org.latchkey.Latchkey1.Settings`: the settings in config.toml, readable and writable live.

use crate::settings::{MAX_AUTO_LOCK, Settings};
use std::sync::Arc;

/// Serves [`Settings`]; every write is validated, saved to config.toml, then applied.
pub struct SettingsInterface {
    settings: Arc<Settings>,
}

impl SettingsInterface {
    /// Serves `settings`.
    pub fn new(settings: Arc<Settings>) -> Self {
        Self { settings }
    }

    fn save(&self, change: impl FnOnce(&mut crate::config::Config)) -> zbus::fdo::Result<()> {
        self.settings
            .update(change)
            .map_err(|e| zbus::fdo::Error::Failed(e.to_string()))?;
        tracing::info!(event = "settings-changed", file = %self.settings.path().display(), "settings changed");
        Ok(())
    }
}

#[zbus::interface(name = "org.latchkey.Latchkey1.Settings")]
impl SettingsInterface {
    /// Seconds without activity before the vault locks; 0 = never.
    #[zbus(property)]
    async fn auto_lock_timeout(&self) -> u32 {
        self.settings.current().auto_lock_timeout
    }
    #[zbus(property)]
    async fn set_auto_lock_timeout(&self, value: u32) -> zbus::fdo::Result<()> {
        if value > MAX_AUTO_LOCK {
            return Err(zbus::fdo::Error::InvalidArgs(format!(
                "AutoLockTimeout must be at most {MAX_AUTO_LOCK} seconds (0 = never)"
            )));
        }
        self.save(|c| c.auto_lock_timeout = value)
    }

    /// Lock when the screen locks.
    #[zbus(property)]
    async fn lock_on_screen_lock(&self) -> bool {
        self.settings.current().lock_on_screen_lock
    }
    #[zbus(property)]
    async fn set_lock_on_screen_lock(&self, value: bool) -> zbus::fdo::Result<()> {
        self.save(|c| c.lock_on_screen_lock = value)
    }

    /// Lock before the machine suspends.
    #[zbus(property)]
    async fn lock_on_suspend(&self) -> bool {
        self.settings.current().lock_on_suspend
    }
    #[zbus(property)]
    async fn set_lock_on_suspend(&self, value: bool) -> zbus::fdo::Result<()> {
        self.save(|c| c.lock_on_suspend = value)
    }

    /// Lock when the session goes idle.
    #[zbus(property)]
    async fn lock_on_session_idle(&self) -> bool {
        self.settings.current().lock_on_session_idle
    }
    #[zbus(property)]
    async fn set_lock_on_session_idle(&self, value: bool) -> zbus::fdo::Result<()> {
        self.save(|c| c.lock_on_session_idle = value)
    }

    /// Approving a sign-in request needs an unlocked vault.
    #[zbus(property)]
    async fn approval_requires_unlock(&self) -> bool {
        self.settings.current().approval_requires_unlock
    }
    #[zbus(property)]
    async fn set_approval_requires_unlock(&self, value: bool) -> zbus::fdo::Result<()> {
        self.save(|c| c.approval_requires_unlock = value)
    }

    /// Apps other than Latchkey's own clients must be allowed before they get codes.
    #[zbus(property)]
    async fn require_app_consent(&self) -> bool {
        self.settings.current().require_app_consent
    }
    #[zbus(property)]
    async fn set_require_app_consent(&self, value: bool) -> zbus::fdo::Result<()> {
        self.save(|c| c.require_app_consent = value)
    }

    /// Write an encrypted backup after every change of the accounts or the passphrase.
    #[zbus(property)]
    async fn automatic_backups(&self) -> bool {
        self.settings.current().automatic_backups
    }
    #[zbus(property)]
    async fn set_automatic_backups(&self, value: bool) -> zbus::fdo::Result<()> {
        self.save(|c| c.automatic_backups = value)
    }

    /// Absolute folder for backups; empty = `$XDG_DATA_HOME/latchkey/backups`.
    #[zbus(property)]
    async fn backup_folder(&self) -> String {
        self.settings.current().backup_folder
    }
    #[zbus(property)]
    async fn set_backup_folder(&self, value: String) -> zbus::fdo::Result<()> {
        crate::backup::folder_from(&value)
            .map_err(|e| zbus::fdo::Error::InvalidArgs(e.to_string()))?;
        self.save(|c| c.backup_folder = value)
    }

    /// How many of this machine's backups the folder keeps.
    #[zbus(property)]
    async fn backup_keep(&self) -> u32 {
        self.settings.current().backup_keep
    }
    #[zbus(property)]
    async fn set_backup_keep(&self, value: u32) -> zbus::fdo::Result<()> {
        if !(1..=crate::backup::MAX_KEEP).contains(&value) {
            return Err(zbus::fdo::Error::InvalidArgs(format!(
                "BackupKeep must be between 1 and {}",
                crate::backup::MAX_KEEP
            )));
        }
        self.save(|c| c.backup_keep = value)
    }

    /// Seconds between polls of privacyIDEA (only while push tokens exist).
    #[zbus(property)]
    async fn push_poll_interval(&self) -> u32 {
        self.settings.current().push_poll_interval
    }
    #[zbus(property)]
    async fn set_push_poll_interval(&self, value: u32) -> zbus::fdo::Result<()> {
        if !(1..=3600).contains(&value) {
            return Err(zbus::fdo::Error::InvalidArgs(
                "PushPollInterval must be between 1 and 3600 seconds".into(),
            ));
        }
        self.save(|c| c.push_poll_interval = value)
    }

    /// Log filter (`RUST_LOG` syntax); `RUST_LOG` in the daemon's environment wins.
    #[zbus(property)]
    async fn log_level(&self) -> String {
        self.settings.current().log_level
    }
    #[zbus(property)]
    async fn set_log_level(&self, value: String) -> zbus::fdo::Result<()> {
        if tracing_subscriber::EnvFilter::try_new(&value).is_err() {
            return Err(zbus::fdo::Error::InvalidArgs(format!(
                "{value:?} is not a log filter (try info, debug, warn)"
            )));
        }
        self.save(|c| c.log_level = value)
    }
}
