//! The daemon's settings, shared by the Settings interface, the timers and SIGHUP reload.
//!
//! One place holds the current values; changes made over D-Bus are validated, written to
//! config.toml, and published to the lock timers through a watch channel.

mod file;

pub use file::{
    DEFAULT_PUSH_POLL_INTERVAL, MAX_BACKUP_KEEP, SettingsError, Triggers, Values, default_path,
};
use std::path::PathBuf;
use std::sync::Mutex;
use tokio::sync::watch;

/// The current settings and where they are saved.
pub struct Settings {
    path: PathBuf,
    config: Mutex<Values>,
    lock_tx: watch::Sender<Triggers>,
}

impl Settings {
    /// Starts from `config` as loaded from `path`.
    pub fn new(path: PathBuf, config: Values) -> Self {
        let (lock_tx, _) = watch::channel(config.triggers());
        Self {
            path,
            config: Mutex::new(config),
            lock_tx,
        }
    }

    /// A receiver that sees every change of the lock settings.
    pub fn triggers(&self) -> watch::Receiver<Triggers> {
        self.lock_tx.subscribe()
    }

    /// A copy of the current configuration.
    pub fn current(&self) -> Values {
        self.config
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Applies `change`, saves the file, then publishes; on a write error nothing changes.
    pub fn update(&self, change: impl FnOnce(&mut Values)) -> Result<(), SettingsError> {
        let mut guard = self.config.lock().unwrap_or_else(|p| p.into_inner());
        let mut next = guard.clone();
        change(&mut next);
        next.validate()?;
        next.save(&self.path)?;
        *guard = next;
        self.lock_tx.send_replace(guard.triggers());
        Ok(())
    }

    /// Replaces the configuration with one re-read from disk (SIGHUP).
    pub fn replace(&self, config: Values) {
        let mut guard = self.config.lock().unwrap_or_else(|p| p.into_inner());
        *guard = config;
        self.lock_tx.send_replace(guard.triggers());
    }

    /// The file settings are saved to.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
}
