//! Command-line syntax. This is a public contract used by scripts: keep it stable.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// latchkey: one-time codes from the Latchkey daemon, for terminals and scripts.
#[derive(Debug, Parser)]
#[command(name = "latchkey", version, about, after_help = crate::exit::EXIT_CODES_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Every subcommand.
#[derive(Debug, Subcommand)]
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
    /// Import accounts from Aegis, 2FAS, andOTP, FreeOTP+ or Bitwarden exports, QR code images,
    /// Google Authenticator otpauth-migration:// URIs or lists of otpauth:// URIs (FILE, "-" for
    /// stdin, or the URI itself); all or nothing.
    Import(ImportArgs),
    /// Export every account (asks for the vault passphrase again). Encrypted: latchkey (backup
    /// format), aegis (JSON Aegis imports). In the clear, only with --plaintext: aegis, uris, qr.
    Export(ExportArgs),
    /// Encrypted automatic backups: list, now, restore FILE.
    #[command(subcommand)]
    Backup(BackupCommand),
    /// Install or remove latchkeyd as a systemd user service with D-Bus activation.
    #[command(subcommand)]
    Service(ServiceCommand),
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
}

/// `latchkey approvals [watch]`.
#[derive(Debug, Args)]
pub struct ApprovalsArgs {
    /// `watch`: print each new request and answer it on the terminal.
    #[arg(value_parser = ["watch"])]
    pub watch: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// A request id (`7`, as `latchkey approvals` shows it, or the object path).
#[derive(Debug, Args)]
pub struct IdArg {
    /// The request id.
    pub id: String,
}

/// `latchkey approve`.
#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// The request id.
    pub id: String,
    /// The number the requester shows (number matching).
    #[arg(long)]
    pub number: Option<u32>,
    /// For a push sign-in with a presence check: the answer the sign-in page shows.
    #[arg(long, conflicts_with = "number")]
    pub answer: Option<String>,
    /// For an access request: remember the permission.
    #[arg(long)]
    pub always: bool,
}

/// `latchkey request-approval`.
#[derive(Debug, Args)]
pub struct RequestApprovalArgs {
    /// What the user is asked to approve.
    #[arg(long)]
    pub title: String,
    /// More detail.
    #[arg(long, default_value = "")]
    pub message: String,
    /// The user must pick the number this command prints.
    #[arg(long)]
    pub number_matching: bool,
    /// Seconds to wait (1–300, default 60).
    #[arg(long)]
    pub timeout: Option<u32>,
    /// The application name to show (as stated by you).
    #[arg(long)]
    pub app_name: Option<String>,
}

/// `latchkey access`.
#[derive(Debug, Subcommand)]
pub enum AccessCommand {
    /// List remembered decisions.
    List(JsonOpt),
    /// Allow an app ahead of time (e.g. a script): `exe:/usr/bin/python3` or `flatpak:org.example.App`.
    Allow {
        /// `flatpak:<app id>` or `exe:<path>`.
        identity: String,
        /// Only this account (default: every account and the list).
        #[arg(long)]
        account: Option<String>,
    },
    /// Forget decisions for an identity (as `access list` shows it).
    Revoke {
        /// `flatpak:<app id>` or `exe:<path>`.
        identity: String,
        /// Only this account's decision.
        #[arg(long)]
        account: Option<String>,
    },
}

/// `latchkey activity`.
#[derive(Debug, Args)]
pub struct ActivityArgs {
    /// How many entries.
    #[arg(long, short = 'n', default_value_t = 50)]
    pub limit: u32,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `latchkey config`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print one setting, or all.
    Get { key: Option<String> },
    /// Change a setting (saved to config.toml and applied at once).
    Set { key: String, value: String },
}

/// `latchkey keyring`.
#[derive(Debug, Subcommand)]
pub enum KeyringCommand {
    /// Store a random unlock key in the login keyring (the vault must be unlocked).
    Enable,
    /// Remove the keyring slot and the key.
    Disable,
    /// Whether keyring unlock is enabled.
    Status(JsonOpt),
}

/// `latchkey service`.
#[derive(Debug, Subcommand)]
pub enum ServiceCommand {
    /// Install the user unit and the D-Bus activation file; enable the unit where systemd runs.
    Install(InstallArgs),
    /// Disable the unit where systemd runs and remove the files `install` wrote.
    Uninstall,
}

/// `latchkey service install`.
#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Also install the namespacing drop-in (needs unprivileged user namespaces; see docs/systemd.md).
    #[arg(long)]
    pub sandbox: bool,
    /// The latchkeyd binary to run (default: latchkeyd next to this latchkey).
    #[arg(long, value_name = "PATH")]
    pub daemon: Option<std::path::PathBuf>,
}

/// `latchkey diagnostics`.
#[derive(Debug, Args)]
pub struct DiagnosticsArgs {
    /// Write the report to FILE (mode 0600) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
    /// Overwrite FILE if it exists.
    #[arg(long, requires = "output")]
    pub force: bool,
}

/// How a passphrase is read.
#[derive(Debug, Args)]
pub struct PassphraseOpt {
    /// Read the passphrase as one line from standard input instead of the terminal.
    #[arg(long)]
    pub passphrase_stdin: bool,
}

