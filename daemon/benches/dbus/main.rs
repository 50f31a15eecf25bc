//! End-to-end D-Bus benchmark of the real `latchkeyd` with a 10,000-account vault.
//!
//! Run in release (cargo bench uses the bench profile, which inherits `release`):
//! `cargo bench -p latchkeyd --features test-hooks --bench dbus` (the bench's own connections are
//! not Latchkey clients; the feature lets the daemon trust them without a consent prompt).
//!
//! What it measures, each beside the baseline that bounds it from below:
//! - `Unlock` over D-Bus vs the Argon2id KDF alone with the vault header's parameters
//!   (target: ratio ≤ 1.1, i.e. everything but the KDF costs at most 10 %);
//! - sequential `GetCode` vs `org.freedesktop.DBus.Peer.Ping` on one connection, interleaved in
//!   blocks (target: median ratio ≤ 1.3; Ping is a bare round trip through dbus-daemon and
//!   zbus's object server, the floor for any call);
//! - throughput with 8 concurrent connections, `GetCode` beside `Ping`;
//! - `ListAccounts` with 10,000 accounts (target: median ≤ 20 ms).
//!
//! It records; it never asserts. A missed target is printed as MISS.
//!
//! Modules: [`setup`] writes the vault and opens connections, [`measure`] takes the timings,
//! [`report`] prints them.

mod measure;
mod report;
mod setup;

use anyhow::{Context, Result, bail};
use latchkey_dbus::testing::TestBus;
use setup::{connect, peer_proxy, vault_proxy};
use std::path::Path;
use std::sync::Arc;

const ACCOUNTS: usize = 10_000;
const PASSPHRASE: &str = "correct horse battery staple";
const UNLOCK_RUNS: usize = 9;
const WARMUP_CALLS: usize = 500;
const SEQ_CALLS: usize = 5_000;
const BLOCK: usize = 250;
const CLIENTS: usize = 8;
const THROUGHPUT_SECS: u64 = 3;
const LIST_WARMUP: usize = 3;
const LIST_RUNS: usize = 20;

const TARGET_UNLOCK_RATIO: f64 = 1.1;
const TARGET_GETCODE_RATIO: f64 = 1.3;
const TARGET_LIST_MS: f64 = 20.0;

fn main() -> Result<()> {
    // `cargo bench` passes `--bench`; any other argument (a filter) is ignored: there is one run.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the tokio runtime")?;
    runtime.block_on(run())
}

async fn run() -> Result<()> {
    if !cfg!(any(debug_assertions, feature = "test-hooks")) {
        bail!(
            "built without test hooks, so the daemon would ask for consent for every call: \
             run `cargo bench -p latchkeyd --features test-hooks --bench dbus`"
        );
    }
    println!("== latchkeyd D-Bus benchmark ==");
    report::print_machine();

    let daemon_bin = Path::new(env!("CARGO_BIN_EXE_latchkeyd"));
    let bus = TestBus::start(daemon_bin).context("cannot start a private dbus-daemon")?;
    let (ids, store, header) = setup::create_vault(&bus)?;

    let daemon = bus
        .spawn_daemon(daemon_bin)
        .context("cannot start latchkeyd")?;
    println!("daemon:   {} (pid {})", daemon_bin.display(), daemon.pid());

    let conn = connect(&bus).await?;
    let vault = vault_proxy(&conn).await?;
    let peer = peer_proxy(&conn).await?;
    if !vault.locked().await? {
        bail!("the daemon started unlocked; the benchmark expects a locked vault");
    }

    let unlock = measure::unlock(&vault, &store, header.kdf).await?;
    vault
        .unlock(PASSPHRASE)
        .await
        .context("final Unlock failed")?;
    let count = vault.account_count().await?;
    if count as usize != ACCOUNTS {
        bail!("the daemon reports {count} accounts, expected {ACCOUNTS}");
    }
    let sequential = measure::get_code_vs_ping(&vault, &peer, &ids).await?;
    let throughput = measure::throughputs(&bus, Arc::new(ids)).await?;
    let list = measure::list_accounts(&vault, &conn).await?;

    report::print(&unlock, &sequential, &throughput, &list);
    println!("load average at the end: {}", report::loadavg());

    drop((vault, peer, conn));
    let (status, _stderr) = daemon.stop().context("cannot stop latchkeyd")?;
    if !status.success() {
        println!("note: latchkeyd exited with {status}");
    }
    Ok(())
}
