//! Huge arguments: an app sends 10 MB account ids, over and over on 8 connections. Each is
//! refused by its length before any work, the refusal does not repeat it, the daemon's memory
//! stays near what the bus hands it, and `latchkey code` stays fast.

use super::floods::{code_latency, flooded};
use super::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// `VmHWM` or `VmRSS` of `pid`, in bytes.
fn memory(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().strip_suffix("kB")?.trim().parse::<u64>().ok())
        .expect("field")
        * 1024
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_arguments_are_refused_by_length_and_never_echoed() {
    let f = flooded().await;
    let pid = f.daemon.pid();
    let (idle_p50, _) = tokio::task::block_in_place(|| code_latency(&f.bus, &f.id, 15));
    let before = memory(pid, "VmRSS");
    const SIZE: usize = 10 << 20;
    let huge = Arc::new("A".repeat(SIZE));
    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicU64::new(0));
    let mut senders = Vec::new();
    for _ in 0..8 {
        let conn = connect(&f.bus).await;
        let (huge, stop, sent) = (huge.clone(), stop.clone(), sent.clone());
        senders.push(tokio::spawn(async move {
            let vault = VaultProxy::new(&conn).await.expect("proxy");
            let mut replies = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let e = vault.get_code(&huge).await.expect_err("a 10 MB id");
                sent.fetch_add(1, Ordering::Relaxed);
                replies.push(e.to_string());
            }
            replies
        }));
    }
    // Let the flood start, then measure beside it.
    while sent.load(Ordering::Relaxed) < 8 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (flood_p50, flood_max) = tokio::task::block_in_place(|| code_latency(&f.bus, &f.id, 15));
    stop.store(true, Ordering::Relaxed);
    let mut replies = Vec::new();
    for s in senders {
        replies.extend(s.await.expect("sender"));
    }
    let peak = memory(pid, "VmHWM");
    let total = sent.load(Ordering::Relaxed);
    eprintln!(
        "latchkey code: idle p50 {idle_p50:?}; during {total} GetCode calls with a 10 MB id on 8 \
         connections p50 {flood_p50:?} max {flood_max:?}; daemon RSS {} MiB before, peak {} MiB",
        before >> 20,
        peak >> 20
    );
    for r in &replies {
        assert!(r.contains("InvalidArgument"), "{r}");
        assert!(r.contains("longer than 64 bytes"), "{r}");
        assert!(
            r.len() < 300,
            "the refusal repeats the argument: {} bytes",
            r.len()
        );
    }
    // The bus hands the daemon up to 8 such messages at once; it may hold each once while it
    // reads it, but not copy it into errors, logs or replies.
    let held = peak.saturating_sub(before);
    assert!(
        held < 8 * SIZE as u64 * 3 / 2,
        "the daemon grew by {} MiB for 8 messages of 10 MiB",
        held >> 20
    );
}
