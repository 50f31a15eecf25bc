//! Auto-lock and unlock protection against the real daemon on a private bus: the inactivity
//! timer, settings persisted to config.toml, the brute-force delay across a restart, and
//! security events reaching D-Bus and a notification server (a test double speaking the real
//! org.freedesktop.Notifications interface).

use crate::common::daemon::{bin, connect, vault_proxy};
use futures_util::StreamExt;
use latchkey_dbus::testing::TestBus;
use latchkey_dbus::{SettingsProxy, VaultProxy};
use std::time::{Duration, Instant};

async fn wait_locked(vault: &VaultProxy<'_>, within: Duration) -> Duration {
    let start = Instant::now();
    loop {
        if vault.locked().await.expect("Locked") {
            return start.elapsed();
        }
        assert!(start.elapsed() < within, "not locked within {within:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inactivity_locks_and_activity_keeps_unlocked() {
    let bus = TestBus::start(bin()).expect("bus");
    let _daemon = bus.spawn_daemon(bin()).expect("daemon");
    let conn = connect(&bus).await;
    let vault = vault_proxy(&conn).await;
    let settings = SettingsProxy::new(&conn).await.expect("settings");
    assert_eq!(
        settings.auto_lock_timeout().await.expect("get"),
        300,
        "default"
    );
    settings
        .set_auto_lock_timeout(2)
        .await
        .expect("set timeout");
    let err = settings
        .set_auto_lock_timeout(10_000_000)
        .await
        .expect_err("absurd timeout refused");
    assert!(err.to_string().contains("at most"), "{err}");
    let config = std::fs::read_to_string(bus.root().join("config/latchkey/config.toml"))
        .expect("config saved");
    assert!(config.contains("auto_lock_timeout = 2"), "{config}");

    vault.create("pw").await.expect("create");
    let id = vault
        .add_uri("otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP")
        .await
        .expect("add");
    // Code requests every 0.5 s for 3.5 s keep the vault unlocked past the 2 s timeout.
    for _ in 0..7 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        vault.get_code(&id).await.expect("code while active");
    }
    assert!(!vault.locked().await.expect("Locked"));
    // Then silence: locked about 2 s after the last request, with the reason recorded.
    let took = wait_locked(&vault, Duration::from_secs(4)).await;
    assert!(
        took >= Duration::from_millis(1400),
        "locked too early: {took:?}"
    );
    assert_eq!(vault.lock_reason().await.expect("reason"), "inactivity");
    let since = vault.locked_since().await.expect("since");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    assert!(now.abs_diff(since) <= 2, "LockedSince {since} vs now {now}");

    // 0 = never: stays unlocked.
    settings.set_auto_lock_timeout(0).await.expect("never");
    vault.unlock("pw").await.expect("unlock");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(
        !vault.locked().await.expect("Locked"),
        "timeout 0 must never lock"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn brute_force_delay_survives_a_restart() {
    let bus = TestBus::start(bin()).expect("bus");
    let daemon = bus.spawn_daemon(bin()).expect("daemon");
    let conn = connect(&bus).await;
    let vault = vault_proxy(&conn).await;
    vault.create("right").await.expect("create");
    vault.lock().await.expect("lock");

    let mut events = vault.receive_security_event().await.expect("subscribe");
    // Three free attempts.
    for _ in 0..3 {
        let e = vault.unlock("wrong").await.expect_err("wrong passphrase");
        assert!(matches!(
            latchkey_dbus::Error::from(e),
            latchkey_dbus::Error::BadPassphrase(_)
        ));
    }
    // The lock's own "locked" event may still be on its way (signals follow the reply that
    // caused them): the wrong passphrases' event is the one after it.
    let mut seen = Vec::new();
    let failed = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(event) = events.next().await {
            let kind = event.args().expect("args").event().to_string();
            if kind == "unlock-failed" {
                return true;
            }
            seen.push(kind);
        }
        false
    })
    .await;
    assert_eq!(failed, Ok(true), "no unlock-failed event; saw {seen:?}");
    assert!(seen.iter().all(|k| k == "locked"), "{seen:?}");
    // The fourth attempt must wait 1 s: even the right passphrase is refused, without a KDF run.
    let e = vault.unlock("right").await.expect_err("too early");
    let e = latchkey_dbus::Error::from(e);
    assert!(matches!(e, latchkey_dbus::Error::RateLimited(_)), "{e:?}");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    vault.unlock("wrong").await.expect_err("4th wrong");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    vault.unlock("wrong").await.expect_err("5th wrong");
    assert_eq!(vault.unlock_failures().await.expect("failures"), 5);
    let retry = vault.unlock_retry_after().await.expect("retry");
    assert!(retry > 0);

    // Restart: the counter and the 4 s delay are still there.
    daemon.kill_hard();
    drop(vault);
    drop(conn);
    let _daemon = bus.spawn_daemon(bin()).expect("restart");
    let conn = connect(&bus).await;
    let vault = vault_proxy(&conn).await;
    assert_eq!(
        vault.unlock_failures().await.expect("failures"),
        5,
        "counter persisted"
    );
    assert_eq!(vault.unlock_retry_after().await.expect("retry"), retry);
    let e = latchkey_dbus::Error::from(vault.unlock("right").await.expect_err("still delayed"));
    assert!(matches!(e, latchkey_dbus::Error::RateLimited(_)), "{e:?}");
    let wait = retry.saturating_sub(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_secs(),
    );
    tokio::time::sleep(Duration::from_secs(wait + 1)).await;
    vault
        .unlock("right")
        .await
        .expect("right passphrase after the delay");
    assert_eq!(
        vault.unlock_failures().await.expect("failures"),
        0,
        "success resets the counter"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_unlock_becomes_a_critical_notification() {
    let bus = TestBus::start(bin()).expect("bus");
    let (_server, fake) = crate::common::serve_notifications(bus.address(), false).await;
    let _daemon = bus.spawn_daemon(bin()).expect("daemon");
    let conn = connect(&bus).await;
    let vault = VaultProxy::new(&conn).await.expect("proxy");
    vault.create("right").await.expect("create");
    vault.lock().await.expect("lock");
    vault.unlock("wrong horse").await.expect_err("wrong");
    let deadline = Instant::now() + Duration::from_secs(5);
    while fake.shown.lock().expect("shown").is_empty() {
        assert!(Instant::now() < deadline, "no notification");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let shown = fake.shown.lock().expect("shown").clone();
    let crate::common::Shown {
        summary,
        body,
        urgency,
        ..
    } = &shown[0];
    assert!(summary.contains("failed unlock"), "{summary}");
    assert!(body.contains("1 in a row"), "{body}");
    assert_eq!(*urgency, 2, "critical urgency");
    assert!(
        !body.contains("wrong horse") && !summary.contains("wrong horse"),
        "the attempted passphrase leaked"
    );
}
