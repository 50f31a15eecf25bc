//! Sync benchmark, each figure beside a baseline from the same run:
//!
//! - merging a 10,000-account replica into a device that has none of them (target ≤ 50 ms),
//!   beside reading a 10,000-account vault body (JSON) alone;
//! - replica size per account, beside the vault body's;
//! - change-to-file latency: from an `AddAccount` call to this device's replica being replaced
//!   in the sync folder (target ≤ 1 s), beside the call's own round trip;
//! - idle wake-ups over 60 s of a real daemon with sync on and unlocked, beside one with sync
//!   off, measured at the same time (context switches of all their threads).
//!
//! `cargo bench -p latchkeyd --features test-hooks --bench sync`. It records; it never asserts.

use latchkey_core::accounts::{Account, Accounts};
use latchkey_core::otp::{Algorithm, Kind, OtpParams, Secret};
use latchkey_core::sync::{Code, Identity, State};
use latchkey_dbus::testing::TestBus;
use latchkey_dbus::{SyncProxy, VaultProxy};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

const ACCOUNTS: usize = 10_000;
const RUNS: usize = 7;
const LATENCY_RUNS: usize = 20;
const IDLE: Duration = Duration::from_secs(60);
const T: u64 = 1_800_000_000_000;

fn main() {
    if !cfg!(any(debug_assertions, feature = "test-hooks")) {
        eprintln!(
            "run with --features test-hooks (the bench's connections are not Latchkey's own clients)"
        );
        std::process::exit(2);
    }
    println!(
        "# sync benchmark ({})",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    merge_and_sizes();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(daemon_figures());
}

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1000.0
}

fn accounts(n: usize) -> Accounts {
    let mut out = Accounts::default();
    for i in 0..n {
        let secret: Vec<u8> = (0..20).map(|k| (i * 31 + k * 7) as u8).collect();
        out.push(Account {
            id: uuid::Uuid::new_v4().to_string(),
            issuer: format!("Issuer {}", i % 997),
            account: format!("user{i}@example.com"),
            sites: Vec::new(),
            params: OtpParams::new(
                Secret::from_bytes(secret),
                Algorithm::Sha1,
                6,
                Kind::Totp { period: 30 },
            )
            .expect("valid"),
        });
    }
    out
}

fn merge_and_sizes() {
    let mut a_state = State::new(Identity::generate().expect("rng"), "a", "/s".into(), T);
    let a_accounts = accounts(ACCOUNTS);
    let _ = a_state.observe(&a_accounts, T + 1);
    let code = a_state.invite(T + 2).expect("invite");
    let code = Code::parse(&code).expect("code");
    let (b_fresh, request) = State::joining(
        Identity::generate().expect("rng"),
        "b",
        "/s".into(),
        &code,
        T + 3,
    );
    a_state.admit(&request, T + 4).expect("admit");
    let (_, replica) = a_state.export(T + 5).expect("export");
    let body = a_accounts.to_body();
    let mut merges = Vec::new();
    let mut reads = Vec::new();
    for _ in 0..RUNS {
        let mut b = b_fresh.clone();
        let mut b_accounts = Accounts::default();
        let started = Instant::now();
        let merged = b.import(&replica, T + 10, &mut b_accounts).expect("merge");
        merges.push(started.elapsed());
        assert_eq!(merged.changes.added.len(), ACCOUNTS);
        let started = Instant::now();
        let (read, _) = latchkey_core::body::read(&body).expect("read");
        reads.push(started.elapsed());
        assert_eq!(read.len(), ACCOUNTS);
    }
    let merge = median(merges);
    println!(
        "merge of a {ACCOUNTS}-account replica (verify, open, check, merge, apply): median {merge:.1} ms of {RUNS} (target ≤ 50 ms: {})",
        if merge <= 50.0 { "met" } else { "MISS" }
    );
    println!(
        "baseline: reading a {ACCOUNTS}-account vault body: median {:.1} ms",
        median(reads)
    );
    println!(
        "replica: {} bytes, {:.0} bytes per account; baseline vault body: {} bytes, {:.0} per account",
        replica.len(),
        replica.len() as f64 / ACCOUNTS as f64,
        body.len(),
        body.len() as f64 / ACCOUNTS as f64
    );
}

