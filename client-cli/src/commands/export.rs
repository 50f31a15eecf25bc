//! `export`: asks the daemon for the accounts in one format (after the vault passphrase) and
//! writes them to a file (0600, atomic, never over a file without --force) or stdout.

use crate::args::{ExportArgs, ExportFormat};
use crate::exit::{CliError, USAGE};
use crate::passphrase::Source;
use latchkey_dbus::BackupProxy;
use std::io::{IsTerminal, Write};
use zeroize::Zeroizing;

/// Exports every account as `a` asks.
pub async fn export(conn: &zbus::Connection, a: ExportArgs) -> Result<(), CliError> {
    let plaintext_format = !matches!(a.format, ExportFormat::Latchkey | ExportFormat::Aegis);
    if a.format == ExportFormat::Latchkey && a.plaintext {
        return Err(CliError::new(
            USAGE,
            "latchkey backups are always encrypted; drop --plaintext",
        ));
    }
    if plaintext_format && !a.plaintext {
        return Err(CliError::new(
            USAGE,
            "this format holds every secret in the clear: add --plaintext (or use --format \
             latchkey or aegis, which are encrypted)",
        ));
    }
    let stdout_tty = std::io::stdout().is_terminal();
    let format = match a.format {
        ExportFormat::Latchkey => "latchkey",
        ExportFormat::Aegis => "aegis",
        ExportFormat::Uris => "uris",
        ExportFormat::Qr if a.output.is_none() && stdout_tty => "qr-text",
        ExportFormat::Qr => "qr",
        ExportFormat::Google if a.output.is_none() && stdout_tty => "google-text",
        ExportFormat::Google => "google",
        ExportFormat::GoogleUris => "google-uris",
    };
    if a.output.is_none() && stdout_tty && matches!(format, "latchkey" | "qr" | "google") {
        return Err(CliError::new(
            USAGE,
            "this format is binary: write it with --output FILE or redirect stdout",
        ));
    }
    if let Some(path) = &a.output
        && !a.force
        && std::fs::symlink_metadata(path).is_ok()
    {
        return Err(CliError::other(format!(
            "{} already exists; choose another file or pass --force",
            path.display()
        )));
    }
    if a.plaintext && !a.yes {
        confirm_plaintext()?;
    }
    let passphrase = Source::new(a.passphrase_stdin).read("Vault passphrase (to export): ")?;
    let proxy = BackupProxy::new(conn).await?;
    let data = Zeroizing::new(proxy.export(format, &passphrase, a.plaintext).await?);
    match &a.output {
        Some(path) => {
            let written = if a.force {
                crate::files::write_atomic(path, &data, 0o600)
            } else {
                crate::files::write_new_atomic(path, &data, 0o600)
            };
            written
                .map_err(|e| CliError::other(format!("cannot write {}: {e}", path.display())))?;
            eprintln!("Exported to {} ({format}).", path.display());
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&data)
                .and_then(|()| out.flush())
                .map_err(|e| CliError::other(format!("cannot write to stdout: {e}")))?;
        }
    }
    Ok(())
}

/// Asks the person at the terminal to confirm; when stdin is not a terminal (a script, or a
/// piped passphrase) --yes is required instead.
fn confirm_plaintext() -> Result<(), CliError> {
    let refuse = || {
        CliError::new(
            USAGE,
            "a plaintext export needs confirmation: run it in a terminal, or add --yes",
        )
    };
    if !std::io::stdin().is_terminal() {
        return Err(refuse());
    }
    eprint!(
        "The export will hold every secret in the clear: anyone who reads the file can make \
         your codes.\nType \"yes\" to continue: "
    );
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|_| refuse())?;
    if answer.trim().eq_ignore_ascii_case("yes") {
        Ok(())
    } else {
        Err(CliError::other("not confirmed; nothing was exported"))
    }
}
