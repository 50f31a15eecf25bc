//! Request floods from foreign apps: capped per connection, per app and overall, coalesced into
//! one notification per app, and never able to take the places kept for the user's own
//! clients (and push challenges, see `approvals::places`).

use super::attacker::{Attacker, python, python_copy};
use super::*;
use crate::common::daemon::cli_ok as cli;
use std::process::{Child, Stdio};

const TOO_MANY: &str = "org.latchkey.Latchkey1.Error.TooManyRequests";

/// The daemon with consent on (this test process and python are foreign), a notification
/// double, a vault and one account made by our own CLI; returns the account id.
pub(super) struct Flooded {
    pub bus: TestBus,
    pub daemon: latchkey_dbus::testing::DaemonProcess,
    _server: zbus::Connection,
    pub fake: crate::common::FakeNotifications,
    pub id: String,
}

pub(super) async fn flooded() -> Flooded {
    let bus = TestBus::start(bin()).expect("bus");
    let (server, fake) = crate::common::serve_notifications(bus.address(), true).await;
    let daemon = bus
        .spawn_daemon_with(bin(), &[("LATCHKEY_TEST_TRUST_ALL_CALLERS", "0")])
        .expect("daemon");
    cli(&bus, &["init", "--passphrase-stdin"], "pw\n");
    let id = cli(
        &bus,
        &["add", "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP"],
        "",
    )
    .trim()
    .to_string();
    Flooded {
        bus,
        daemon,
        _server: server,
        fake,
        id,
    }
}

async fn pending_count(bus: &TestBus) -> u32 {
    let conn = connect(bus).await;
    ApprovalsProxy::builder(&conn)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .expect("proxy")
        .pending_count()
        .await
        .expect("PendingCount")
}

