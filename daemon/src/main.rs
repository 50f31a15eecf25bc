//! latchkeyd: the Latchkey daemon. Runs in the foreground and logs to stderr.

use anyhow::Context;
use latchkeyd::service::{self, Options};
use std::io::IsTerminal;
use std::path::PathBuf;

const USAGE: &str = "usage: latchkeyd [--vault PATH]\n\nServes org.latchkey.Latchkey1 on the session bus.\nThe vault defaults to $XDG_DATA_HOME/latchkey/vault.latchkey.";

fn parse_args() -> anyhow::Result<Option<Options>> {
    let mut vault = latchkeyd::paths::default_vault();
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--vault") => vault = PathBuf::from(args.next().context("--vault needs a path")?),
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
    Ok(Some(Options { vault }))
}

fn main() -> anyhow::Result<()> {
    let Some(opts) = parse_args()? else {
        return Ok(());
    };
    service::harden_process();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(service::run(opts))
}
