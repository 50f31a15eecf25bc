//! Sync end to end: two real `latchkeyd` on separate private buses and data directories, each
//! with its own real Syncthing (Debian's package) carrying the folder between them over
//! 127.0.0.1. Adds, concurrent edits, removals, a Syncthing that was stopped, SIGKILLed
//! daemons, a tampered replica, a conflict copy and a forgotten device, as a user's machines
//! would meet them.

mod aegis;
mod soak;
mod syncthing;

use crate::common::daemon::{bin, connect, vault_proxy};
use latchkey_dbus::testing::{DaemonProcess, TestBus};
use latchkey_dbus::{SyncProxy, VaultProxy};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use syncthing::Syncthing;
use zbus::zvariant::Value;

const PASS: &str = "sync pass";
/// How long a change may take to cross two Syncthings (about 3 s each way here).
const CROSSING: Duration = Duration::from_secs(60);

/// One machine: a private bus, its daemon, and a connection to it.
struct Machine {
    bus: TestBus,
    daemon: Option<DaemonProcess>,
    conn: zbus::Connection,
}

impl Machine {
    async fn start() -> Self {
        let bus = TestBus::start(bin()).expect("private bus");
        let daemon = drained(bus.spawn_daemon(bin()).expect("latchkeyd starts"));
        let conn = connect(&bus).await;
        Self {
            bus,
            daemon: Some(daemon),
            conn,
        }
    }

    async fn vault(&self) -> VaultProxy<'_> {
        vault_proxy(&self.conn).await
    }

    async fn sync(&self) -> SyncProxy<'_> {
        SyncProxy::builder(&self.conn)
            .cache_properties(zbus::proxy::CacheProperties::No)
            .build()
            .await
            .expect("sync proxy")
    }

    /// SIGKILL, as a crash; then a new daemon on the same bus and data, unlocked.
    async fn crash_and_restart(&mut self) {
        if let Some(d) = self.daemon.take() {
            d.kill_hard();
        }
        self.daemon = Some(drained(
            self.bus.spawn_daemon(bin()).expect("latchkeyd restarts"),
        ));
        self.conn = connect(&self.bus).await;
        self.vault().await.unlock(PASS).await.expect("unlock");
    }

    /// Accounts by issuer: (account name, id).
    async fn accounts(&self) -> BTreeMap<String, (String, String)> {
        self.vault()
            .await
            .list_accounts()
            .await
            .expect("list")
            .into_iter()
            .map(|a| (a.issuer, (a.account, a.id)))
            .collect()
    }

    async fn add(&self, issuer: &str, n: u8) -> String {
        let secret = data_encoding::BASE32_NOPAD.encode(&[n; 20]);
        self.vault()
            .await
            .add_account(issuer, "user", &secret, "totp", "sha1", 6, 30, 0)
            .await
            .expect("add")
    }

    async fn rename(&self, id: &str, field: &str, value: &str) {
        let changes = HashMap::from([(field, Value::from(value))]);
        self.vault()
            .await
            .update_account(id, changes)
            .await
            .expect("update");
    }

    async fn id_of(&self, issuer: &str) -> String {
        self.accounts()
            .await
            .get(issuer)
            .unwrap_or_else(|| panic!("{issuer} is here"))
            .1
            .clone()
    }
}

/// The daemon with its log read and dropped as it comes: a pipe nobody reads would stop a daemon
/// that logs thousands of merges once 64 KiB of log lines wait in it.
fn drained(mut daemon: DaemonProcess) -> DaemonProcess {
    if let Some(mut err) = daemon.take_stderr() {
        std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
    }
    daemon
}

