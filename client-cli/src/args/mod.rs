//! Command-line syntax. This is a public contract used by scripts: keep it stable.
//!
//! The top level and the options several commands share live here; each group of commands'
//! arguments has its module: `accounts`, `transfer` (import, export, backup), `approvals`,
//! `system` (config, keyring, service, diagnostics).

mod accounts;
mod approvals;
mod sync;
mod system;
mod transfer;

pub use accounts::{AddArgs, AlgorithmArg, CodeArgs, RemoveArgs, RenameArgs, SitesArgs};
pub use approvals::{
    AccessCommand, ActivityArgs, ApprovalsArgs, ApproveArgs, IdArg, RequestApprovalArgs,
};
pub use sync::SyncCommand;
pub use system::{
    BrowserCommand, BrowserName, ConfigCommand, DiagnosticsArgs, InstallArgs, KeyringCommand,
    ServiceCommand,
};
pub use transfer::{BackupCommand, ExportArgs, ExportFormat, ImportArgs, ImportFormat};

use clap::{Args, Parser, Subcommand};

/// latchkey: one-time codes from the Latchkey daemon, for terminals and scripts.
#[derive(Debug, Parser)]
#[command(name = "latchkey", version, about, after_help = crate::exit::EXIT_CODES_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Every subcommand.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum Command {
    /// Create a new vault and leave it unlocked.
    Init(PassphraseOpt),
    /// Unlock the vault.
    Unlock(PassphraseOpt),
    /// Lock the vault (the daemon wipes keys and seeds from memory).
    Lock,
    /// Change the vault passphrase (with --passphrase-stdin: old on the first line, new on the second).
    Passwd(PassphraseOpt),
    /// Show whether the vault is locked and how many accounts it has.
    Status(JsonOpt),
    /// Add an account from an otpauth:// URI ("-" reads it from stdin) or from fields.
    Add(AddArgs),
    /// List accounts (metadata only).
    List(JsonOpt),
    /// Show the current code of one account.
    Code(CodeArgs),
    /// Remove an account.
    Remove(RemoveArgs),
    /// Change an account's issuer or account name.
    Rename(RenameArgs),
    /// Show or change the sites an account's codes are typed into, for browser fill (--add,
    /// --remove, --clear).
    Sites(SitesArgs),
    /// Import accounts from another authenticator's export, database or backup (Aegis, 2FAS,
    /// andOTP, Authy, Bitwarden, Ente Auth, FreeOTP, Google Authenticator, KeePass, Microsoft
    /// Authenticator, Stratum, … see --format), QR code images or otpauth:// URIs (FILE, "-" for
    /// stdin, or the URI itself); the format is recognised by content; all or nothing.
    Import(ImportArgs),
    /// Export every account (asks for the vault passphrase again). Encrypted: latchkey (backup
    /// format), aegis (JSON Aegis imports). In the clear, only with --plaintext: aegis, uris, qr,
    /// google (Google Authenticator transfer codes), google-uris.
    Export(ExportArgs),
    /// Encrypted automatic backups: list, now, restore FILE.
    #[command(subcommand)]
    Backup(BackupCommand),
    /// Install or remove latchkeyd as a systemd user service with D-Bus activation.
    #[command(subcommand)]
    Service(ServiceCommand),
    /// Browser fill: install, uninstall or show the native-messaging host manifests for Firefox,
    /// Chromium and Google Chrome (docs/browser.md).
    #[command(subcommand)]
    Browser(BrowserCommand),
    /// Check the daemon, the clock, the vault's permissions and the service files; say what to fix.
    Doctor,
    /// Print a redacted report to attach to a bug report (no seeds, codes or account names).
    Diagnostics(DiagnosticsArgs),
    /// List pending approval and access requests; `approvals watch` answers them as they come.
    Approvals(ApprovalsArgs),
    /// Approve a request (with --number for number matching; --always for access requests).
    Approve(ApproveArgs),
    /// Deny a request.
    Deny(IdArg),
    /// Ask the user to approve (for scripts and pam_exec); prints the number to show, waits, and
    /// exits 0 approved, 10 denied, 11 wrong number, 12 expired, 13 cancelled.
    RequestApproval(RequestApprovalArgs),
    /// Apps allowed or denied access to codes: list, or revoke so they are asked again.
    #[command(subcommand)]
    Access(AccessCommand),
    /// The activity log: approval and access decisions.
    Activity(ActivityArgs),
    /// Read or change settings (auto_lock_timeout, lock_on_screen_lock, lock_on_suspend,
    /// lock_on_session_idle, approval_requires_unlock, require_app_consent, log_level,
    /// automatic_backups, backup_folder, backup_keep).
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Unlock through the login keyring (opt-in): enable, disable, status.
    #[command(subcommand)]
    Keyring(KeyringCommand),
    /// Sync with your other machines through a folder you already sync (Syncthing, Nextcloud):
    /// enable, invite, join, status, devices, forget, disable.
    #[command(subcommand)]
    Sync(SyncCommand),
    /// Print the completion script of a shell (bash, zsh, fish), e.g.
    /// `latchkey completions bash > ~/.local/share/bash-completion/completions/latchkey`.
    Completions(CompletionsArgs),
    /// Print the manual page (roff), as the package installs it.
    #[command(hide = true)]
    Manual,
}

// `latchkey completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: clap_complete::Shell,
}

// How a passphrase is read.
#[derive(Debug, Args)]
pub struct PassphraseOpt {
    /// Read the passphrase as one line from standard input instead of the terminal.
    #[arg(long)]
    pub passphrase_stdin: bool,
}

// Machine-readable output.
#[derive(Debug, Args)]
pub struct JsonOpt {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}
