//! Proxy of `org.latchkey.Latchkey1.Settings`: the daemon's configuration, live.

/// The daemon's settings (config.toml), read and written live.
#[zbus::proxy(
    interface = "org.latchkey.Latchkey1.Settings",
    default_service = "org.latchkey.Latchkey1",
    default_path = "/org/latchkey/Latchkey1"
)]
pub trait Settings {
    /// Seconds of inactivity before locking; 0 = never.
    #[zbus(property)]
    fn auto_lock_timeout(&self) -> zbus::Result<u32>;
    /// Sets the inactivity timeout.
    #[zbus(property)]
    fn set_auto_lock_timeout(&self, value: u32) -> zbus::Result<()>;
    /// Lock on screen lock.
    #[zbus(property)]
    fn lock_on_screen_lock(&self) -> zbus::Result<bool>;
    /// Sets lock on screen lock.
    #[zbus(property)]
    fn set_lock_on_screen_lock(&self, value: bool) -> zbus::Result<()>;
    /// Lock before suspend.
    #[zbus(property)]
    fn lock_on_suspend(&self) -> zbus::Result<bool>;
    /// Sets lock before suspend.
    #[zbus(property)]
    fn set_lock_on_suspend(&self, value: bool) -> zbus::Result<()>;
    /// Lock when the session is idle.
    #[zbus(property)]
    fn lock_on_session_idle(&self) -> zbus::Result<bool>;
    /// Sets lock when idle.
    #[zbus(property)]
    fn set_lock_on_session_idle(&self, value: bool) -> zbus::Result<()>;
    /// Approving needs an unlocked vault.
    #[zbus(property)]
    fn approval_requires_unlock(&self) -> zbus::Result<bool>;
    /// Sets whether approving needs an unlocked vault.
    #[zbus(property)]
    fn set_approval_requires_unlock(&self, value: bool) -> zbus::Result<()>;
    /// Whether other apps need consent for codes.
    #[zbus(property)]
    fn require_app_consent(&self) -> zbus::Result<bool>;
    /// Sets whether other apps need consent.
    #[zbus(property)]
    fn set_require_app_consent(&self, value: bool) -> zbus::Result<()>;
    /// Automatic backups after every change.
    #[zbus(property)]
    fn automatic_backups(&self) -> zbus::Result<bool>;
    /// Turns automatic backups on or off.
    #[zbus(property)]
    fn set_automatic_backups(&self, value: bool) -> zbus::Result<()>;
    /// Backup folder ("" = default).
    #[zbus(property)]
    fn backup_folder(&self) -> zbus::Result<String>;
    /// Sets the backup folder (absolute, or "" for the default).
    #[zbus(property)]
    fn set_backup_folder(&self, value: &str) -> zbus::Result<()>;
    /// Backups kept.
    #[zbus(property)]
    fn backup_keep(&self) -> zbus::Result<u32>;
    /// Sets how many backups are kept.
    #[zbus(property)]
    fn set_backup_keep(&self, value: u32) -> zbus::Result<()>;
    /// Seconds between push polls.
    #[zbus(property)]
    fn push_poll_interval(&self) -> zbus::Result<u32>;
    /// Sets the seconds between push polls.
    #[zbus(property)]
    fn set_push_poll_interval(&self, value: u32) -> zbus::Result<()>;
    /// Log filter.
    #[zbus(property)]
    fn log_level(&self) -> zbus::Result<String>;
    /// Sets the log filter.
    #[zbus(property)]
    fn set_log_level(&self, value: String) -> zbus::Result<()>;
}
