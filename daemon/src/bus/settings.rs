//! `org.latchkey.Latchkey1.Settings`: the settings in config.toml, readable and writable live.

use super::Gate;
use crate::config::ConfigError;
use crate::settings::Settings;
use std::sync::Arc;
use zbus::message::Header;

/// Serves [`Settings`]; every write is validated, saved to config.toml, then applied.
pub struct SettingsInterface {
    settings: Arc<Settings>,
    gate: Arc<Gate>,
}

impl SettingsInterface {
    /// Serves `settings`; only the callers `gate` calls our own clients may change them.
    pub fn new(settings: Arc<Settings>, gate: Arc<Gate>) -> Self {
        Self { settings, gate }
    }

    /// Refuses other apps: they could turn consent or auto-lock off, or move the backups.
    /// No header means the daemon set the property itself, not a caller.
    async fn allowed(
        &self,
        conn: &zbus::Connection,
        header: Option<&Header<'_>>,
    ) -> zbus::fdo::Result<()> {
        let Some(header) = header else {
            return Ok(());
        };
        self.gate
            .require_own_client(conn, header, "change settings")
            .await
            .map(drop)
            .map_err(|e| zbus::fdo::Error::AccessDenied(e.message()))
    }

    fn save(&self, change: impl FnOnce(&mut crate::config::Config)) -> zbus::fdo::Result<()> {
        self.settings.update(change).map_err(|e| match e {
            ConfigError::Refused(range) => zbus::fdo::Error::InvalidArgs(range.to_string()),
            other => zbus::fdo::Error::Failed(other.to_string()),
        })?;
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
    async fn set_auto_lock_timeout(
        &self,
        value: u32,
        #[zbus(header)] header: Option<Header<'_>>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> zbus::fdo::Result<()> {
        self.allowed(conn, header.as_ref()).await?;
        self.save(|c| c.auto_lock_timeout = value)
    }

    /// Lock when the screen locks.
    #[zbus(property)]
    async fn lock_on_screen_lock(&self) -> bool {
        self.settings.current().lock_on_screen_lock
    }
    #[zbus(property)]
    async fn set_lock_on_screen_lock(
        &self,
        value: bool,
        #[zbus(header)] header: Option<Header<'_>>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> zbus::fdo::Result<()> {
        self.allowed(conn, header.as_ref()).await?;
        self.save(|c| c.lock_on_screen_lock = value)
    }

    /// Lock before the machine suspends.
    #[zbus(property)]
    async fn lock_on_suspend(&self) -> bool {
        self.settings.current().lock_on_suspend
    }
    #[zbus(property)]
    async fn set_lock_on_suspend(
        &self,
        value: bool,
        #[zbus(header)] header: Option<Header<'_>>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> zbus::fdo::Result<()> {
        self.allowed(conn, header.as_ref()).await?;
        self.save(|c| c.lock_on_suspend = value)
    }

    /// Lock when the session goes idle.
    #[zbus(property)]
    async fn lock_on_session_idle(&self) -> bool {
        self.settings.current().lock_on_session_idle
    }
    #[zbus(property)]
    async fn set_lock_on_session_idle(
        &self,
        value: bool,
        #[zbus(header)] header: Option<Header<'_>>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> zbus::fdo::Result<()> {
        self.allowed(conn, header.as_ref()).await?;
        self.save(|c| c.lock_on_session_idle = value)
    }

    /// Approving a sign-in request needs an unlocked vault.
    #[zbus(property)]
    async fn approval_requires_unlock(&self) -> bool {
        self.settings.current().approval_requires_unlock
    }
    #[zbus(property)]
    async fn set_approval_requires_unlock(
        &self,
        value: bool,
        #[zbus(header)] header: Option<Header<'_>>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> zbus::fdo::Result<()> {
        self.allowed(conn, header.as_ref()).await?;
        self.save(|c| c.approval_requires_unlock = value)
    }

    /// Apps other than Latchkey's own clients must be allowed before they get codes.
    #[zbus(property)]
    async fn require_app_consent(&self) -> bool {
        self.settings.current().require_app_consent
    }
    #[zbus(property)]
    async fn set_require_app_consent(
        &self,
        value: bool,
        #[zbus(header)] header: Option<Header<'_>>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> zbus::fdo::Result<()> {
        self.allowed(conn, header.as_ref()).await?;
        self.save(|c| c.require_app_consent = value)
    }

    /// Write an encrypted backup after every change of the accounts or the passphrase.
    #[zbus(property)]
    async fn automatic_backups(&self) -> bool {
        self.settings.current().automatic_backups
    }
    #[zbus(property)]
    async fn set_automatic_backups(
        &self,
        value: bool,
        #[zbus(header)] header: Option<Header<'_>>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> zbus::fdo::Result<()> {
        self.allowed(conn, header.as_ref()).await?;
        self.save(|c| c.automatic_backups = value)
    }

    /// Absolute folder for backups; empty = `$XDG_DATA_HOME/latchkey/backups`.
    #[zbus(property)]
    async fn backup_folder(&self) -> String {
        self.settings.current().backup_folder
    }
    #[zbus(property)]
    async fn set_backup_folder(
        &self,
        value: String,
        #[zbus(header)] header: Option<Header<'_>>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> zbus::fdo::Result<()> {
        self.allowed(conn, header.as_ref()).await?;
        self.save(|c| c.backup_folder = value)
    }

    /// How many of this machine's backups the folder keeps.
    #[zbus(property)]
    async fn backup_keep(&self) -> u32 {
        self.settings.current().backup_keep
    }
    #[zbus(property)]
    async fn set_backup_keep(
        &self,
        value: u32,
        #[zbus(header)] header: Option<Header<'_>>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> zbus::fdo::Result<()> {
        self.allowed(conn, header.as_ref()).await?;
        self.save(|c| c.backup_keep = value)
    }

    /// Seconds between polls of privacyIDEA (only while push tokens exist).
    #[zbus(property)]
    async fn push_poll_interval(&self) -> u32 {
        self.settings.current().push_poll_interval
    }
    #[zbus(property)]
    async fn set_push_poll_interval(
        &self,
        value: u32,
        #[zbus(header)] header: Option<Header<'_>>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> zbus::fdo::Result<()> {
        self.allowed(conn, header.as_ref()).await?;
        self.save(|c| c.push_poll_interval = value)
    }

    /// Log filter (`RUST_LOG` syntax); `RUST_LOG` in the daemon's environment wins.
    #[zbus(property)]
    async fn log_level(&self) -> String {
        self.settings.current().log_level
    }
    #[zbus(property)]
    async fn set_log_level(
        &self,
        value: String,
        #[zbus(header)] header: Option<Header<'_>>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> zbus::fdo::Result<()> {
        self.allowed(conn, header.as_ref()).await?;
        self.save(|c| c.log_level = value)
    }
}
