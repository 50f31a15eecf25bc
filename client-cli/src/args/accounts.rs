//! Arguments of the account commands: add, code, remove, rename, sites.

use clap::{Args, ValueEnum};

/// The OTP kinds `add` can create from fields.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AlgorithmArg {
    Sha1,
    Sha256,
    Sha512,
}

// `latchkey add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// An otpauth:// URI. Prefer "-", which reads it from stdin: on the command line the secret
    /// is visible to other programs (ps, /proc) and kept in your shell history.
    #[arg(conflicts_with_all = ["issuer", "account", "secret"])]
    pub uri: Option<String>,
    /// Who issued the account (e.g. GitHub).
    #[arg(long)]
    pub issuer: Option<String>,
    /// The account name (e.g. alice@example.com).
    #[arg(long)]
    pub account: Option<String>,
    /// The base32 secret; prefer "-", which reads it from stdin (on the command line it is
    /// visible to other programs and kept in your shell history).
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

// `latchkey code`.
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

// `latchkey remove`.
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// The account id.
    pub id: String,
    /// Confirm the removal (required: there is no undo).
    #[arg(long)]
    pub yes: bool,
}

// `latchkey rename`.
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

// `latchkey sites`.
#[derive(Debug, Args)]
pub struct SitesArgs {
    /// The account id.
    pub id: String,
    /// Add a site: a host name (github.com) or a web address (https://github.com/login).
    #[arg(long, value_name = "SITE")]
    pub add: Vec<String>,
    /// Remove a site.
    #[arg(long, value_name = "SITE")]
    pub remove: Vec<String>,
    /// Remove every site (browser fill then guesses from the issuer, and asks you to confirm).
    #[arg(long, conflicts_with_all = ["add", "remove"])]
    pub clear: bool,
    /// Print JSON ({"id", "sites"}).
    #[arg(long)]
    pub json: bool,
}
