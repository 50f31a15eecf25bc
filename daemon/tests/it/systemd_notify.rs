//! The sd_notify protocol, against our own NOTIFY_SOCKET (no systemd manager is started).

use latchkey_dbus::testing::TestBus;
use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SIGHUP: i32 = 1;

type Log = Arc<Mutex<Vec<(Instant, String)>>>;

/// Collects every datagram sent to the socket, with its arrival time.
fn listen(sock: UnixDatagram) -> Log {
    let log: Log = Arc::default();
    let sink = log.clone();
    sock.set_read_timeout(Some(Duration::from_millis(100)))
        .expect("timeout");
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        // Ends when the test process exits; reads time out so the thread never blocks forever.
        for _ in 0..600 {
            if let Ok(n) = sock.recv(&mut buf) {
                let text = String::from_utf8_lossy(&buf[..n]).to_string();
                sink.lock().expect("log").push((Instant::now(), text));
            }
        }
    });
    log
}

fn wait_for(log: &Log, what: &str, timeout: Duration) -> Instant {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some((t, _)) = log
            .lock()
            .expect("log")
            .iter()
            .find(|(_, m)| m.lines().any(|l| l == what))
        {
            return *t;
        }
        assert!(
            Instant::now() < deadline,
            "no {what:?} within {timeout:?}; got {:?}",
            messages(log)
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn messages(log: &Log) -> Vec<String> {
    log.lock()
        .expect("log")
        .iter()
        .map(|(_, m)| m.clone())
        .collect()
}

fn pings_between(log: &Log, from: Instant, to: Instant) -> usize {
    log.lock()
        .expect("log")
        .iter()
        .filter(|(t, m)| *t >= from && *t < to && m.lines().any(|l| l == "WATCHDOG=1"))
        .count()
}

#[test]
fn ready_status_watchdog_reload_and_stopping() {
    let bin = Path::new(env!("CARGO_BIN_EXE_latchkeyd"));
    let bus = TestBus::start(bin).expect("bus");
    let path = bus.root().join("notify.sock");
    let log = listen(UnixDatagram::bind(&path).expect("bind notify socket"));
    let path = path.display().to_string();
    // 400 ms watchdog: pings every 200 ms while the daemon answers its own bus calls.
    let mut daemon = bus
        .spawn_daemon_with(
            bin,
            &[
                ("NOTIFY_SOCKET", &path),
                ("WATCHDOG_USEC", "400000"),
                ("LATCHKEY_TEST_FAULTS", "1"),
            ],
        )
        .expect("daemon");
    drop(daemon.take_stderr());

    // READY=1 comes with a status line, and only once the name is owned.
    wait_for(&log, "READY=1", Duration::from_secs(10));
    assert!(
        bus.name_owner_pid().expect("query").is_some(),
        "READY=1 before the bus name was owned"
    );
    let first = messages(&log)
        .into_iter()
        .find(|m| m.contains("READY=1"))
        .expect("ready");
    assert!(first.contains("STATUS=No vault yet"), "{first}");

    bus.call("org.latchkey.Latchkey1.Vault.Create", &["string:pw"])
        .expect("create");
    wait_for(&log, "STATUS=Unlocked, 0 accounts", Duration::from_secs(5));
    bus.call(
        "org.latchkey.Latchkey1.Vault.AddUri",
        &["string:otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP"],
    )
    .expect("add");
    wait_for(&log, "STATUS=Unlocked, 1 account", Duration::from_secs(5));
    // A pending approval request shows in the status line.
    let mut requester = bus
        .command(&latchkey_dbus::testing::target_bin("latchkey"))
        .args(["request-approval", "--title", "Sign in"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("requester");
    wait_for(
        &log,
        "STATUS=Unlocked, 1 account, 1 request(s) awaiting an answer",
        Duration::from_secs(5),
    );
    bus.call("org.latchkey.Latchkey1.Vault.Lock", &[])
        .expect("lock");
    wait_for(
        &log,
        "STATUS=Locked (manual), 1 account, 1 request(s) awaiting an answer",
        Duration::from_secs(5),
    );
    requester.kill().expect("stop the requester");
    requester.wait().expect("reap the requester");

    // Healthy: pings keep coming.
    let start = Instant::now();
    std::thread::sleep(Duration::from_millis(1200));
    let healthy = pings_between(&log, start, Instant::now());
    assert!(
        healthy >= 4,
        "expected ≥ 4 watchdog pings in 1.2 s, got {healthy}"
    );

    // Wedged: the state lock is held for 2 s; the self-check cannot answer, so no pings.
    bus.call("org.latchkey.Latchkey1.Testing.Wedge", &["uint32:2000"])
        .expect("wedge");
    let wedged_from = Instant::now() + Duration::from_millis(300);
    std::thread::sleep(Duration::from_millis(1700));
    let wedged = pings_between(&log, wedged_from, Instant::now());
    assert_eq!(
        wedged, 0,
        "watchdog kept pinging while the daemon was wedged"
    );
    // Unwedged: pings resume.
    std::thread::sleep(Duration::from_millis(1000));
    let resumed_from = Instant::now();
    std::thread::sleep(Duration::from_millis(800));
    assert!(
        pings_between(&log, resumed_from, Instant::now()) >= 2,
        "pings did not resume"
    );

    // SIGHUP: RELOADING=1 then READY=1 again.
    let before = Instant::now();
    daemon.signal(SIGHUP);
    let reloading = wait_for_after(&log, "RELOADING=1", before);
    let ready_again = wait_for_after(&log, "READY=1", before);
    assert!(reloading <= ready_again);

    // SIGTERM: STOPPING=1 and exit 0.
    let (status, _) = daemon.stop().expect("stop");
    assert_eq!(status.code(), Some(0));
    wait_for(&log, "STOPPING=1", Duration::from_secs(5));
}

fn wait_for_after(log: &Log, what: &str, after: Instant) -> Instant {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some((t, _)) = log
            .lock()
            .expect("log")
            .iter()
            .find(|(t, m)| *t >= after && m.lines().any(|l| l == what))
        {
            return *t;
        }
        assert!(
            Instant::now() < deadline,
            "no {what:?} after signal; got {:?}",
            messages(log)
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn logs_reach_stderr_when_the_journal_is_missing() {
    use std::io::Read;
    let bin = Path::new(env!("CARGO_BIN_EXE_latchkeyd"));
    let bus = TestBus::start(bin).expect("bus");
    // INVOCATION_ID makes the daemon believe systemd started it; this machine has no journal socket.
    let mut daemon = bus
        .spawn_daemon_with(
            bin,
            &[("INVOCATION_ID", "0123456789abcdef"), ("RUST_LOG", "trace")],
        )
        .expect("daemon");
    let mut stderr = daemon.take_stderr().expect("stderr");
    bus.call("org.latchkey.Latchkey1.Vault.Create", &["string:hunter2"])
        .expect("create");
    bus.call(
        "org.latchkey.Latchkey1.Vault.AddUri",
        &["string:otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP"],
    )
    .expect("add");
    let (status, _) = daemon.stop().expect("stop");
    assert_eq!(status.code(), Some(0));
    let mut text = String::new();
    stderr.read_to_string(&mut text).expect("read stderr");
    if !Path::new("/run/systemd/journal/socket").exists() {
        assert!(text.contains("journal is not reachable"), "{text}");
    }
    assert!(text.contains("serving org.latchkey.Latchkey1"), "{text}");
    assert!(
        text.contains("account-added"),
        "structured event field: {text}"
    );
    for secret in ["hunter2", "JBSWY3DPEHPK3PXP", "jbswy3dpehpk3pxp"] {
        assert!(!text.contains(secret), "log contains a secret: {text}");
    }
}
