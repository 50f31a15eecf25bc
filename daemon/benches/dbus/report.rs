//! The benchmark's report: timing summaries, the table, and the machine it ran on.

use super::measure::{ListTimes, SequentialTimes, Throughput, UnlockTimes};
use super::{ACCOUNTS, CLIENTS, TARGET_GETCODE_RATIO, TARGET_LIST_MS, TARGET_UNLOCK_RATIO};
use std::time::Duration;

/// Prints every figure beside its baseline, then each target with PASS or MISS.
pub fn print(unlock: &UnlockTimes, seq: &SequentialTimes, tp: &Throughput, list: &ListTimes) {
    let reply_len = list.reply_len;
    let (unlock, kdf_alone, lib_unlock) = (&unlock.dbus, &unlock.kdf_alone, &unlock.library);
    let (get_code, ping) = (&seq.get_code, &seq.ping);
    let (list, list_raw) = (&list.typed, &list.raw);
    let unlock_ratio = unlock.median / kdf_alone.median;
    let get_code_ratio = get_code.median / ping.median;
    let list_ms = list.median * 1e3;

    println!("\n{:-<112}", "");
    println!(
        "{:<40} {:>6} {:>11} {:>11} {:>11} {:>11}",
        "measurement", "n", "median", "p99", "min", "max"
    );
    println!("{:-<112}", "");
    row("Unlock over D-Bus", unlock);
    row("  baseline: Argon2id KDF alone", kdf_alone);
    row("  breakdown: Store::unlock + parse body", lib_unlock);
    row("GetCode (1 connection, sequential)", get_code);
    row("  baseline: Peer.Ping (same connection)", ping);
    row("ListAccounts, 10k accounts (typed proxy)", list);
    row("  breakdown: raw reply, not decoded", list_raw);
    println!("{:-<112}", "");
    println!(
        "throughput, {CLIENTS} connections: GetCode {:>8.0} calls/s   Ping {:>8.0} calls/s   GetCode/Ping {:.2}",
        tp.get_code,
        tp.ping,
        tp.get_code / tp.ping
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
}

/// Summary of a set of timings, in seconds.
pub struct Stats {
    pub n: usize,
    pub median: f64,
    pub p99: f64,
    pub min: f64,
    pub max: f64,
}

impl Stats {
    /// Sorts the samples and takes the figures.
    pub fn new(samples: Vec<Duration>) -> Self {
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

/// One table row: a timing summary under `label`.
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

/// One target line: the measured figure, the target, PASS or MISS.
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

/// A duration in milliseconds.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Prints the CPU, memory, kernel, dbus-daemon and load the figures were taken on.
pub fn print_machine() {
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
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}