/// Waits until `check` holds, or fails with `what`.
async fn until<F: std::future::Future<Output = bool>>(what: &str, mut check: impl FnMut() -> F) {
    let deadline = Instant::now() + CROSSING;
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn replica(folder: &Path, device: &str) -> PathBuf {
    folder.join("Latchkey").join(format!("{device}.lkreplica"))
}

#[tokio::test]
async fn two_machines_stay_in_step_through_real_syncthing() {
    let root = tempfile::tempdir().expect("root");
    let mut st_a = Syncthing::generate(root.path(), "a");
    let mut st_b = Syncthing::generate(root.path(), "b");
    st_a.start();
    st_b.start();
    st_a.share_with(&st_b);
    st_b.share_with(&st_a);

    let mut a = Machine::start().await;
    let mut b = Machine::start().await;
    a.vault().await.create(PASS).await.expect("create a");
    b.vault().await.create(PASS).await.expect("create b");
    a.add("Alpha", 1).await;
    b.add("Beta", 2).await;

    // Pairing: enable on a, invite, join on b; both machines end with both accounts.
    let (sa, sb) = (a.sync().await, b.sync().await);
    let id_a = sa
        .enable(st_a.folder.to_str().expect("utf-8"), "alpha")
        .await
        .expect("enable");
    let (code, expires) = sa.invite().await.expect("invite");
    assert!(expires > 0 && code.len() == 39, "{code}");
    // b joins once Syncthing has brought a's replica: a code naming a machine with no replica
    // in the folder is refused (a typo, or a folder still syncing).
    until("a's replica reaches b's folder", || async {
        replica(&st_b.folder, &id_a).exists()
    })
    .await;
    let id_b = sb
        .join(st_b.folder.to_str().expect("utf-8"), &code, "beta")
        .await
        .expect("join");
    drop((sa, sb));
    until("b has a's account and a has b's", || async {
        let (x, y) = (a.accounts().await, b.accounts().await);
        x == y && x.contains_key("Alpha") && x.contains_key("Beta")
    })
    .await;
    let devices = a.sync().await.list_devices().await.expect("devices");
    assert_eq!(devices.len(), 2);
    assert!(devices.iter().any(|d| d.id == id_b && d.name == "beta"));

    // An add on a appears on b.
    let started = Instant::now();
    a.add("Gamma", 3).await;
    until("Gamma reaches b", || async {
        b.accounts().await.contains_key("Gamma")
    })
    .await;
    eprintln!("an add crossed in {:?}", started.elapsed());

    // Concurrent edits: different fields of one account both survive; the same field converges.
    let (alpha_a, alpha_b) = (a.id_of("Alpha").await, b.id_of("Alpha").await);
    assert_eq!(alpha_a, alpha_b, "one account, one id on both machines");
    let beta = a.id_of("Beta").await;
    tokio::join!(
        a.rename(&alpha_a, "issuer", "Alpha-A"),
        b.rename(&alpha_b, "account", "user-B"),
        a.rename(&beta, "issuer", "Beta-A"),
        b.rename(&beta, "issuer", "Beta-B"),
    );
    until("both converge after concurrent edits", || async {
        let (x, y) = (a.accounts().await, b.accounts().await);
        x == y && x.get("Alpha-A").is_some_and(|v| v.0 == "user-B")
    })
    .await;

    // A removal propagates.
    let gamma = b.id_of("Gamma").await;
    b.vault()
        .await
        .remove_account(&gamma)
        .await
        .expect("remove");
    until("the removal reaches a", || async {
        !a.accounts().await.contains_key("Gamma")
    })
    .await;

    // b's Syncthing is stopped while both change; they converge once it is back.
    st_b.stop();
    b.add("Delta", 4).await;
    a.add("Epsilon", 5).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        !a.accounts().await.contains_key("Delta"),
        "no carrier, no change"
    );
    st_b.start();
    until("both have Delta and Epsilon", || async {
        let (x, y) = (a.accounts().await, b.accounts().await);
        x == y && x.contains_key("Delta") && x.contains_key("Epsilon")
    })
    .await;

    // SIGKILL of b while a's replica arrives (a merge under way or about to be), and of a right
    // after an acknowledged change: nothing acknowledged is lost.
    let uris: String = (0..40)
        .map(|i| {
            format!(
                "otpauth://totp/Bulk{i:02}:user?secret={}\n",
                data_encoding::BASE32_NOPAD.encode(&[100 + i as u8; 20])
            )
        })
        .collect();
    let from_a = replica(&st_b.folder, &id_a);
    let before = std::fs::metadata(&from_a).and_then(|m| m.modified()).ok();
    a.vault()
        .await
        .import(uris.as_bytes(), "uris", "", false)
        .await
        .expect("import");
    let deadline = Instant::now() + CROSSING;
    while std::fs::metadata(&from_a).and_then(|m| m.modified()).ok() == before {
        assert!(Instant::now() < deadline, "a's replica did not reach b");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    b.crash_and_restart().await;
    a.add("Zeta", 6).await;
    a.crash_and_restart().await;
    assert!(
        a.accounts().await.contains_key("Zeta"),
        "an acknowledged add survives SIGKILL"
    );
    until("both have the bulk import and Zeta", || async {
        let (x, y) = (a.accounts().await, b.accounts().await);
        x == y && x.contains_key("Bulk39") && x.contains_key("Zeta") && x.contains_key("Delta")
    })
    .await;
    let (sa, sb) = (a.sync().await, b.sync().await);

    // A tampered replica is refused and changes nothing.
    let b_on_a = replica(&st_a.folder, &id_b);
    let accounts_before = a.accounts().await;
    let mut bytes = std::fs::read(&b_on_a).expect("b's replica on a");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    let tampered = st_a.folder.join("Latchkey/.tampered");
    std::fs::write(&tampered, &bytes).expect("write");
    std::fs::rename(&tampered, &b_on_a).expect("replace");
    until("a refuses the tampered file", || async {
        sa.last_error().await.expect("error").contains("refused")
    })
    .await;
    assert_eq!(a.accounts().await, accounts_before);

    // A conflict copy is merged, then removed: a's carrier is stopped, so b's change reaches a
    // only through the copy put there by hand.
    st_a.stop();
    let written = sb.last_write().await.expect("last write");
    b.add("Eta", 7).await;
    until("b writes its replica", || async {
        sb.last_write().await.expect("last write") > written
            || replica(&st_b.folder, &id_b).exists()
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let copy = st_a.folder.join(format!(
        "Latchkey/{id_b}.sync-conflict-20260101-000000-TESTXYZ.lkreplica"
    ));
    let own = replica(&st_a.folder, &id_a);
    let mtime = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let a_written = mtime(&own);
    std::fs::copy(replica(&st_b.folder, &id_b), &copy).expect("conflict copy");
    until("a merges the conflict copy", || async {
        a.accounts().await.contains_key("Eta")
    })
    .await;
    until("the copy is removed", || async { !copy.exists() }).await;
    // a writes its replica after the merge, which clears its last error: wait for that first.
    until("a writes its replica after the merge", || async {
        mtime(&own) > a_written
    })
    .await;
    // A conflict copy that is refused stays, for the user to look at: nothing is deleted on
    // the word of a file that failed its check.
    let mut bytes = std::fs::read(replica(&st_b.folder, &id_b)).expect("b's replica");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    let bad = format!("{id_b}.sync-conflict-20260101-000001-TESTBAD.lkreplica");
    let hidden = st_a.folder.join("Latchkey/.bad");
    std::fs::write(&hidden, &bytes).expect("write");
    std::fs::rename(&hidden, st_a.folder.join("Latchkey").join(&bad)).expect("place");
    let deadline = Instant::now() + CROSSING;
    loop {
        let error = sa.last_error().await.expect("error");
        if error.contains(&bad) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "a did not refuse the tampered conflict copy; its last error: {error:?}; the folder: {:?}",
            std::fs::read_dir(st_a.folder.join("Latchkey"))
                .map(|d| d.flatten().map(|e| e.file_name()).collect::<Vec<_>>())
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Read again at the next scan (a change in the folder), it stays.
    std::fs::write(st_a.folder.join("Latchkey/.poke"), b"").expect("poke");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        st_a.folder.join("Latchkey").join(&bad).exists(),
        "a refused conflict copy was deleted"
    );
    std::fs::remove_file(st_a.folder.join("Latchkey").join(&bad)).expect("remove the copy");
    std::fs::remove_file(st_a.folder.join("Latchkey/.poke")).expect("remove the poke");
    st_a.start();

    // Forgetting b: its later changes never reach a, and it learns it was forgotten.
    sa.forget("beta").await.expect("forget");
    until("b learns it was forgotten", || async {
        sb.forgotten().await.expect("forgotten")
    })
    .await;
    b.add("Theta", 8).await;
    tokio::time::sleep(Duration::from_secs(8)).await;
    assert!(
        !a.accounts().await.contains_key("Theta"),
        "a forgotten device's change"
    );
    let devices = sa.list_devices().await.expect("devices");
    assert!(devices.iter().any(|d| d.id == id_b && d.forgotten));
    drop((sa, sb));
    st_a.stop();
    st_b.stop();
}
