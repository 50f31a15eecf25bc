//! End-to-end D-Bus benchmark of the real `latchkeyd` with a 10,000-account vault.
//!
//! Run in release (cargo bench uses the bench profile, which inherits `release`):
//! `CARGO_TARGET_DIR=/work/target-bench cargo bench -p latchkeyd --bench dbus`
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

use anyhow::{Context, Result, bail};
use latchkey_dbus::testing::TestBus;
use latchkey_dbus::{BUS_NAME, OBJECT_PATH, VAULT_INTERFACE, VaultProxy};
use latchkeyd::accounts::{Account, Accounts};
use latchkeyd::otp::{Algorithm, Kind, OtpParams, Secret};
use latchkeyd::vault::{KdfParams, Store};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use zbus::fdo::PeerProxy;
use zbus::proxy::CacheProperties;
use zeroize::Zeroizing;

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
    println!("== latchkeyd D-Bus benchmark ==");
    print_machine();

    let daemon_bin = Path::new(env!("CARGO_BIN_EXE_latchkeyd"));
    let bus = TestBus::start(daemon_bin).context("cannot start a private dbus-daemon")?;

    // The vault is written through the library: 10,000 AddAccount calls would fsync 10,000 times.
    let kdf = KdfParams::interactive();
    let (ids, build) = build_accounts(ACCOUNTS);
    let store = Store::new(bus.vault_path());
    let started = Instant::now();
    let body = build.to_body();
    drop(
        store
            .create(PASSPHRASE.as_bytes(), kdf, &body, ACCOUNTS as u32)
            .context("cannot create the benchmark vault")?,
    );
    let created_in = started.elapsed();
    let header = store
        .inspect()
        .context("cannot read back the vault header")?;
    let file_len = std::fs::metadata(store.path())
        .context("cannot stat the vault")?
        .len();
    println!(
        "vault:    {} TOTP accounts, body {} KiB, file {} KiB, Argon2id m={} KiB t={} p={}, created in {:.0} ms",
        header.account_count,
        body.len() / 1024,
        file_len / 1024,
        header.kdf.m_cost,
        header.kdf.t_cost,
        header.kdf.p_cost,
        ms(created_in)
    );
    drop(body);
    drop(build);

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

    // --- Unlock vs the KDF alone -------------------------------------------------------------
    println!(
        "\nmeasuring Unlock ({UNLOCK_RUNS} runs, rotated with the KDF alone and Store::unlock)…"
    );
    let mut unlock = Vec::new();
    let mut kdf_alone = Vec::new();
    let mut lib_unlock = Vec::new();
    for run in 0..UNLOCK_RUNS {
        // Rotate the order so none of the three always runs first (or right after another).
        for step in 0..3 {
            match (run + step) % 3 {
                0 => {
                    let t = Instant::now();
                    vault
                        .unlock(PASSPHRASE)
                        .await
                        .context("Unlock over D-Bus failed")?;
                    unlock.push(t.elapsed());
                    vault.lock().await.context("Lock failed")?;
                }
                1 => {
                    let params = header.kdf;
                    kdf_alone.push(
                        tokio::task::spawn_blocking(move || kdf_once(params))
                            .await
                            .context("KDF task panicked")??,
                    );
                }
                _ => {
                    // The library path the daemon runs (read, KDF, decrypt, parse), without the bus.
                    let lib_store = store.clone();
                    lib_unlock.push(
                        tokio::task::spawn_blocking(move || -> Result<Duration> {
                            let t = Instant::now();
                            let (_session, body) = lib_store.unlock(PASSPHRASE.as_bytes())?;
                            let accounts = Accounts::from_body(&body)?;
                            let elapsed = t.elapsed();
                            if accounts.len() != ACCOUNTS {
                                bail!("Store::unlock read {} accounts", accounts.len());
                            }
                            Ok(elapsed)
                        })
                        .await
                        .context("Store::unlock task panicked")??,
                    );
                }
            }
        }
    }
    let unlock = Stats::new(unlock);
    let kdf_alone = Stats::new(kdf_alone);
    let lib_unlock = Stats::new(lib_unlock);

    vault
        .unlock(PASSPHRASE)
        .await
        .context("final Unlock failed")?;
    let count = vault.account_count().await?;
    if count as usize != ACCOUNTS {
        bail!("the daemon reports {count} accounts, expected {ACCOUNTS}");
    }

    // --- GetCode vs Ping, one connection, sequential ----------------------------------------
    println!(
        "measuring GetCode vs Ping ({SEQ_CALLS} each after {WARMUP_CALLS} warm-up, blocks of {BLOCK})…"
    );
    let mut rng = SplitMix(0x1a7c_4e11);
    let pick: Vec<usize> = (0..WARMUP_CALLS + SEQ_CALLS)
        .map(|_| rng.below(ids.len()))
        .collect();
    let check = vault.get_code(&ids[pick[0]]).await?;
    if check.0.len() < 6 || check.2 <= check.1 {
        bail!(
            "GetCode returned an implausible answer: window {}..{}",
            check.1,
            check.2
        );
    }
    for &i in &pick[..WARMUP_CALLS] {
        vault.get_code(&ids[i]).await?;
        peer.ping().await?;
    }
    let mut get_code = Vec::with_capacity(SEQ_CALLS);
    let mut ping = Vec::with_capacity(SEQ_CALLS);
    let measured = &pick[WARMUP_CALLS..];
    for (round, block) in measured.chunks(BLOCK).enumerate() {
        // Alternate which goes first so neither always follows the other.
        if round % 2 == 0 {
            time_get_code(&vault, &ids, block, &mut get_code).await?;
            time_ping(&peer, block.len(), &mut ping).await?;
        } else {
            time_ping(&peer, block.len(), &mut ping).await?;
            time_get_code(&vault, &ids, block, &mut get_code).await?;
        }
    }
    let get_code = Stats::new(get_code);
    let ping = Stats::new(ping);

    // --- Throughput, 8 connections --------------------------------------------------------------
    println!("measuring throughput ({CLIENTS} connections, {THROUGHPUT_SECS} s per run)…");
    let ids = Arc::new(ids);
    let mut tp_get_code = Vec::new();
    let mut tp_ping = Vec::new();
    for _ in 0..2 {
        tp_get_code.push(throughput(&bus, Some(ids.clone())).await?);
        tp_ping.push(throughput(&bus, None).await?);
    }
    let tp_get_code = tp_get_code.iter().sum::<f64>() / tp_get_code.len() as f64;
    let tp_ping = tp_ping.iter().sum::<f64>() / tp_ping.len() as f64;

    // --- ListAccounts ----------------------------------------------------------------------------
    println!("measuring ListAccounts ({LIST_RUNS} runs after {LIST_WARMUP} warm-up)…");
    for _ in 0..LIST_WARMUP {
        let list = vault.list_accounts().await?;
        if list.len() != ACCOUNTS {
            bail!("ListAccounts returned {} accounts", list.len());
        }
    }
    let mut list = Vec::new();
    let mut list_raw = Vec::new();
    let mut reply_len = 0;
    for _ in 0..LIST_RUNS {
        // Typed, as clients call it: includes decoding 10,000 structs on the client side.
        let t = Instant::now();
        let accounts = vault.list_accounts().await?;
        list.push(t.elapsed());
        drop(accounts);
        // Raw reply, not decoded: the daemon's work plus the transport.
        let t = Instant::now();
        let reply = conn
            .call_method(
                Some(BUS_NAME),
                OBJECT_PATH,
                Some(VAULT_INTERFACE),
                "ListAccounts",
                &(),
            )
            .await?;
        list_raw.push(t.elapsed());
        reply_len = reply.data().len();
    }
    let list = Stats::new(list);
    let list_raw = Stats::new(list_raw);

    // --- Report ------------------------------------------------------------------------------------
    let unlock_ratio = unlock.median / kdf_alone.median;
    let get_code_ratio = get_code.median / ping.median;
    let list_ms = list.median * 1e3;

    println!("\n{:-<112}", "");
    println!(
        "{:<40} {:>6} {:>11} {:>11} {:>11} {:>11}",
        "measurement", "n", "median", "p99", "min", "max"
    );
    println!("{:-<112}", "");
    row("Unlock over D-Bus", &unlock);
    row("  baseline: Argon2id KDF alone", &kdf_alone);
    row("  breakdown: Store::unlock + parse body", &lib_unlock);
    row("GetCode (1 connection, sequential)", &get_code);
    row("  baseline: Peer.Ping (same connection)", &ping);
    row("ListAccounts, 10k accounts (typed proxy)", &list);
    row("  breakdown: raw reply, not decoded", &list_raw);
    println!("{:-<112}", "");
    println!(
        "throughput, {CLIENTS} connections: GetCode {tp_get_code:>8.0} calls/s   Ping {tp_ping:>8.0} calls/s   GetCode/Ping {:.2}",
        tp_get_code / tp_ping
    );
    println!(
        "ListAccounts reply: {} KiB on the wire for {ACCOUNTS} accounts",
        reply_len / 1024
    );
    println!(
        "Unlock min / KDF min: {:.3} (less sensitive to other load than the medians)",
        unlock.min / kdf_alone.min
    );
    println!("{:-<112}", "");
    println!(
        "{:<48} {:>12} {:>10} {:>8}",
        "target", "measured", "target", "result"
    );
    verdict(
        "Unlock median / KDF median",
        format!("{unlock_ratio:.3}"),
        format!("≤ {TARGET_UNLOCK_RATIO}"),
        unlock_ratio <= TARGET_UNLOCK_RATIO,
    );
    verdict(
        "GetCode median / Ping median",
        format!("{get_code_ratio:.3}"),
        format!("≤ {TARGET_GETCODE_RATIO}"),
        get_code_ratio <= TARGET_GETCODE_RATIO,
    );
    verdict(
        "ListAccounts median (10k accounts)",
        format!("{list_ms:.2} ms"),
        format!("≤ {TARGET_LIST_MS} ms"),
        list_ms <= TARGET_LIST_MS,
    );
    verdict(
        "ListAccounts max (10k accounts, tail)",
        format!("{:.2} ms", list.max * 1e3),
        format!("≤ {TARGET_LIST_MS} ms"),
        list.max * 1e3 <= TARGET_LIST_MS,
    );
    println!("{:-<112}", "");
    println!("load average at the end: {}", loadavg());

    drop((vault, peer, conn));
    let (status, _stderr) = daemon.stop().context("cannot stop latchkeyd")?;
    if !status.success() {
        println!("note: latchkeyd exited with {status}");
    }
    Ok(())
}

