//! `org.latchkey.Latchkey1.Sync`: turning sync on, pairing, forgetting devices, and its status.
//!
//! Enable, Join, Invite, Forget and Disable answer Latchkey's own clients only: an invite code
//! lets a machine read every seed, and the others decide where the seeds go. The status and the
//! device list are metadata (names, times), like the account list's labels.

use super::lock_state;
use crate::state::{DeviceInfo, Service};
use crate::sync::Sync;
use latchkey_core::sync::Code;
use latchkey_dbus::limits::{self, check};
use latchkey_dbus::{Error, SyncDevice};
use std::sync::Arc;
use zbus::message::Header;
use zbus::object_server::SignalEmitter;

/// Serves sync's pairing and status.
pub struct SyncInterface {
    service: Arc<Service>,
    sync: Arc<Sync>,
    gate: Arc<super::Gate>,
}

impl SyncInterface {
    /// Serves `sync` over the state `service`.
    pub fn new(service: Arc<Service>, sync: Arc<Sync>, gate: Arc<super::Gate>) -> Self {
        Self {
            service,
            sync,
            gate,
        }
    }
}

/// Checks a folder argument: absolute, an existing directory.
fn folder(path: &str) -> Result<String, Error> {
    check("the folder", path.as_bytes(), limits::PATH_NAME)?;
    let p = std::path::Path::new(path);
    if !p.is_absolute() {
        return Err(Error::InvalidArgument(
            "the sync folder must be an absolute path".into(),
        ));
    }
    if !p.is_dir() {
        return Err(Error::InvalidArgument(format!(
            "{path} is not a folder (create it, or pick the folder your sync engine shares)"
        )));
    }
    Ok(path.trim_end_matches('/').to_string())
}

/// The device name to use: the one given, or the machine's host name.
fn name(given: &str) -> Result<String, Error> {
    check("the device name", given.as_bytes(), limits::LABEL)?;
    let given = given.trim();
    Ok(if given.is_empty() {
        crate::backup::this_host()
    } else {
        given.to_string()
    })
}

