//! Proxy of `org.latchkey.Latchkey1.Backup`: export, automatic backups and restore.

/// One backup as `ListBackups` lists it: (file name, unix time, size, written by this machine).
pub type BackupFile = (String, u64, u64, bool);

/// Export, automatic backups and restore.
#[zbus::proxy(
    interface = "org.latchkey.Latchkey1.Backup",
    default_service = "org.latchkey.Latchkey1",
    default_path = "/org/latchkey/Latchkey1"
)]
pub trait Backup {
    /// Every account in `format` after the vault passphrase; plaintext formats need `plaintext`.
    fn export(&self, format: &str, passphrase: &str, plaintext: bool) -> zbus::Result<Vec<u8>>;
    /// One account's `otpauth://` URI, after the vault passphrase (to move it to a phone).
    fn export_account(&self, id: &str, passphrase: &str) -> zbus::Result<String>;
    /// The folder and its backups `(file, unix time, size, written by this machine)`.
    fn list_backups(&self) -> zbus::Result<(String, Vec<BackupFile>)>;
    /// Writes a backup now; returns its file name.
    fn backup_now(&self) -> zbus::Result<String>;
    /// Restores a backup's bytes: `("created" | "merged", added, skipped)`.
    fn restore(&self, data: &[u8], passphrase: &str) -> zbus::Result<(String, u32, u32)>;
    /// The folder backups go to.
    #[zbus(property)]
    fn folder(&self) -> zbus::Result<String>;
    /// Unix time of the last backup written (0: none since the daemon started).
    #[zbus(property)]
    fn last_backup_time(&self) -> zbus::Result<u64>;
    /// File name of the last backup written.
    #[zbus(property)]
    fn last_backup_file(&self) -> zbus::Result<String>;
    /// Why the last backup failed ("" after a success).
    #[zbus(property)]
    fn last_backup_error(&self) -> zbus::Result<String>;
}
