//! `backup list|now|restore FILE`: the daemon's automatic backups. The CLI reads the file to
//! restore and sends its bytes; the daemon never opens a path it is given.

use super::print_json;
use crate::args::BackupCommand;
use crate::exit::CliError;
use crate::passphrase::Source;
use latchkey_dbus::BackupProxy;
use std::io::Read;
use zeroize::Zeroizing;

/// Largest file read for a restore: a vault's own limit (64 MiB body plus headers).
const MAX_BACKUP: u64 = 66 * 1024 * 1024;

/// Runs one `backup` subcommand.
pub async fn run(conn: &zbus::Connection, command: BackupCommand) -> Result<(), CliError> {
    let proxy = BackupProxy::new(conn).await?;
    match command {
        BackupCommand::List(j) => list(&proxy, j.json).await,
        BackupCommand::Now => {
            let file = proxy.backup_now().await?;
            println!(
                "{}",
                proxy.folder().await?.trim_end_matches('/').to_owned() + "/" + &file
            );
            Ok(())
        }
        BackupCommand::Restore {
            file,
            passphrase_stdin,
        } => {
            let mut data = Zeroizing::new(Vec::new());
            std::fs::File::open(&file)
                .and_then(|f| f.take(MAX_BACKUP + 1).read_to_end(&mut data))
                .map_err(|e| CliError::other(format!("cannot read {}: {e}", file.display())))?;
            let passphrase =
                Source::new(passphrase_stdin).read("Passphrase the backup was made with: ")?;
            let (outcome, added, skipped) = proxy.restore(&data, &passphrase).await?;
            if outcome == "created" {
                println!("Restored {added} account(s) as the vault; it is unlocked.");
            } else {
                println!("Merged the backup: {added} account(s) added, {skipped} already there.");
            }
            Ok(())
        }
    }
}

async fn list(proxy: &BackupProxy<'_>, json: bool) -> Result<(), CliError> {
    let (folder, backups) = proxy.list_backups().await?;
    let last_error = proxy.last_backup_error().await?;
    if json {
        print_json(&serde_json::json!({
            "folder": folder,
            "last_error": last_error,
            "backups": backups.iter().map(|(file, time, size, ours)| serde_json::json!({
                "file": file, "time": time, "size": size, "this_machine": ours,
            })).collect::<Vec<_>>(),
        }));
        return Ok(());
    }
    println!("Backup folder: {folder}");
    if backups.is_empty() {
        println!("No backups yet.");
    }
    for (file, time, size, ours) in &backups {
        let other = if *ours { "" } else { "  (another machine)" };
        println!(
            "{}  {size:>8} B  {file}{other}",
            super::diagnostics::utc(*time)
        );
    }
    if !last_error.is_empty() {
        eprintln!("The last backup failed: {last_error}");
    }
    Ok(())
}
