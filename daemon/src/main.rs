//! latchkeyd: the Latchkey daemon. Runs in the foreground; logs to the journal under systemd,
//! to stderr otherwise.

use anyhow::Context;
use latchkeyd::service::{self, Options};
use std::path::PathBuf;

/// Every heap buffer is wiped when freed, so seeds that pass through buffers we do not own
/// (D-Bus messages, parser scratch space) do not outlive them.
#[global_allocator]
static ALLOCATOR: zeroizing_alloc::ZeroAlloc<std::alloc::System> =
    zeroizing_alloc::ZeroAlloc(std::alloc::System);

const USAGE: &str = "usage: latchkeyd [--vault PATH] [--config PATH]

Serves org.latchkey.Latchkey1 on the session bus.
The vault defaults to $XDG_DATA_HOME/latchkey/vault.latchkey,
the settings to $XDG_CONFIG_HOME/latchkey/config.toml (SIGHUP reloads them).";

fn parse_args() -> anyhow::Result<Option<Options>> {
    let mut opts = Options {
        vault: latchkeyd::paths::default_vault(),
        config: latchkeyd::settings::default_path(),
    };
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--vault") => {
                opts.vault = PathBuf::from(args.next().context("--vault needs a path")?)
            }
            Some("--config") => {
                opts.config = PathBuf::from(args.next().context("--config needs a path")?)
            }
            Some("--version") => {
                println!("latchkeyd {}", env!("CARGO_PKG_VERSION"));
                return Ok(None);
            }
            Some("-h" | "--help") => {
                println!("{USAGE}");
                return Ok(None);
            }
            _ => anyhow::bail!("unknown argument {arg:?}\n{USAGE}"),
        }
    }
    Ok(Some(opts))
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