/// Builds `n` TOTP accounts mixing algorithms, digits and periods; returns their ids too.
fn build_accounts(n: usize) -> (Vec<String>, Accounts) {
    let mut rng = SplitMix(0x5eed);
    let mut accounts = Accounts::default();
    let mut ids = Vec::with_capacity(n);
    let algorithms = [
        (Algorithm::Sha1, 20),
        (Algorithm::Sha256, 32),
        (Algorithm::Sha512, 64),
    ];
    let digits = [6u8, 6, 6, 7, 8, 10];
    let periods = [30u32, 30, 30, 60, 15, 90];
    for i in 0..n {
        let (algorithm, secret_len) = algorithms[i % algorithms.len()];
        let secret: Vec<u8> = (0..secret_len).map(|_| rng.next() as u8).collect();
        let params = OtpParams::new(
            Secret::from_bytes(secret),
            algorithm,
            digits[rng.below(digits.len())],
            Kind::Totp {
                period: periods[rng.below(periods.len())],
            },
        )
        .expect("the benchmark's parameters are all within the valid ranges");
        let id = uuid::Uuid::new_v4().to_string();
        ids.push(id.clone());
        accounts.push(Account {
            id,
            issuer: format!("Issuer {}", i % 997),
            account: format!("user{i}@example.com"),
            params,
        });
    }
    (ids, accounts)
}

