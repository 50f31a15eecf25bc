//! The multi-device crash soak: three real daemons whose folders are carried by a test mover
//! that delays, reorders, duplicates, replays and drops replicas, 1,000 random operations
//! (adds, renames, removals, HOTP codes) with SIGKILLs of the daemons in between. Afterwards,
//! with the mover delivering everything: all three converge, and no acknowledged change is
//! lost (every account added and never removed is everywhere; every HOTP counter is at least
//! as far as any machine had acknowledged).

use super::Machine;
use latchkey_dbus::AccountKind;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const OPERATIONS: usize = 1_000;
const KILL_EVERY: usize = 125;
const SEED: u64 = 0x5eed_0016;

/// A small deterministic generator (SplitMix64), so a failing run can be repeated.
struct Rng(u64);

impl Rng {
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
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// One pending delivery: a version of a file into a folder, when due.
struct Delivery {
    due: Instant,
    to: usize,
    name: String,
    bytes: Arc<Vec<u8>>,
}

/// Carries each folder's Latchkey files to the others, badly: every new version is dropped
/// (10 %), delayed up to 1.5 s, sometimes delivered twice (15 %), and sometimes an older
/// version is delivered after it (10 %). In `settle` mode it delivers the newest of everything.
struct Mover {
    folders: Vec<PathBuf>,
    stop: Arc<AtomicBool>,
    settle: Arc<AtomicBool>,
}

impl Mover {
    fn run(self, seed: u64) -> std::thread::JoinHandle<()> {
        std::thread::spawn(move || {
            let mut rng = Rng(seed);
            let mut versions: HashMap<(usize, String), Vec<Arc<Vec<u8>>>> = HashMap::new();
            let mut queue: Vec<Delivery> = Vec::new();
            while !self.stop.load(Ordering::Relaxed) {
                let now = Instant::now();
                let settle = self.settle.load(Ordering::Relaxed);
                for (from, folder) in self.folders.iter().enumerate() {
                    let Ok(entries) = std::fs::read_dir(folder.join("Latchkey")) else {
                        continue;
                    };
                    for entry in entries.flatten() {
                        let name = entry.file_name().to_string_lossy().into_owned();
                        let own = name.ends_with(".lkreplica") || name.ends_with(".lkjoin");
                        if name.starts_with('.') || !own {
                            continue;
                        }
                        let Ok(bytes) = std::fs::read(entry.path()) else {
                            continue;
                        };
                        let known = versions.entry((from, name.clone())).or_default();
                        // Only the writer's own files are carried from its folder (what arrived
                        // from others is theirs to carry).
                        if !is_writers(&name, from, &self.folders) {
                            continue;
                        }
                        let new = known.last().is_none_or(|v| **v != bytes);
                        if new {
                            known.push(Arc::new(bytes));
                        }
                        let newest = known.last().cloned().unwrap_or_default();
                        for to in 0..self.folders.len() {
                            if to == from {
                                continue;
                            }
                            if settle {
                                queue.push(Delivery {
                                    due: now,
                                    to,
                                    name: name.clone(),
                                    bytes: newest.clone(),
                                });
                                continue;
                            }
                            if !new || rng.chance(10) {
                                continue;
                            }
                            let delay = Duration::from_millis(rng.below(1500) as u64);
                            queue.push(Delivery {
                                due: now + delay,
                                to,
                                name: name.clone(),
                                bytes: newest.clone(),
                            });
                            if rng.chance(15) {
                                let later =
                                    delay + Duration::from_millis(500 + rng.below(1500) as u64);
                                queue.push(Delivery {
                                    due: now + later,
                                    to,
                                    name: name.clone(),
                                    bytes: newest.clone(),
                                });
                            }
                            if known.len() > 1 && rng.chance(10) {
                                let old = known[rng.below(known.len() - 1)].clone();
                                let later = delay + Duration::from_millis(rng.below(2000) as u64);
                                queue.push(Delivery {
                                    due: now + later,
                                    to,
                                    name: name.clone(),
                                    bytes: old,
                                });
                            }
                        }
                    }
                }
                queue.sort_by_key(|d| d.due);
                let due: Vec<Delivery> = {
                    let split = queue.partition_point(|d| d.due <= now);
                    queue.drain(..split).collect()
                };
                for d in due {
                    deliver(&self.folders[d.to], &d.name, &d.bytes);
                }
                std::thread::sleep(Duration::from_millis(if settle { 200 } else { 30 }));
            }
        })
    }
}

/// Whether `name` (a replica or join request) is written by the machine whose folder is
/// `from`: its id is that machine's (learned from the replica it wrote first).
fn is_writers(name: &str, from: usize, folders: &[PathBuf]) -> bool {
    let id = name.split('.').next().unwrap_or_default();
    let marker = folders[from].join(format!(".owner-{id}"));
    if marker.exists() {
        return true;
    }
    // The first folder a device's file appears in is its writer's (the mover has not carried
    // it anywhere yet); remember that.
    let elsewhere = folders
        .iter()
        .enumerate()
        .any(|(i, f)| i != from && f.join(format!(".owner-{id}")).exists());
    if elsewhere {
        return false;
    }
    let _ = std::fs::write(marker, b"");
    true
}

/// Puts a version of a file into a folder as a sync engine does: whole, by rename.
fn deliver(folder: &Path, name: &str, bytes: &[u8]) {
    let dir = folder.join("Latchkey");
    let _ = std::fs::create_dir_all(&dir);
    let tmp = dir.join(format!(".mover-{name}.tmp"));
    if std::fs::write(&tmp, bytes).is_ok() {
        let _ = std::fs::rename(&tmp, dir.join(name));
    }
}

/// What the machines show: (id → (issuer, account, counter)).
async fn view(m: &Machine) -> BTreeMap<String, (String, String, u64)> {
    m.vault()
        .await
        .list_accounts()
        .await
        .expect("list")
        .into_iter()
        .map(|a| (a.id, (a.issuer, a.account, a.extra.counter.unwrap_or(0))))
        .collect()
}

#[tokio::test]
async fn three_machines_converge_through_a_bad_carrier_with_crashes_and_lose_nothing() {
    let root = tempfile::tempdir().expect("root");
    let folders: Vec<PathBuf> = (0..3)
        .map(|i| root.path().join(format!("folder-{i}")))
        .collect();
    for f in &folders {
        std::fs::create_dir_all(f).expect("folder");
    }
    let mut machines = Vec::new();
    for _ in 0..3 {
        let m = Machine::start().await;
        m.vault().await.create(super::PASS).await.expect("create");
        machines.push(m);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let settle = Arc::new(AtomicBool::new(true));
    let mover = Mover {
        folders: folders.clone(),
        stop: stop.clone(),
        settle: settle.clone(),
    }
    .run(SEED);

    // Pairing through the mover (settled, so it completes).
    let m0 = machines[0]
        .sync()
        .await
        .enable(folders[0].to_str().expect("utf-8"), "m0")
        .await
        .expect("enable");
    for i in 1..3 {
        // A machine joins once the inviting machine's replica has reached its folder.
        super::until("m0's replica is carried", || async {
            super::replica(&folders[i], &m0).exists()
        })
        .await;
        let (code, _) = machines[0].sync().await.invite().await.expect("invite");
        machines[i]
            .sync()
            .await
            .join(folders[i].to_str().expect("utf-8"), &code, &format!("m{i}"))
            .await
            .expect("join");
    }
    super::until("all three are admitted and know each other", || async {
        let mut ok = true;
        for m in &machines {
            let devices = m.sync().await.list_devices().await.unwrap_or_default();
            ok &= devices.len() == 3 && !m.sync().await.joining().await.unwrap_or(true);
        }
        ok
    })
    .await;

    // The storm.
    settle.store(false, Ordering::Relaxed);
    let mut rng = Rng(SEED ^ 0xabcdef);
    let mut added: BTreeMap<String, usize> = BTreeMap::new();
    let mut removed: BTreeSet<String> = BTreeSet::new();
    let mut counters: BTreeMap<String, u64> = BTreeMap::new();
    let mut known: Vec<Vec<(String, AccountKind)>> = vec![Vec::new(); 3];
    let mut kills = 0;
    for op in 0..OPERATIONS {
        let i = rng.below(3);
        if op % 20 == 0 {
            for (k, m) in machines.iter().enumerate() {
                known[k] = m
                    .vault()
                    .await
                    .list_accounts()
                    .await
                    .expect("list")
                    .into_iter()
                    .map(|a| (a.id, a.kind))
                    .collect();
            }
        }
        let m = &machines[i];
        let pick = (!known[i].is_empty()).then(|| known[i][rng.below(known[i].len())].clone());
        match (rng.below(10), pick) {
            (0..=3, _) | (_, None) => {
                let hotp = rng.chance(30);
                let secret =
                    data_encoding::BASE32_NOPAD.encode(&rng.next().to_be_bytes().repeat(3));
                let kind = if hotp { "hotp" } else { "totp" };
                let id = m
                    .vault()
                    .await
                    .add_account(
                        &format!("Soak {op}"),
                        "user",
                        &secret,
                        kind,
                        "sha1",
                        6,
                        30,
                        0,
                    )
                    .await
                    .expect("add acknowledged");
                added.insert(id.clone(), i);
                known[i].push((
                    id,
                    if hotp {
                        AccountKind::Hotp
                    } else {
                        AccountKind::Totp
                    },
                ));
            }
            (4..=5, Some((id, _))) => {
                let changes = HashMap::from([(
                    "issuer",
                    zbus::zvariant::Value::from(format!("Renamed {op}")),
                )]);
                let _ = m.vault().await.update_account(&id, changes).await;
            }
            (6, Some((id, _))) => {
                if m.vault().await.remove_account(&id).await.is_ok() {
                    removed.insert(id.clone());
                    known[i].retain(|(k, _)| *k != id);
                }
            }
            (_, Some((id, kind))) => {
                if kind == AccountKind::Hotp && m.vault().await.get_code(&id).await.is_ok() {
                    let now = view(m).await.get(&id).map_or(0, |v| v.2);
                    let high = counters.entry(id).or_default();
                    *high = (*high).max(now);
                }
            }
        }
        if op % 100 == 99 {
            eprintln!("soak: {} operations, {kills} SIGKILLs", op + 1);
        }
        if op % KILL_EVERY == KILL_EVERY - 1 {
            let victim = rng.below(3);
            machines[victim].crash_and_restart().await;
            kills += 1;
        }
    }

    // Everything delivered: all converge, nothing acknowledged lost.
    settle.store(true, Ordering::Relaxed);
    let deadline = Instant::now() + Duration::from_secs(180);
    let final_view = loop {
        let views = [
            view(&machines[0]).await,
            view(&machines[1]).await,
            view(&machines[2]).await,
        ];
        if views[0] == views[1] && views[1] == views[2] {
            let v = views[0].clone();
            let complete = added
                .keys()
                .all(|id| removed.contains(id) || v.contains_key(id));
            if complete {
                break v;
            }
        }
        assert!(Instant::now() < deadline, "the machines did not converge");
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    stop.store(true, Ordering::Relaxed);
    mover.join().expect("the mover stops");
    let lost: Vec<&String> = added
        .keys()
        .filter(|id| !removed.contains(*id) && !final_view.contains_key(*id))
        .collect();
    assert!(lost.is_empty(), "acknowledged adds lost: {lost:?}");
    for (id, high) in &counters {
        if let Some((_, _, c)) = final_view.get(id) {
            assert!(c >= high, "HOTP counter of {id} went back: {c} < {high}");
        }
    }
    eprintln!(
        "soak: {OPERATIONS} operations, {kills} SIGKILLs, {} accounts added, {} removed, {} at the end on all three",
        added.len(),
        removed.len(),
        final_view.len()
    );
}
