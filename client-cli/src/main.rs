//! latchkey: the command-line client of the Latchkey daemon.

mod args;
mod bus;
mod clock;
mod commands;
mod exit;
mod files;
mod passphrase;
mod paths;
mod person;
mod process;
mod redact;
mod systemd;
mod units;

use args::{AccessCommand, Cli, Command, ConfigCommand, KeyringCommand, ServiceCommand};
use clap::Parser;
use exit::CliError;
use latchkey_dbus::{AccessProxy, ApprovalsProxy, SettingsProxy, VaultProxy};
use std::process::ExitCode;

async fn run(cli: Cli) -> Result<(), CliError> {
    // These work without a bus or a daemon: they install one, or report that it is missing, or
    // describe the command line itself.
    let command = match cli.command {
        Command::Completions(c) => return commands::help::completions(c.shell),
        Command::Manual => return commands::help::manual(),
        Command::Service(ServiceCommand::Install(a)) => return commands::service::install(a).await,
        Command::Service(ServiceCommand::Uninstall) => return commands::service::uninstall().await,
        Command::Browser(b) => return commands::browser::run(b),
        Command::Doctor => return commands::doctor::doctor().await,
        Command::Diagnostics(a) => return commands::diagnostics::diagnostics(a).await,
        other => other,
    };
    let conn = bus::session().await?;
    // One command, then the process ends: no property cache (it would cost a GetAll and a
    // signal subscription before the first call).
    let vault = VaultProxy::builder(&conn)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await?;
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
        Command::Sites(s) => commands::accounts::sites(&vault, s).await,
        Command::Import(i) => commands::import::import(&vault, i).await,
        Command::Export(e) => commands::export::export(&conn, e).await,
        Command::Backup(b) => commands::backup::run(&conn, b).await,
        Command::Approvals(a) if a.watch.is_some() => {
            commands::approvals::watch(&ApprovalsProxy::new(&conn).await?).await
        }
        Command::Approvals(a) => {
            commands::approvals::list(&ApprovalsProxy::new(&conn).await?, a.json).await
        }
        Command::Approve(a) => {
            commands::approvals::approve(
                &ApprovalsProxy::new(&conn).await?,
                &a.id,
                a.number,
                a.answer.as_deref(),
                a.always,
            )
            .await
        }
        Command::Deny(a) => {
            commands::approvals::deny(&ApprovalsProxy::new(&conn).await?, &a.id).await
        }
        Command::RequestApproval(a) => {
            let request = commands::approvals::RequestArgs {
                title: &a.title,
                message: &a.message,
                number_matching: a.number_matching,
                timeout: a.timeout,
                app_name: a.app_name.as_deref(),
            };
            commands::approvals::request(&ApprovalsProxy::new(&conn).await?, request).await
        }
        Command::Access(AccessCommand::List(j)) => {
            commands::access::list(&AccessProxy::new(&conn).await?, j.json).await
        }
        Command::Access(AccessCommand::Allow { identity, account }) => {
            commands::access::allow(
                &AccessProxy::new(&conn).await?,
                &identity,
                account.as_deref(),
            )
            .await
        }
        Command::Access(AccessCommand::Revoke { identity, account }) => {
            commands::access::revoke(
                &AccessProxy::new(&conn).await?,
                &identity,
                account.as_deref(),
            )
            .await
        }
        Command::Activity(a) => {
            commands::access::activity(&ApprovalsProxy::new(&conn).await?, a.limit, a.json).await
        }
        Command::Config(ConfigCommand::Get { key }) => {
            commands::settings::get(&SettingsProxy::new(&conn).await?, key.as_deref()).await
        }
        Command::Config(ConfigCommand::Set { key, value }) => {
            commands::settings::set(&SettingsProxy::new(&conn).await?, &key, &value).await
        }
        Command::Keyring(KeyringCommand::Enable) => commands::vault::keyring_enable(&vault).await,
        Command::Keyring(KeyringCommand::Disable) => commands::vault::keyring_disable(&vault).await,
        Command::Keyring(KeyringCommand::Status(j)) => {
            commands::vault::keyring_status(&vault, j.json).await
        }
        Command::Sync(s) => commands::sync::run(&conn, s).await,
        Command::Service(_)
        | Command::Browser(_)
        | Command::Doctor
        | Command::Diagnostics(_)
        | Command::Completions(_)
        | Command::Manual => Ok(()),
    }
}

fn main() -> ExitCode {
    // Like any Unix filter, stop quietly when the reader goes away (`latchkey list | head`)
    // instead of panicking on a write to a closed pipe.
    // SAFETY: called before any thread starts; restores the default action of one signal.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
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