#[zbus::interface(name = "org.latchkey.Latchkey1.Sync")]
impl SyncInterface {
    /// Turns sync on as the first machine; returns this device's id.
    #[zbus(out_args("device"))]
    async fn enable(
        &self,
        folder_path: String,
        device_name: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<String, Error> {
        let folder = folder(&folder_path)?;
        let name = name(&device_name)?;
        let caller = self
            .gate
            .require_own_client(conn, &header, "turn sync on")
            .await?;
        let id = self.service.sync_enable(folder, name, &caller).await?;
        // The replica is in the folder when Enable returns, so an invite made next names a
        // machine the joining one can find there.
        self.sync.write_now().await;
        Ok(id)
    }

    /// Joins the machines of an invite code; returns this device's id.
    #[zbus(out_args("device"))]
    async fn join(
        &self,
        folder_path: String,
        code: String,
        device_name: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<String, Error> {
        let code = zeroize::Zeroizing::new(code);
        check("the code", code.as_bytes(), 2 * limits::WORD)?;
        let folder = folder(&folder_path)?;
        let name = name(&device_name)?;
        let caller = self
            .gate
            .require_own_client(conn, &header, "join a sync group")
            .await?;
        let code = Code::parse(&code).map_err(|e| Error::InvalidArgument(e.to_string()))?;
        self.sync
            .check_inviter(&folder, &code)
            .map_err(|e| Error::InvalidArgument(e.to_string()))?;
        let joined = self
            .service
            .sync_join(folder.clone(), name, code, &caller)
            .await?;
        if let Some((device, folder)) = &joined.replaced {
            self.sync.withdraw_join_request(folder, device);
        }
        self.sync
            .send_join_request(&folder, &joined.request)
            .map_err(|e| Error::Storage(format!("cannot write into the sync folder: {e}")))?;
        Ok(joined.request.device.to_hex())
    }

    /// A one-time code another machine joins with, valid for 24 hours, and when it expires.
    #[zbus(out_args("code", "expires"))]
    async fn invite(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<(String, u64), Error> {
        let caller = self
            .gate
            .require_own_client(conn, &header, "invite a machine to sync")
            .await?;
        let mut code = self.service.sync_invite(&caller).await?;
        let expires = crate::clock::unix_now() + latchkey_core::sync::invite::LIFETIME_MS / 1000;
        // The reply owns the code now.
        Ok((std::mem::take(&mut *code), expires))
    }

    /// Forgets a device (its id, a unique prefix of it, or its name): the group stops sealing
    /// replicas for it and ignores its later files. Returns the forgotten device's id.
    #[zbus(out_args("forgotten"))]
    async fn forget(
        &self,
        device: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<String, Error> {
        check("the device", device.as_bytes(), limits::LABEL)?;
        let caller = self
            .gate
            .require_own_client(conn, &header, "forget a sync device")
            .await?;
        Ok(self.service.sync_forget(device, &caller).await?)
    }

    /// Turns sync off on this machine (its keys leave the vault; its accounts stay).
    async fn disable(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<(), Error> {
        let caller = self
            .gate
            .require_own_client(conn, &header, "turn sync off")
            .await?;
        let pending = self.sync.status().info.and_then(|i| {
            let device = latchkey_core::sync::DeviceId::from_hex(&i.device)?;
            i.joining.map(|_| (device, i.folder))
        });
        self.service.sync_disable(&caller).await?;
        // A join still waiting is withdrawn with it.
        if let Some((device, folder)) = pending {
            self.sync.withdraw_join_request(&folder, &device);
        }
        Ok(())
    }

    /// Follows the encrypted Aegis backups a phone writes into `folder_path` (carried here by
    /// Syncthing-Android or Nextcloud): the newest one is mirrored into the vault by Aegis entry,
    /// now and whenever a newer one arrives; the Aegis password is kept in the vault. The folder
    /// is never written to. If the folder holds a backup already, `password` must open it.
    async fn follow_aegis(
        &self,
        folder_path: String,
        password: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<(), Error> {
        let password = zeroize::Zeroizing::new(password);
        check("the password", password.as_bytes(), limits::PASSPHRASE)?;
        let folder = folder(&folder_path)?;
        let caller = self
            .gate
            .require_own_client(conn, &header, "follow Aegis backups")
            .await?;
        let check = crate::sync::newest_aegis_backup(&folder)
            .map(|(_, path)| crate::sync::read_aegis_backup(&path))
            .transpose()
            .map_err(|e| Error::Storage(format!("cannot read the newest Aegis backup: {e}")))?;
        Ok(self
            .service
            .follow_aegis(folder, password, check, &caller)
            .await?)
    }

    /// Stops following Aegis backups; the accounts mirrored so far stay.
    async fn stop_following_aegis(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<(), Error> {
        let caller = self
            .gate
            .require_own_client(conn, &header, "stop following Aegis backups")
            .await?;
        Ok(self.service.follow_stop(&caller).await?)
    }

    /// The member devices as this machine knows them (the vault must be unlocked).
    #[zbus(out_args("devices"))]
    async fn list_devices(&self) -> Result<Vec<SyncDevice>, Error> {
        let info = lock_state(self.service.state()).sync_info()?;
        Ok(info
            .map(|i| i.devices.into_iter().map(device).collect())
            .unwrap_or_default())
    }

    /// Sync's status changed: re-read the properties and the device list.
    #[zbus(signal)]
    async fn changed(emitter: &SignalEmitter<'_>) -> zbus::Result<()>;

    /// Whether sync is on (as last read from the unlocked vault).
    #[zbus(property(emits_changed_signal = "false"))]
    async fn enabled(&self) -> bool {
        self.sync.status().info.is_some()
    }

    /// The folder the user picked (replicas are in its `Latchkey` subfolder).
    #[zbus(property(emits_changed_signal = "false"))]
    async fn folder(&self) -> String {
        self.sync
            .status()
            .info
            .map(|i| i.folder)
            .unwrap_or_default()
    }

    /// This device's id.
    #[zbus(property(emits_changed_signal = "false"))]
    async fn device_id(&self) -> String {
        self.sync
            .status()
            .info
            .map(|i| i.device)
            .unwrap_or_default()
    }

    /// This device's name.
    #[zbus(property(emits_changed_signal = "false"))]
    async fn device_name(&self) -> String {
        self.sync.status().info.map(|i| i.name).unwrap_or_default()
    }

    /// Joined with a code, not admitted yet.
    #[zbus(property(emits_changed_signal = "false"))]
    async fn joining(&self) -> bool {
        self.sync.status().info.is_some_and(|i| i.joining.is_some())
    }

    /// Why this machine, still joining, will not be admitted ("" while it can be): the inviting
    /// computer refused its code, or the invite expired unanswered. Join again with a new code.
    #[zbus(property(emits_changed_signal = "false"))]
    async fn join_error(&self) -> String {
        let now = crate::clock::unix_now_ms();
        self.sync
            .status()
            .info
            .and_then(|i| i.joining)
            .and_then(|j| j.error(now))
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    /// Another device forgot this one: its replicas are ignored; disable sync and join again.
    #[zbus(property(emits_changed_signal = "false"))]
    async fn forgotten(&self) -> bool {
        self.sync.status().info.is_some_and(|i| i.forgotten)
    }

    /// Unix time of the last merge that changed accounts (0: none since the daemon started).
    #[zbus(property(emits_changed_signal = "false"))]
    async fn last_merge(&self) -> u64 {
        self.sync.status().last_merge
    }

    /// What the last merge changed, in words.
    #[zbus(property(emits_changed_signal = "false"))]
    async fn last_merge_summary(&self) -> String {
        self.sync.status().last_merge_summary
    }

    /// Unix time this device's replica was last written (0: not since the daemon started).
    #[zbus(property(emits_changed_signal = "false"))]
    async fn last_write(&self) -> u64 {
        self.sync.status().last_write
    }

    /// Why the last read or write failed, or which file was refused ("" when all is well).
    #[zbus(property(emits_changed_signal = "false"))]
    async fn last_error(&self) -> String {
        self.sync.status().last_error
    }

    /// The folder of the Aegis backups followed ("" when none).
    #[zbus(property(emits_changed_signal = "false"))]
    async fn aegis_folder(&self) -> String {
        self.sync
            .status()
            .aegis
            .map(|a| a.folder)
            .unwrap_or_default()
    }

    /// The Aegis backup mirrored last (its file name; "" before the first).
    #[zbus(property(emits_changed_signal = "false"))]
    async fn aegis_backup(&self) -> String {
        self.sync
            .status()
            .aegis
            .map(|a| a.newest)
            .unwrap_or_default()
    }

    /// Why the newest Aegis backup could not be mirrored ("" when it was).
    #[zbus(property(emits_changed_signal = "false"))]
    async fn aegis_error(&self) -> String {
        self.sync.status().aegis_error
    }
}

fn device(d: DeviceInfo) -> SyncDevice {
    SyncDevice {
        id: d.id,
        name: d.name,
        this_device: d.this_device,
        last_seen: d.last_seen,
        forgotten: d.forgotten,
    }
}

/// Emits `Changed` (the relay calls it for [`crate::events::Event::SyncChanged`]).
pub async fn relay(conn: &zbus::Connection) {
    if let Ok(emitter) = SignalEmitter::new(conn, latchkey_dbus::OBJECT_PATH) {
        let _ = SyncInterface::changed(&emitter).await;
    }
}