/// Waits until the notifications mentioning `needle` are what `ok` wants.
async fn notes_until(
    fake: &crate::common::FakeNotifications,
    needle: &str,
    ok: impl Fn(&[crate::common::Shown]) -> bool,
) -> Vec<crate::common::Shown> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let closed = fake.closed.lock().expect("closed").clone();
        let live: Vec<crate::common::Shown> = fake
            .shown
            .lock()
            .expect("shown")
            .iter()
            .filter(|s| s.body.contains(needle) && !closed.contains(&s.id))
            .cloned()
            .collect();
        if ok(&live) || Instant::now() > deadline {
            return live;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Our own CLI asks for an approval and waits (it is stopped by PID when dropped).
struct OwnRequest(Child);

impl OwnRequest {
    fn start(bus: &TestBus, title: &str) -> Self {
        let child = bus
            .command(&latchkey_dbus::testing::target_bin("latchkey"))
            .args(["request-approval", "--title", title, "--timeout", "60"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cli");
        Self(child)
    }
}

impl Drop for OwnRequest {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consent_flood_is_capped_coalesced_and_leaves_room_for_the_user() {
    let f = flooded().await;
    // 1,000 code requests from one app over 10 connections (the bus allows each connection
    // only so many calls awaiting a reply): 4 places each, 16 for the app.
    let mut app = Attacker::start(
        &f.bus,
        &python(),
        10,
        100,
        "Vault",
        "GetCode",
        false,
        &[&f.id],
    );
    assert!(
        app.wait(Duration::from_secs(60), |a| a.count(TOO_MANY) >= 984),
        "the flood was not refused: {:?}",
        app.tally
    );
    assert_eq!(
        app.replies(),
        984,
        "only refusals came back: {:?}",
        app.tally
    );
    assert_eq!(
        pending_count(&f.bus).await,
        16,
        "4 per connection, 16 per app"
    );

    // One notification for the app, updated in place, not 16.
    let exe = python().display().to_string();
    let live = notes_until(&f.fake, &exe, |l| {
        l.len() == 1 && l[0].body.contains("15 more request(s)")
    })
    .await;
    assert_eq!(live.len(), 1, "one notification for the app: {live:#?}");
    assert!(
        live[0].body.contains("15 more request(s)"),
        "{}",
        live[0].body
    );
    let all = f.fake.shown.lock().expect("shown").len();
    assert!(all <= 2, "{all} notifications were shown for one app");

    // Other apps fill what is left for foreign apps (224 of 256 places)...
    let dir = tempfile::tempdir().expect("dir");
    let mut others = Vec::new();
    for n in 1..14 {
        let py = python_copy(dir.path(), &format!("app{n}"));
        others.push(Attacker::start(
            &f.bus,
            &py,
            4,
            5,
            "Vault",
            "GetCode",
            false,
            &[&f.id],
        ));
    }
    for a in &mut others {
        assert!(
            a.wait(Duration::from_secs(60), |a| a.count(TOO_MANY) >= 4),
            "{:?}",
            a.tally
        );
    }
    assert_eq!(pending_count(&f.bus).await, 224);
    // ... so one more app is refused with the named error,
    let me = connect(&f.bus).await;
    let refused = ApprovalsProxy::new(&me)
        .await
        .expect("proxy")
        .request_approval("Sign in?", "", HashMap::new())
        .await
        .expect_err("no room for another foreign app");
    assert!(refused.to_string().contains("TooManyRequests"), "{refused}");
    assert!(
        refused.to_string().contains("waiting for the user"),
        "{refused}"
    );
    // ... while the user's own client still gets a place.
    let _own = OwnRequest::start(&f.bus, "My own sign-in");
    let deadline = Instant::now() + Duration::from_secs(10);
    while pending_count(&f.bus).await != 225 {
        assert!(Instant::now() < deadline, "own client found no place");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // An app that leaves gives its places back.
    drop(app);
    let deadline = Instant::now() + Duration::from_secs(10);
    while pending_count(&f.bus).await != 209 {
        assert!(Instant::now() < deadline, "places were not given back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let live = notes_until(&f.fake, &exe, <[crate::common::Shown]>::is_empty).await;
    assert!(live.is_empty(), "its notification is closed: {live:#?}");
}

/// Latency of `latchkey code`: (p50, max) over `n` runs.
pub(super) fn code_latency(bus: &TestBus, id: &str, n: usize) -> (Duration, Duration) {
    let mut times: Vec<Duration> = (0..n)
        .map(|_| {
            let start = Instant::now();
            cli(bus, &["code", id], "");
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[n / 2], times[n - 1])
}

/// The benchmark for docs/benchmarks.md:
/// `cargo test -p latchkeyd --test it approvals::floods::flood_benchmark -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run by hand"]
async fn flood_benchmark() {
    let f = flooded().await;
    let (idle_p50, idle_max) = code_latency(&f.bus, &f.id, 30);
    // 1,000 outstanding code requests from one app, refused ones sent again at once.
    let mut app = Attacker::start(
        &f.bus,
        &python(),
        10,
        100,
        "Vault",
        "GetCode",
        true,
        &[&f.id],
    );
    assert!(app.wait(Duration::from_secs(60), |a| a.count(TOO_MANY) >= 984));
    let during = latency_during(&f, &mut app);
    eprintln!(
        "latchkey code: idle p50 {idle_p50:?} max {idle_max:?}; during a sustained 1,000-request \
         consent flood {during}"
    );
}

/// The same for a foreign app that keeps 100 `AddUri` calls outstanding, each sent again when
/// refused (the account exists after the first add: `AlreadyExists`):
/// `cargo test -p latchkeyd --test it approvals::floods::add_flood_benchmark -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run by hand"]
async fn add_flood_benchmark() {
    let f = flooded().await;
    let (idle_p50, idle_max) = code_latency(&f.bus, &f.id, 30);
    let mut app = Attacker::start(
        &f.bus,
        &python(),
        1,
        100,
        "Vault",
        "AddUri",
        true,
        &["otpauth://totp/Flood:x?secret=JBSWY3DPEHPK3PXP"],
    );
    assert!(
        app.wait(Duration::from_secs(30), |a| a.replies() >= 1000),
        "{:?}",
        app.tally
    );
    let during = latency_during(&f, &mut app);
    eprintln!(
        "latchkey code: idle p50 {idle_p50:?} max {idle_max:?}; during a sustained AddUri flood \
         {during} ({:?})",
        app.tally
    );
}

/// `latchkey code` timed back to back for 12 s (longer than the longest pause before a
/// refusal, so resent calls keep coming) while `app` floods; the figures as one line.
fn latency_during(f: &Flooded, app: &mut Attacker) -> String {
    let start = Instant::now();
    let replies_before = app.replies();
    let mut times = Vec::new();
    while start.elapsed() < Duration::from_secs(12) {
        times.push(code_latency(&f.bus, &f.id, 1).0);
    }
    let elapsed = start.elapsed().as_secs_f64();
    app.wait(Duration::from_millis(500), |_| false);
    let replies = app.replies() - replies_before;
    times.sort();
    let n = times.len();
    format!(
        "({replies} replies in {elapsed:.1} s): p50 {:?} p99 {:?} max {:?} over {n} runs",
        times[n / 2],
        times[n * 99 / 100],
        times[n - 1],
    )
}