/// One Argon2id derivation exactly as the vault's passphrase slot does it (same parameters,
/// 32-byte output, caller-owned zeroized working memory allocated per call).
fn kdf_once(p: KdfParams) -> Result<Duration> {
    let salt = [0x5au8; 32];
    let t = Instant::now();
    let params = argon2::Params::new(p.m_cost, p.t_cost, p.p_cost, Some(32))
        .map_err(|e| anyhow::anyhow!("argon2 refused the parameters: {e}"))?;
    let argon = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        params.clone(),
    );
    let mut kek = Zeroizing::new([0u8; 32]);
    let mut blocks = Zeroizing::new(vec![argon2::Block::default(); params.block_count()]);
    argon
        .hash_password_into_with_memory(
            PASSPHRASE.as_bytes(),
            &salt,
            kek.as_mut(),
            blocks.as_mut_slice(),
        )
        .map_err(|e| anyhow::anyhow!("argon2 failed: {e}"))?;
    drop(blocks);
    Ok(t.elapsed())
}

async fn connect(bus: &TestBus) -> Result<zbus::Connection> {
    zbus::connection::Builder::address(bus.address())?
        .build()
        .await
        .context("cannot connect to the private bus")
}

async fn vault_proxy(conn: &zbus::Connection) -> Result<VaultProxy<'static>> {
    Ok(VaultProxy::builder(conn)
        .cache_properties(CacheProperties::No)
        .build()
        .await?)
}

