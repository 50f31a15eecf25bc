//! The measurements, each beside its baseline: Unlock vs the KDF, GetCode vs Ping, throughput
//! over several connections, and ListAccounts.

use super::report::Stats;
use super::setup::{SplitMix, connect, kdf_once, peer_proxy, vault_proxy};
use super::{
    ACCOUNTS, BLOCK, CLIENTS, LIST_RUNS, LIST_WARMUP, PASSPHRASE, SEQ_CALLS, THROUGHPUT_SECS,
    UNLOCK_RUNS, WARMUP_CALLS,
};
use anyhow::{Context, Result, bail};
use latchkey_dbus::testing::TestBus;
use latchkey_dbus::{BUS_NAME, OBJECT_PATH, VAULT_INTERFACE, VaultProxy};
use latchkeyd::accounts::Accounts;
use latchkeyd::vault::{KdfParams, Store};
use std::sync::Arc;
use std::time::{Duration, Instant};
use zbus::fdo::PeerProxy;

/// Unlock over D-Bus, the KDF alone and the library's unlock, in rotated order.
pub struct UnlockTimes {
    pub dbus: Stats,
    pub kdf_alone: Stats,
    pub library: Stats,
}

/// Sequential GetCode and Ping on one connection.
pub struct SequentialTimes {
    pub get_code: Stats,
    pub ping: Stats,
}

/// Calls per second over `CLIENTS` connections.
pub struct Throughput {
    pub get_code: f64,
    pub ping: f64,
}

/// ListAccounts, typed as clients call it and as a raw reply, and the reply's size.
pub struct ListTimes {
    pub typed: Stats,
    pub raw: Stats,
    pub reply_len: usize,
}

/// Unlock over D-Bus beside the KDF alone and `Store::unlock`, rotated so none always runs first.
pub async fn unlock(vault: &VaultProxy<'_>, store: &Store, kdf: KdfParams) -> Result<UnlockTimes> {
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
                    let params = kdf;
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
    Ok(UnlockTimes {
        dbus: Stats::new(unlock),
        kdf_alone: Stats::new(kdf_alone),
        library: Stats::new(lib_unlock),
    })
}

/// GetCode on random accounts beside Peer.Ping, one connection, interleaved in blocks.
pub async fn get_code_vs_ping(
    vault: &VaultProxy<'_>,
    peer: &PeerProxy<'_>,
    ids: &[String],
) -> Result<SequentialTimes> {
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
            time_get_code(vault, ids, block, &mut get_code).await?;
            time_ping(peer, block.len(), &mut ping).await?;
        } else {
            time_ping(peer, block.len(), &mut ping).await?;
            time_get_code(vault, ids, block, &mut get_code).await?;
        }
    }
    Ok(SequentialTimes {
        get_code: Stats::new(get_code),
        ping: Stats::new(ping),
    })
}

/// Mean calls per second of two GetCode and two Ping runs over `CLIENTS` connections.
pub async fn throughputs(bus: &TestBus, ids: Arc<Vec<String>>) -> Result<Throughput> {
    println!("measuring throughput ({CLIENTS} connections, {THROUGHPUT_SECS} s per run)…");
    let mut tp_get_code = Vec::new();
    let mut tp_ping = Vec::new();
    for _ in 0..2 {
        tp_get_code.push(throughput(bus, Some(ids.clone())).await?);
        tp_ping.push(throughput(bus, None).await?);
    }
    Ok(Throughput {
        get_code: tp_get_code.iter().sum::<f64>() / tp_get_code.len() as f64,
        ping: tp_ping.iter().sum::<f64>() / tp_ping.len() as f64,
    })
}

/// ListAccounts with every account, typed and raw.
pub async fn list_accounts(vault: &VaultProxy<'_>, conn: &zbus::Connection) -> Result<ListTimes> {
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
    Ok(ListTimes {
        typed: Stats::new(list),
        raw: Stats::new(list_raw),
        reply_len,
    })
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
