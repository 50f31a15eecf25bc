//! `sync enable|invite|join|status|devices|forget|disable`: the daemon's sync through a shared
//! folder (docs/sync.md).

use super::diagnostics::utc;
use super::print_json;
use crate::args::SyncCommand;
use crate::exit::CliError;
use latchkey_dbus::SyncProxy;
use std::path::Path;

/// Runs one `sync` subcommand.
pub async fn run(conn: &zbus::Connection, command: SyncCommand) -> Result<(), CliError> {
    let proxy = SyncProxy::new(conn).await?;
    match command {
        SyncCommand::Enable { folder, name } => {
            let folder = absolute(&folder)?;
            let id = proxy.enable(&folder, &name).await?;
            println!("Sync is on: this machine ({id}) writes to {folder}/Latchkey.");
            println!(
                "Next machine: run `latchkey sync invite` here, then `latchkey sync join FOLDER CODE` there."
            );
            Ok(())
        }
        SyncCommand::Invite(j) => {
            let (code, expires) = proxy.invite().await?;
            if j.json {
                print_json(&serde_json::json!({"code": code, "expires": expires}));
            } else {
                println!("{code}");
                eprintln!(
                    "On the other machine: latchkey sync join FOLDER {code}\n\
                     The code works once, until {}; it gives every account, so use it only on your own machine.",
                    utc(expires)
                );
            }
            Ok(())
        }
        SyncCommand::Join { folder, code, name } => {
            let folder = absolute(&folder)?;
            let id = proxy.join(&folder, &code, &name).await?;
            println!(
                "Asked to join as {id}. The inviting machine admits this one when it sees the request in the folder (it must be running and unlocked); then both merge."
            );
            Ok(())
        }
        SyncCommand::Status(j) => status(&proxy, j.json).await,
        SyncCommand::Devices(j) => devices(&proxy, j.json).await,
        SyncCommand::Forget { device } => {
            let id = proxy.forget(&device).await?;
            println!(
                "Forgot {id}: nothing is sealed for it any more, and its later files are refused."
            );
            Ok(())
        }
        SyncCommand::FollowAegis {
            folder,
            passphrase_stdin,
            stop,
        } => {
            if stop {
                proxy.stop_following_aegis().await?;
                println!("No longer following Aegis backups; the mirrored accounts stay.");
                return Ok(());
            }
            let Some(folder) = folder else {
                return Err(CliError::other("name the folder Aegis's backups arrive in"));
            };
            let folder = absolute(&folder)?;
            let password = crate::passphrase::Source::new(passphrase_stdin)
                .read("Aegis password (of the backups): ")?;
            proxy.follow_aegis(&folder, &password).await?;
            println!(
                "Following the Aegis backups in {folder}: the newest is mirrored now and whenever a newer one arrives (while the vault is unlocked)."
            );
            Ok(())
        }
        SyncCommand::Disable => {
            proxy.disable().await?;
            println!(
                "Sync is off on this machine; its accounts stay. Its replica is still in the folder: delete it there if you like."
            );
            Ok(())
        }
    }
}

/// The folder as an absolute path (the daemon does not know the CLI's working directory).
fn absolute(folder: &Path) -> Result<String, CliError> {
    let path = std::fs::canonicalize(folder)
        .map_err(|e| CliError::other(format!("cannot use {}: {e}", folder.display())))?;
    path.to_str()
        .map(str::to_owned)
        .ok_or_else(|| CliError::other("the folder's path is not UTF-8"))
}

async fn status(proxy: &SyncProxy<'_>, json: bool) -> Result<(), CliError> {
    let enabled = proxy.enabled().await?;
    let (folder, device, name) = (
        proxy.folder().await?,
        proxy.device_id().await?,
        proxy.device_name().await?,
    );
    let (joining, join_error) = (proxy.joining().await?, proxy.join_error().await?);
    let forgotten = proxy.forgotten().await?;
    let (last_merge, summary) = (proxy.last_merge().await?, proxy.last_merge_summary().await?);
    let (last_write, last_error) = (proxy.last_write().await?, proxy.last_error().await?);
    let (aegis_folder, aegis_backup, aegis_error) = (
        proxy.aegis_folder().await?,
        proxy.aegis_backup().await?,
        proxy.aegis_error().await?,
    );
    if json {
        print_json(&serde_json::json!({
            "enabled": enabled, "folder": folder, "device": device, "name": name,
            "joining": joining, "join_error": join_error, "forgotten": forgotten, "last_merge": last_merge,
            "last_merge_summary": summary, "last_write": last_write, "last_error": last_error,
            "aegis_folder": aegis_folder, "aegis_backup": aegis_backup, "aegis_error": aegis_error,
        }));
        return Ok(());
    }
    if !aegis_folder.is_empty() {
        println!("Following Aegis backups in {aegis_folder} (last mirrored: {aegis_backup})");
        if !aegis_error.is_empty() {
            eprintln!("Aegis problem: {aegis_error}");
        }
    }
    if !enabled {
        println!("Sync is off (or the vault has not been unlocked since the daemon started).");
        return Ok(());
    }
    println!("Sync is on: {folder}/Latchkey");
    println!("This machine: {name} ({device})");
    if !join_error.is_empty() {
        println!("Not admitted: {join_error}");
    } else if joining {
        println!("Waiting for the inviting machine to admit this one.");
    }
    if forgotten {
        println!(
            "Another machine forgot this one: its changes are ignored. Disable sync and join again."
        );
    }
    if last_write > 0 {
        println!("Last written: {}", utc(last_write));
    }
    if last_merge > 0 {
        println!("Last merge: {} ({summary})", utc(last_merge));
    }
    if !last_error.is_empty() {
        eprintln!("Problem: {last_error}");
    }
    Ok(())
}

async fn devices(proxy: &SyncProxy<'_>, json: bool) -> Result<(), CliError> {
    let list = proxy.list_devices().await?;
    if json {
        print_json(&serde_json::json!(
            list.iter()
                .map(|d| serde_json::json!({
                    "id": d.id, "name": d.name, "this_device": d.this_device,
                    "last_seen": d.last_seen, "forgotten": d.forgotten,
                }))
                .collect::<Vec<_>>()
        ));
        return Ok(());
    }
    if list.is_empty() {
        println!("Sync is off.");
    }
    for d in &list {
        let seen = if d.this_device {
            "this machine".to_string()
        } else if d.last_seen == 0 {
            "not seen yet".to_string()
        } else {
            format!("last seen {}", utc(d.last_seen))
        };
        let gone = if d.forgotten { ", forgotten" } else { "" };
        let name = if d.name.is_empty() {
            "(unnamed)"
        } else {
            &d.name
        };
        println!("{}  {name}  ({seen}{gone})", d.id);
    }
    Ok(())
}
