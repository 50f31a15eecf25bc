//! Arguments of the commands about the daemon and its setup: config, keyring, service, browser,
//! diagnostics.

use super::JsonOpt;
use clap::{Args, Subcommand};

/// `latchkey config`.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum ConfigCommand {
    /// Print one setting, or all.
    Get { key: Option<String> },
    /// Change a setting (saved to config.toml and applied at once).
    Set { key: String, value: String },
}

/// `latchkey keyring`.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
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
#[command(defer = true)]
pub enum ServiceCommand {
    /// Install the user unit and the D-Bus activation file; enable the unit where systemd runs.
    Install(InstallArgs),
    /// Disable the unit where systemd runs and remove the files `install` wrote.
    Uninstall,
}

// `latchkey service install`.
#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Also install the namespacing drop-in (needs unprivileged user namespaces; see docs/systemd.md).
    #[arg(long)]
    pub sandbox: bool,
    /// The latchkeyd binary to run (default: latchkeyd next to this latchkey, or where the
    /// package installs it).
    #[arg(long, value_name = "PATH")]
    pub daemon: Option<std::path::PathBuf>,
}

/// `latchkey browser`.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum BrowserCommand {
    /// Write the host manifests Firefox, Chromium and Google Chrome read for this user, so
    /// Latchkey's extension (and no other) can start latchkey-browser-host.
    Install {
        /// The host program (default: latchkey-browser-host next to this latchkey, or where the
        /// package installs it).
        #[arg(long, value_name = "PATH")]
        host: Option<std::path::PathBuf>,
    },
    /// Remove the host manifests `install` wrote.
    Uninstall,
    /// Print the manifest BROWSER reads for the host at PATH, for a package to install
    /// system-wide (docs/packaging.md).
    Manifest {
        /// The browser whose manifest format to write.
        #[arg(value_enum)]
        browser: BrowserName,
        /// The host program's absolute path, as it will be installed.
        #[arg(long, value_name = "PATH")]
        host: std::path::PathBuf,
    },
    /// Show, for each browser, whether its manifest is installed and which host it starts.
    Status(JsonOpt),
}

/// A browser family, as `latchkey browser manifest` names it.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum BrowserName {
    Firefox,
    Chromium,
    Chrome,
}

// `latchkey diagnostics`.
#[derive(Debug, Args)]
pub struct DiagnosticsArgs {
    /// Write the report to FILE (mode 0600) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
    /// Overwrite FILE if it exists.
    #[arg(long, requires = "output")]
    pub force: bool,
}