/// Machine-readable output.
#[derive(Debug, Args)]
pub struct JsonOpt {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// The OTP kinds `add` can create from fields.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AlgorithmArg {
    Sha1,
    Sha256,
    Sha512,
}

/// `latchkey add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// An otpauth:// URI, or "-" to read it from stdin (keeps the secret out of `ps`).
    #[arg(conflicts_with_all = ["issuer", "account", "secret"])]
    pub uri: Option<String>,
    /// Who issued the account (e.g. GitHub).
    #[arg(long)]
    pub issuer: Option<String>,
    /// The account name (e.g. alice@example.com).
    #[arg(long)]
    pub account: Option<String>,
    /// The base32 secret ("-" reads it from stdin).
    #[arg(long)]
    pub secret: Option<String>,
    /// HMAC algorithm.
    #[arg(long, value_enum, default_value = "sha1")]
    pub algorithm: AlgorithmArg,
    /// Number of digits (6–10).
    #[arg(long, default_value_t = 6)]
    pub digits: u32,
    /// TOTP period in seconds.
    #[arg(long, default_value_t = 30)]
    pub period: u32,
    /// Counter-based (HOTP) instead of time-based.
    #[arg(long, conflicts_with = "steam")]
    pub hotp: bool,
    /// Initial HOTP counter.
    #[arg(long, requires = "hotp", default_value_t = 0)]
    pub counter: u64,
    /// Steam Guard (5 characters, 30 s).
    #[arg(long)]
    pub steam: bool,
    /// Print JSON ({"id": ...}).
    #[arg(long)]
    pub json: bool,
}

/// Export formats `import` understands by name (auto detects every one of them).
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ImportFormat {
    Auto,
    Aegis,
    Google,
    #[value(name = "2fas")]
    TwoFas,
    Andotp,
    Freeotp,
    Bitwarden,
    /// A PNG or JPEG image of one or more QR codes.
    Qr,
    Uris,
    /// A Latchkey backup or `latchkey export --format latchkey` file.
    Latchkey,
}

/// `latchkey import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The export file, "-" to read it from stdin, or an otpauth-migration:// or otpauth:// URI.
    pub source: String,
    /// The export's format (auto: detect it).
    #[arg(long, value_enum, default_value = "auto")]
    pub format: ImportFormat,
    /// Read the passphrase of an encrypted export as one line from stdin instead of the terminal.
    #[arg(long)]
    pub passphrase_stdin: bool,
    /// Report what would be imported without adding anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Print JSON ({"dry_run", "added", "skipped", "failed", "notes"}).
    #[arg(long)]
    pub json: bool,
}

/// `latchkey code`.
#[derive(Debug, Args)]
pub struct CodeArgs {
    /// An account id, or a case-insensitive part of its issuer or account name.
    pub query: String,
    /// Print JSON ({"id", "code", "valid_until", "period"}).
    #[arg(long)]
    pub json: bool,
    /// Print only the code.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `latchkey remove`.
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// The account id.
    pub id: String,
    /// Confirm the removal (required: there is no undo).
    #[arg(long)]
    pub yes: bool,
}

/// `latchkey rename`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("fields").required(true).multiple(true))]
pub struct RenameArgs {
    /// The account id.
    pub id: String,
    /// New issuer.
    #[arg(long, group = "fields")]
    pub issuer: Option<String>,
    /// New account name.
    #[arg(long, group = "fields")]
    pub account: Option<String>,
}

/// Formats `latchkey export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// Latchkey's backup format (always encrypted; `latchkey backup restore` or `import` reads it).
    Latchkey,
    /// Aegis JSON, encrypted with the vault passphrase (plain with --plaintext).
    Aegis,
    /// otpauth:// URIs, one per line (needs --plaintext).
    Uris,
    /// QR codes: a PNG with --output or when redirected, text on a terminal (needs --plaintext).
    Qr,
}

/// `latchkey export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// What to write.
    #[arg(long, value_enum, default_value = "latchkey")]
    pub format: ExportFormat,
    /// Write to FILE (0600, atomically; never over an existing file without --force) instead
    /// of stdout.
    #[arg(long, short)]
    pub output: Option<std::path::PathBuf>,
    /// Allow a format that holds every secret in the clear.
    #[arg(long)]
    pub plaintext: bool,
    /// Do not ask to confirm a plaintext export (for scripts).
    #[arg(long)]
    pub yes: bool,
    /// Replace --output if it exists.
    #[arg(long)]
    pub force: bool,
    /// Read the vault passphrase as one line from stdin instead of the terminal.
    #[arg(long)]
    pub passphrase_stdin: bool,
}

/// `latchkey backup`.
#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// List the backups in the backup folder, oldest first.
    List(JsonOpt),
    /// Write a backup now (the vault must be unlocked).
    Now,
    /// Restore FILE: without a vault it becomes the vault; with an unlocked vault its accounts
    /// are merged (duplicates skipped). Asks for the passphrase the backup was made with.
    Restore {
        /// The backup file.
        file: std::path::PathBuf,
        /// Read the passphrase as one line from stdin instead of the terminal.
        #[arg(long)]
        passphrase_stdin: bool,
    },
}
