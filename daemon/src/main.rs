//! latchkeyd: the Latchkey daemon. Runs in the foreground; logs to the journal under systemd,
//! to stderr otherwise.

use clap::{CommandFactory, Parser};
use latchkeyd::service::{self, Options};
use std::path::PathBuf;

/// Every heap buffer is wiped when freed, so seeds that pass through buffers we do not own
/// (D-Bus messages, parser scratch space) do not outlive them.
#[global_allocator]
static ALLOCATOR: zeroizing_alloc::ZeroAlloc<std::alloc::System> =
    zeroizing_alloc::ZeroAlloc(std::alloc::System);

/// latchkeyd: Latchkey's daemon. It owns the encrypted vault, computes codes, locks itself and
/// delivers approval requests, and serves them on the session bus as org.latchkey.Latchkey1.
///
/// It is started by systemd (the latchkeyd.service user unit) or by D-Bus activation when a
/// client first asks; it runs in the foreground and logs to the journal, or to stderr. SIGHUP
/// reloads the settings.
#[derive(Debug, Parser)]
#[command(name = "latchkeyd", version, about, long_about)]
struct Args {
    /// The vault file [default: $XDG_DATA_HOME/latchkey/vault.latchkey].
    #[arg(long, value_name = "PATH")]
    vault: Option<PathBuf>,
    /// The settings file [default: $XDG_CONFIG_HOME/latchkey/config.toml].
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Print this manual page (roff) and exit, as the package installs it.
    #[arg(long, hide = true)]
    manual: bool,
}

fn parse_args() -> anyhow::Result<Option<Options>> {
    let args = Args::parse();
    if args.manual {
        clap_mangen::Man::new(Args::command())
            .section("1")
            .render(&mut std::io::stdout())?;
        return Ok(None);
    }
    Ok(Some(Options {
        vault: args.vault.unwrap_or_else(latchkeyd::paths::default_vault),
        config: args
            .config
            .unwrap_or_else(latchkeyd::settings::default_path),
    }))
}

fn main() -> anyhow::Result<()> {
    let Some(opts) = parse_args()? else {
        return Ok(());
    };
    service::harden_process();
    let config = service::load_config(&opts);
    let levels = latchkeyd::logging::init(&config.log_level);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(service::run(opts, config, levels))
}
