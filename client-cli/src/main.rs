//! latchkey: the command-line client of the Latchkey daemon.

mod args;
mod bus;
mod clock;
mod commands;
mod exit;
mod files;
mod passphrase;
mod paths;
mod process;
mod redact;
mod systemd;
mod units;

use args::{Cli, Command, ServiceCommand};
use clap::Parser;
use exit::CliError;
use latchkey_dbus::VaultProxy;
use std::process::ExitCode;

async fn run(cli: Cli) -> Result<(), CliError> {
    // These work without a bus or a daemon: they install one, or report that it is missing.
    let command = match cli.command {
        Command::Service(ServiceCommand::Install(a)) => return commands::service::install(a).await,
        Command::Service(ServiceCommand::Uninstall) => return commands::service::uninstall().await,
        Command::Doctor => return commands::doctor::doctor().await,
        Command::Diagnostics(a) => return commands::diagnostics::diagnostics(a).await,
        other => other,
    };
    let conn = bus::session().await?;
    let vault = VaultProxy::new(&conn).await?;
    match command {
        Command::Init(p) => commands::vault::init(&vault, p.passphrase_stdin).await,
        Command::Unlock(p) => commands::vault::unlock(&vault, p.passphrase_stdin).await,
        Command::Lock => commands::vault::lock(&vault).await,
        Command::Passwd(p) => commands::vault::passwd(&vault, p.passphrase_stdin).await,
        Command::Status(j) => commands::vault::status(&vault, j.json).await,
        Command::Add(a) => commands::accounts::add(&vault, a).await,
        Command::List(j) => commands::accounts::list(&vault, j.json).await,
        Command::Code(c) => commands::code::code(&vault, c).await,
        Command::Remove(r) => commands::accounts::remove(&vault, r).await,
        Command::Rename(r) => commands::accounts::rename(&vault, r).await,
        Command::Service(_) | Command::Doctor | Command::Diagnostics(_) => Ok(()),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("latchkey: cannot start: {e}");
            return ExitCode::from(exit::FAILURE);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(e) => {
            eprintln!("latchkey: {}", e.message);
            ExitCode::from(e.code)
        }
    }
}