/// Voluntary and involuntary context switches of each thread of `pid`, by thread id.
fn switches(pid: u32) -> std::collections::BTreeMap<String, u64> {
    let mut out = std::collections::BTreeMap::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return out;
    };
    for t in tasks.flatten() {
        let status = std::fs::read_to_string(t.path().join("status")).unwrap_or_default();
        let n: u64 = status
            .lines()
            .filter_map(|line| {
                line.strip_prefix("voluntary_ctxt_switches:")
                    .or_else(|| line.strip_prefix("nonvoluntary_ctxt_switches:"))
            })
            .filter_map(|v| v.trim().parse::<u64>().ok())
            .sum();
        out.insert(t.file_name().to_string_lossy().into_owned(), n);
    }
    out
}

/// Wake-ups between two samples: each thread's growth, a new thread's whole count (a thread
/// that ended in between is counted as one wake-up).
fn wakeups(
    before: &std::collections::BTreeMap<String, u64>,
    after: &std::collections::BTreeMap<String, u64>,
) -> u64 {
    let grown: u64 = after
        .iter()
        .map(|(t, n)| n.saturating_sub(before.get(t).copied().unwrap_or(0)))
        .sum();
    let ended = before.keys().filter(|t| !after.contains_key(*t)).count() as u64;
    grown + ended
}

async fn proxies(bus: &TestBus) -> (zbus::Connection, u32) {
    let conn = zbus::connection::Builder::address(bus.address())
        .expect("address")
        .build()
        .await
        .expect("connect");
    let pid = bus.name_owner_pid().expect("pid").expect("owner");
    (conn, pid)
}

fn mtime(p: &Path) -> Option<SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

async fn daemon_figures() {
    let bin = latchkey_dbus::testing::target_bin("latchkeyd");
    let synced = TestBus::start(&bin).expect("bus");
    let plain = TestBus::start(&bin).expect("bus");
    let _d1 = synced.spawn_daemon(&bin).expect("daemon");
    let _d2 = plain.spawn_daemon(&bin).expect("daemon");
    let (c1, pid1) = proxies(&synced).await;
    let (c2, pid2) = proxies(&plain).await;
    let v1 = VaultProxy::new(&c1).await.expect("vault");
    let v2 = VaultProxy::new(&c2).await.expect("vault");
    v1.create("bench").await.expect("create");
    v2.create("bench").await.expect("create");
    let folder = tempfile::tempdir().expect("folder");
    let s1 = SyncProxy::new(&c1).await.expect("sync");
    let id = s1
        .enable(folder.path().to_str().expect("utf-8"), "bench")
        .await
        .expect("enable");
    let replica = folder.path().join(format!("Latchkey/{id}.lkreplica"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while mtime(&replica).is_none() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (mut calls, mut files) = (Vec::new(), Vec::new());
    for i in 0..LATENCY_RUNS {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let before = mtime(&replica);
        let secret = data_encoding::BASE32_NOPAD.encode(&[i as u8 + 1; 20]);
        let started = Instant::now();
        v1.add_account(
            &format!("Latency {i}"),
            "u",
            &secret,
            "totp",
            "sha1",
            6,
            30,
            0,
        )
        .await
        .expect("add");
        calls.push(started.elapsed());
        while mtime(&replica) == before {
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "no replica written"
            );
            std::thread::sleep(Duration::from_micros(200));
        }
        files.push(started.elapsed());
    }
    let file = median(files.clone());
    let worst = files.iter().max().map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    println!(
        "change-to-file: AddAccount to replaced replica: median {file:.0} ms, worst {worst:.0} ms of {LATENCY_RUNS} (target ≤ 1000 ms: {})",
        if worst <= 1000.0 { "met" } else { "MISS" }
    );
    println!(
        "baseline: the AddAccount call alone (acknowledged): median {:.1} ms",
        median(calls)
    );
    // Both idle at once: nobody calls, nothing changes in the folder. First the blocking
    // threads of the last writes end (tokio keeps them 10 s), so what is counted is idleness.
    tokio::time::sleep(Duration::from_secs(12)).await;
    let (b1, b2) = (switches(pid1), switches(pid2));
    tokio::time::sleep(IDLE).await;
    let (w1, w2) = (wakeups(&b1, &switches(pid1)), wakeups(&b2, &switches(pid2)));
    println!(
        "idle wake-ups over {} s (context switches, all threads): sync on and unlocked {w1}; baseline sync off {w2}",
        IDLE.as_secs()
    );
}
