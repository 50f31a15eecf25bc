//! Proxy of `org.latchkey.Latchkey1.Sync`: sync through a shared folder — turning it on,
//! pairing machines with a one-time code, forgetting a lost machine, and the status.
//!
//! A Devices page: read the properties and `list_devices`, subscribe to `receive_changed` (and
//! re-read on each), call `invite` and show its code as text and as a QR code, `forget` a
//! device after asking the user. The vault must be unlocked for everything but the properties.

use crate::SyncDevice;

/// Sync through a folder the user already syncs.
#[zbus::proxy(
    interface = "org.latchkey.Latchkey1.Sync",
    default_service = "org.latchkey.Latchkey1",
    default_path = "/org/latchkey/Latchkey1"
)]
pub trait Sync {
    /// Turns sync on as the first machine (`device_name` "" = the host name); returns its id.
    fn enable(&self, folder_path: &str, device_name: &str) -> zbus::Result<String>;
    /// Joins the machines of an invite `code`; returns this device's id. It syncs once the
    /// inviting machine (unlocked, running) has read the join request from the folder.
    fn join(&self, folder_path: &str, code: &str, device_name: &str) -> zbus::Result<String>;
    /// A one-time code for another machine, and its expiry (Unix time).
    fn invite(&self) -> zbus::Result<(String, u64)>;
    /// Forgets a device by id, id prefix or name; returns its id.
    fn forget(&self, device: &str) -> zbus::Result<String>;
    /// Turns sync off on this machine.
    fn disable(&self) -> zbus::Result<()>;
    /// Follows the Aegis backups in `folder_path`, opened with `password`.
    fn follow_aegis(&self, folder_path: &str, password: &str) -> zbus::Result<()>;
    /// Stops following Aegis backups.
    fn stop_following_aegis(&self) -> zbus::Result<()>;
    /// The member devices.
    fn list_devices(&self) -> zbus::Result<Vec<SyncDevice>>;
    /// Sync's status changed; re-read the properties and the devices.
    #[zbus(signal)]
    fn changed(&self) -> zbus::Result<()>;
    #[zbus(property)]
    fn enabled(&self) -> zbus::Result<bool>;
    #[zbus(property)]
    fn folder(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn device_id(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn device_name(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn joining(&self) -> zbus::Result<bool>;
    #[zbus(property)]
    fn join_error(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn forgotten(&self) -> zbus::Result<bool>;
    #[zbus(property)]
    fn last_merge(&self) -> zbus::Result<u64>;
    #[zbus(property)]
    fn last_merge_summary(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn last_write(&self) -> zbus::Result<u64>;
    #[zbus(property)]
    fn last_error(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn aegis_folder(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn aegis_backup(&self) -> zbus::Result<String>;
    #[zbus(property)]
    fn aegis_error(&self) -> zbus::Result<String>;
}