async fn peer_proxy(conn: &zbus::Connection) -> Result<PeerProxy<'static>> {
    Ok(PeerProxy::builder(conn)
        .destination(BUS_NAME)?
        .path(OBJECT_PATH)?
        .build()
        .await?)
}

async fn time_get_code(
    vault: &VaultProxy<'_>,
    ids: &[String],
    block: &[usize],
    out: &mut Vec<Duration>,
) -> Result<()> {
    for &i in block {
        let t = Instant::now();
        let code = vault.get_code(&ids[i]).await?;
        out.push(t.elapsed());
        std::hint::black_box(code);
    }
    Ok(())
}

async fn time_ping(peer: &PeerProxy<'_>, n: usize, out: &mut Vec<Duration>) -> Result<()> {
    for _ in 0..n {
        let t = Instant::now();
        peer.ping().await?;
        out.push(t.elapsed());
    }
    Ok(())
}

/// Calls per second over `CLIENTS` connections for `THROUGHPUT_SECS`: GetCode on random ids
/// when `ids` is given, Ping otherwise.
async fn throughput(bus: &TestBus, ids: Option<Arc<Vec<String>>>) -> Result<f64> {
    let barrier = Arc::new(tokio::sync::Barrier::new(CLIENTS + 1));
    let mut tasks = Vec::new();
    for client in 0..CLIENTS {
        let conn = connect(bus).await?;
        let vault = vault_proxy(&conn).await?;
        let peer = peer_proxy(&conn).await?;
        let ids = ids.clone();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            let mut rng = SplitMix(0xc0de + client as u64);
            barrier.wait().await;
            let deadline = Instant::now() + Duration::from_secs(THROUGHPUT_SECS);
            let mut calls = 0u64;
            while Instant::now() < deadline {
                match &ids {
                    Some(ids) => {
                        vault.get_code(&ids[rng.below(ids.len())]).await?;
                    }
                    None => peer.ping().await?,
                }
                calls += 1;
            }
            drop(conn);
            zbus::Result::Ok(calls)
        }));
    }
    barrier.wait().await;
    let start = Instant::now();
    let mut total = 0;
    for task in tasks {
        total += task.await.context("client task panicked")??;
    }
    Ok(total as f64 / start.elapsed().as_secs_f64())
}

/// Summary of a set of timings, in seconds.
struct Stats {
    n: usize,
    median: f64,
    p99: f64,
    min: f64,
    max: f64,
}

impl Stats {
    fn new(samples: Vec<Duration>) -> Self {
        let mut s: Vec<f64> = samples.iter().map(Duration::as_secs_f64).collect();
        s.sort_by(f64::total_cmp);
        let n = s.len();
        let at = |q: f64| s[((q * n as f64).ceil() as usize).clamp(1, n) - 1];
        let median = if n % 2 == 1 {
            s[n / 2]
        } else {
            (s[n / 2 - 1] + s[n / 2]) / 2.0
        };
        Self {
            n,
            median,
            p99: at(0.99),
            min: s[0],
            max: s[n - 1],
        }
    }
}

fn row(label: &str, s: &Stats) {
    println!(
        "{label:<40} {:>6} {:>11} {:>11} {:>11} {:>11}",
        s.n,
        human(s.median),
        human(s.p99),
        human(s.min),
        human(s.max)
    );
}

fn verdict(label: &str, measured: String, target: String, pass: bool) {
    println!(
        "{label:<48} {measured:>12} {target:>10} {:>8}",
        if pass { "PASS" } else { "MISS" }
    );
}

/// Seconds as µs, ms or s, whichever reads best.
fn human(secs: f64) -> String {
    if secs < 1e-3 {
        format!("{:.1} µs", secs * 1e6)
    } else if secs < 1.0 {
        format!("{:.2} ms", secs * 1e3)
    } else {
        format!("{secs:.3} s")
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn print_machine() {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    let nproc = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:").map(|v| v.trim().to_string()))
        .unwrap_or_else(|| "unknown".into());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "unknown".into());
    let dbus = std::process::Command::new("dbus-daemon")
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .map(str::to_string)
        })
        .unwrap_or_else(|| "unknown".into());
    println!("machine:  {nproc} CPUs (nproc), {model}, {mem} RAM, Linux {kernel}");
    println!("bus:      {dbus}");
    println!(
        "load:     {} (other work on this machine skews every figure)",
        loadavg()
    );
}

/// `/proc/loadavg`'s 1, 5 and 15 minute averages.
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// A small deterministic generator (SplitMix64), so runs pick the same accounts.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}
