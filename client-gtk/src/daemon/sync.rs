//! Sync between the user's machines: its status, the devices, and the changes the Devices page
//! makes (turning it on, joining, inviting, forgetting a device, following Aegis backups).

use super::bridge;
use latchkey_dbus::{Error, SyncDevice, SyncProxy};
use zbus::proxy::CacheProperties;
use zeroize::Zeroizing;

async fn sync(conn: &zbus::Connection) -> Result<SyncProxy<'static>, Error> {
    Ok(SyncProxy::builder(conn)
        .cache_properties(CacheProperties::No)
        .build()
        .await?)
}

/// What the Devices page shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncStatus {
    pub enabled: bool,
    pub folder: String,
    pub device_id: String,
    pub device_name: String,
    /// Waiting for the inviting machine to admit this one.
    pub joining: bool,
    /// Why the join will not be admitted ("" while it can be).
    pub join_error: String,
    /// Another machine forgot this one.
    pub forgotten: bool,
    pub last_merge: u64,
    pub last_merge_summary: String,
    pub last_error: String,
    pub aegis_folder: String,
    pub aegis_backup: String,
    pub aegis_error: String,
    pub devices: Vec<SyncDevice>,
}

/// Sync's status and devices.
pub async fn sync_status() -> Result<SyncStatus, Error> {
    bridge()
        .call(|c| async move {
            let s = sync(&c).await?;
            let enabled = s.enabled().await?;
            Ok(SyncStatus {
                enabled,
                folder: s.folder().await?,
                device_id: s.device_id().await?,
                device_name: s.device_name().await?,
                joining: s.joining().await?,
                join_error: s.join_error().await?,
                forgotten: s.forgotten().await?,
                last_merge: s.last_merge().await?,
                last_merge_summary: s.last_merge_summary().await?,
                last_error: s.last_error().await?,
                aegis_folder: s.aegis_folder().await?,
                aegis_backup: s.aegis_backup().await?,
                aegis_error: s.aegis_error().await?,
                devices: if enabled {
                    s.list_devices().await?
                } else {
                    Vec::new()
                },
            })
        })
        .await
}

/// Turns sync on as the first machine, in `folder`, named `name`.
pub async fn sync_enable(folder: String, name: String) -> Result<(), Error> {
    bridge()
        .call(move |c| async move {
            sync(&c).await?.enable(&folder, &name).await?;
            Ok(())
        })
        .await
}

/// Joins the machines of the invite `code`, through `folder`.
pub async fn sync_join(folder: String, code: Zeroizing<String>, name: String) -> Result<(), Error> {
    bridge()
        .call(move |c| async move {
            sync(&c).await?.join(&folder, &code, &name).await?;
            Ok(())
        })
        .await
}

/// A one-time code for another machine, and its expiry.
pub async fn sync_invite() -> Result<(Zeroizing<String>, u64), Error> {
    bridge()
        .call(|c| async move {
            let (code, expires) = sync(&c).await?.invite().await?;
            Ok((Zeroizing::new(code), expires))
        })
        .await
}

/// Forgets the device `id`.
pub async fn sync_forget(id: String) -> Result<(), Error> {
    bridge()
        .call(move |c| async move {
            sync(&c).await?.forget(&id).await?;
            Ok(())
        })
        .await
}

/// Turns sync off on this machine.
pub async fn sync_disable() -> Result<(), Error> {
    bridge()
        .call(|c| async move { Ok(sync(&c).await?.disable().await?) })
        .await
}

/// Follows the Aegis backups in `folder`, opened with `password`.
pub async fn follow_aegis(folder: String, password: Zeroizing<String>) -> Result<(), Error> {
    bridge()
        .call(move |c| async move { Ok(sync(&c).await?.follow_aegis(&folder, &password).await?) })
        .await
}

/// Stops following Aegis backups.
pub async fn stop_following_aegis() -> Result<(), Error> {
    bridge()
        .call(|c| async move { Ok(sync(&c).await?.stop_following_aegis().await?) })
        .await
}
