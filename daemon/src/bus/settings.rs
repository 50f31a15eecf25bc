//! `org.latchkey.Latchkey1.Settings`: the settings in config.toml, readable and writable live.

use super::Gate;
use crate::notifications::Urgency;
use crate::settings::Settings;
use crate::settings::SettingsError;
use latchkey_dbus::display::{IDENTITY_MAX, claim};
use std::sync::Arc;
use zbus::message::Header;

/// Serves [`Settings`]; every write is validated, saved to config.toml, then applied.
pub struct SettingsInterface {
    settings: Arc<Settings>,
    gate: Arc<Gate>,
    events: crate::events::Events,
}

impl SettingsInterface {
    /// Serves `settings`; only the callers `gate` calls our own clients may change them.
    pub fn new(settings: Arc<Settings>, gate: Arc<Gate>, events: crate::events::Events) -> Self {
        Self {
            settings,
            gate,
            events,
        }
    }

    /// Refuses other apps: they could turn consent or auto-lock off, or move the backups.
    /// Returns who changes the settings, as determined; no header means the daemon itself.
    async fn allowed(
        &self,
        conn: &zbus::Connection,
        header: Option<&Header<'_>>,
    ) -> zbus::fdo::Result<String> {
        let Some(header) = header else {
            return Ok("latchkeyd".to_string());
        };
        self.gate
            .require_own_client(conn, header, "change settings")
            .await
            .map_err(|e| zbus::fdo::Error::AccessDenied(e.message()))
    }

    /// Validates and saves a change; a change that switches a protection off is a security
    /// event (signal, journal, notification), so the user hears of it whoever made it.
    async fn save(
        &self,
        who: &str,
        change: impl FnOnce(&mut crate::settings::Values),
    ) -> zbus::fdo::Result<()> {
        let before = self.settings.current();
        self.settings.update(change).map_err(|e| match e {
            SettingsError::Refused(range) => zbus::fdo::Error::InvalidArgs(range.to_string()),
            other => zbus::fdo::Error::Failed(other.to_string()),
        })?;
        tracing::info!(event = "settings-changed", caller = %who, file = %self.settings.path().display(), "settings changed");
        for weakened in self.settings.current().weakened_from(&before) {
            tracing::warn!(event = "protection-off", caller = %who, "{weakened}");
            let body = format!("{weakened} (changed by {})", claim(who, IDENTITY_MAX));
            self.events.security(
                crate::events::Security::new("protection-off", weakened)
                    .with("caller", who)
                    .notify(
                        "Latchkey: a protection was switched off",
                        body,
                        Urgency::Critical,
                    ),
            );
        }
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
        let who = self.allowed(conn, header.as_ref()).await?;
        self.save(&who, |c| c.auto_lock_timeout = value).await
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
        let who = self.allowed(conn, header.as_ref()).await?;
        self.save(&who, |c| c.lock_on_screen_lock = value).await
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
        let who = self.allowed(conn, header.as_ref()).await?;
        self.save(&who, |c| c.lock_on_suspend = value).await
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
        let who = self.allowed(conn, header.as_ref()).await?;
        self.save(&who, |c| c.lock_on_session_idle = value).await
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
        let who = self.allowed(conn, header.as_ref()).await?;
        self.save(&who, |c| c.approval_requires_unlock = value)
            .await
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
        let who = self.allowed(conn, header.as_ref()).await?;
        self.save(&who, |c| c.require_app_consent = value).await
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
        let who = self.allowed(conn, header.as_ref()).await?;
        self.save(&who, |c| c.automatic_backups = value).await
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
        bounded("the backup folder", &value)?;
        let who = self.allowed(conn, header.as_ref()).await?;
        self.save(&who, |c| c.backup_folder = value).await
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
        let who = self.allowed(conn, header.as_ref()).await?;
        self.save(&who, |c| c.backup_keep = value).await
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
        let who = self.allowed(conn, header.as_ref()).await?;
        self.save(&who, |c| c.push_poll_interval = value).await
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
        bounded("the log level", &value)?;
        let who = self.allowed(conn, header.as_ref()).await?;
        self.save(&who, |c| c.log_level = value).await
    }
}

/// Refuses a string setting longer than any folder path or log filter.
fn bounded(name: &str, value: &str) -> zbus::fdo::Result<()> {
    latchkey_dbus::limits::check(name, value.as_bytes(), latchkey_dbus::limits::PATH_NAME)
        .map_err(|e| zbus::fdo::Error::InvalidArgs(e.message()))
}
