//! Arguments of the commands that move accounts in and out: import, export, backup.

use super::JsonOpt;
use clap::{Args, Subcommand, ValueEnum};

/// Export formats `import` understands by name (auto detects every one of them by content).
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ImportFormat {
    Auto,
    Aegis,
    #[value(name = "2fas")]
    TwoFas,
    Andotp,
    /// Authenticator Plus's encrypted export (a ZIP).
    AuthenticatorPlus,
    /// Authy's token preferences (from a rooted phone).
    Authy,
    /// Battle.net Authenticator's preferences (from a rooted phone).
    Battlenet,
    /// Bitwarden's JSON or CSV export.
    Bitwarden,
    /// Duo Mobile's accounts.json (from a rooted phone).
    Duo,
    /// Ente Auth's plain or encrypted export.
    Ente,
    /// FreeOTP's tokens.xml (also FreeOTP+'s) or FreeOTP 2's encrypted backup.
    Freeotp,
    /// FreeOTP+'s JSON export.
    FreeotpPlus,
    /// Google Authenticator: otpauth-migration:// URIs or the app's database.
    Google,
    /// A KeePass or KeePassXC database (KDBX 3.1 or 4).
    Kdbx,
    /// Microsoft Authenticator's database (from a rooted phone or a device backup).
    Microsoft,
    /// Proton Authenticator's JSON export.
    Proton,
    /// A Steam Desktop Authenticator maFile.
    Steam,
    /// Stratum (Authenticator Pro): backup, encrypted backup or database.
    Stratum,
    /// TOTP Authenticator's backup or preferences.
    TotpAuthenticator,
    /// WinAuth's text export.
    Winauth,
    /// A PNG or JPEG image of one or more QR codes.
    Qr,
    Uris,
    /// A Latchkey backup or `latchkey export --format latchkey` file.
    Latchkey,
}

// `latchkey import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The export file, "-" to read it from stdin, or an otpauth-migration:// or otpauth:// URI.
    pub source: String,
    /// The export's format (auto: detect it).
    #[arg(long, value_enum, default_value = "auto")]
    pub format: ImportFormat,
    /// Read the passphrase of an encrypted export as one line from stdin instead of the terminal
    /// (read only when the export turns out to be encrypted).
    #[arg(long)]
    pub passphrase_stdin: bool,
    /// Report what would be imported without adding anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Print JSON ({"dry_run", "added", "skipped", "failed", "notes"}).
    #[arg(long)]
    pub json: bool,
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
    /// Google Authenticator's transfer QR codes (up to 10 accounts each), which Google
    /// Authenticator and most phone apps import: PNG or terminal text like qr (needs --plaintext).
    Google,
    /// The transfer codes' otpauth-migration:// URIs, one per line (needs --plaintext).
    GoogleUris,
}

// `latchkey export`.
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
#[command(defer = true)]
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
