//! Crash safety: `latchkeyd` is SIGKILLed at random moments during a long loop of adds, removes
//! and HOTP codes, restarted each time, and the vault must always open with every acknowledged
//! change present.
//!
//! A model tracks what the daemon acknowledged. An operation counts only once its D-Bus reply has
//! arrived; the one in flight when the daemon died is *uncertain* and may or may not be on disk.
//! After each restart the listing must match the model exactly, the uncertain operation being
//! allowed either way (and then folded in as observed). HOTP codes are checked against RFC 4226
//! and no counter that produced an acknowledged code may ever be offered again.
//!
//! Files: the vault and its `.bak` stay 0600 and the backup always opens; a kill may leave the
//! temp files of the write it cut short, and the next unlock must remove them.
//!
//! Knobs: `LATCHKEY_CRASH_ROUNDS` (default 200), `LATCHKEY_CRASH_MIN_WRITES` (acknowledged adds
//! and removes to reach, default 200: rounds go on until then) and `LATCHKEY_CRASH_SEED` (printed
//! on every run and in every failure, so a failing run can be replayed).
//!
//! Calls go to the daemon's *unique* bus name, never to `org.latchkey.Latchkey1`: a call to the
//! well-known name after a kill would make the bus activate a daemon behind the test's back.
//!
//! Modules: [`round`] drives one round, [`process`] starts and kills the daemon, [`model`] holds
//! what was acknowledged, [`files`] checks the vault directory, [`hotp`] is the RFC 4226
//! reference and [`stats`] the report.

mod files;
mod hotp;
mod model;
mod process;
mod round;
mod stats;

use hotp::*;
use model::*;
use process::*;
use stats::*;

use anyhow::{Context, Result, anyhow, bail, ensure};
use latchkey_dbus::testing::{DaemonProcess, TestBus};
use latchkey_dbus::{AccountInfo, BUS_NAME, ERROR_PREFIX, VaultProxy};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use zbus::proxy::CacheProperties;

/// Restart rounds unless `LATCHKEY_CRASH_ROUNDS` says otherwise.
const DEFAULT_ROUNDS: usize = 200;
/// Rounds go on past the count until this many adds and removes were acknowledged
/// (`LATCHKEY_CRASH_MIN_WRITES`), however slow the disk; at most `EXTRA_ROUNDS_FACTOR` times as many.
const DEFAULT_MIN_WRITES: usize = 200;
const EXTRA_ROUNDS_FACTOR: usize = 3;
const PASSPHRASE: &str = "crash-safety passphrase";
/// Most kills land up to this long after the first operation of a round starts (a few writes)...
const SHORT_KILL_DELAY: Duration = Duration::from_millis(30);
/// ...and the rest up to this long, so some rounds build longer chains of acknowledged writes.
const LONG_KILL_DELAY: Duration = Duration::from_millis(200);
/// Share of rounds with a long delay.
const LONG_ROUNDS: f64 = 0.4;
/// Share of rounds whose kill is aimed at the unlock instead of the operations.
const KILL_DURING_UNLOCK: f64 = 0.1;
/// Above this many accounts removes are favoured, so vault writes stay small and fast.
const SOFT_MAX_ACCOUNTS: usize = 24;
/// A round whose operations run this long without the kill landing is a broken test.
const ROUND_LIMIT: Duration = Duration::from_secs(10);
/// Every account the test adds has this issuer; its `account` label is unique and names it.
const ISSUER: &str = "CrashTest";
/// Label of the HOTP account whose counter the rounds advance.
const HOTP_LABEL: &str = "hotp-counter";
/// RFC 4226 appendix D: the secret "12345678901234567890" and its codes for counters 0 to 9.
const RFC4226_SECRET: &[u8] = b"12345678901234567890";
const RFC4226_CODES: [&str; 10] = [
    "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871",
    "520489",
];

#[test]
fn sigkill_at_random_moments_never_loses_an_acknowledged_change() -> Result<()> {
    let rounds = env_number("LATCHKEY_CRASH_ROUNDS", DEFAULT_ROUNDS)?;
    let min_writes = env_number("LATCHKEY_CRASH_MIN_WRITES", DEFAULT_MIN_WRITES)?;
    let seed = match std::env::var("LATCHKEY_CRASH_SEED") {
        Ok(v) => v.parse().context("LATCHKEY_CRASH_SEED must be a u64")?,
        Err(_) => rand::random::<u64>(),
    };
    println!(
        "crash safety: {rounds} rounds, at least {min_writes} acknowledged adds and removes, \
         seed {seed} (replay with LATCHKEY_CRASH_SEED={seed})"
    );
    let hotp = Hotp::new()?;
    let daemon_bin = Path::new(env!("CARGO_BIN_EXE_latchkeyd"));
    let bus = TestBus::start(daemon_bin).context("starting a private dbus-daemon")?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("building the tokio runtime")?;
    let conn = rt
        .block_on(zbus::connection::Builder::address(bus.address())?.build())
        .context("connecting to the private bus")?;
    let mut run = Run {
        bus: &bus,
        daemon_bin,
        rt: &rt,
        conn,
        hotp,
        rng: StdRng::seed_from_u64(seed),
        model: Model::default(),
        stats: Stats::default(),
        unlock_time: Duration::from_millis(5),
        last_log: String::new(),
    };
    let started = Instant::now();
    let outcome = run.all(rounds, min_writes);
    let elapsed = started.elapsed();
    if let Err(e) = outcome {
        eprintln!(
            "---- log of the last daemon ----\n{}\n-------------------------------",
            run.last_log
        );
        return Err(e.context(format!(
            "crash safety failed (seed {seed}; replay with LATCHKEY_CRASH_SEED={seed})"
        )));
    }
    run.stats.report(elapsed, seed);
    ensure!(
        run.stats.adds + run.stats.removes >= min_writes,
        "only {} adds and removes were acknowledged in {} rounds",
        run.stats.adds + run.stats.removes,
        run.stats.rounds
    );
    Ok(())
}

fn env_number(name: &str, default: usize) -> Result<usize> {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .with_context(|| format!("{name} must be a number")),
        Err(_) => Ok(default),
    }
}

/// One test run: the bus, the client connection, the model and the figures.
struct Run<'a> {
    bus: &'a TestBus,
    daemon_bin: &'a Path,
    rt: &'a tokio::runtime::Runtime,
    conn: zbus::Connection,
    hotp: Hotp,
    rng: StdRng,
    model: Model,
    stats: Stats,
    /// Running estimate of how long an unlock takes, to aim kills at it.
    unlock_time: Duration,
    /// Log of the most recent daemon, shown if the test fails.
    last_log: String,
}

/// Where a round's kill is aimed.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Aim {
    /// `delay` after the unlock call is sent.
    Unlock,
    /// `delay` after the first operation is sent.
    Operations,
}

impl Run<'_> {
    fn all(&mut self, rounds: usize, min_writes: usize) -> Result<()> {
        self.setup().context("setting up the vault")?;
        let mut round = 0;
        while round < rounds
            || (self.stats.adds + self.stats.removes < min_writes
                && round < rounds * EXTRA_ROUNDS_FACTOR)
        {
            round += 1;
            self.round(round)
                .with_context(|| format!("round {round} ({rounds} planned)"))?;
            self.stats.rounds = round;
        }
        self.final_check()
            .context("final check after the last round")
    }
}
