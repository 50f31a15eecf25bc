//! Desktop locking against test doubles that speak the real interfaces: logind (Manager, User,
//! Session) on a second private bus used as the system bus, and the GNOME and freedesktop
//! ScreenSaver signals on the session bus. The daemon is the real binary.

use crate::common::daemon::{bin, connect, vault_proxy};
mod doubles;

use doubles::*;
use latchkey_dbus::testing::TestBus;
use latchkey_dbus::{SettingsProxy, VaultProxy};
use std::time::{Duration, Instant};

async fn locked_within(vault: &VaultProxy<'_>, d: Duration) -> bool {
    let deadline = Instant::now() + d;
    while Instant::now() < deadline {
        if vault.locked().await.expect("Locked") {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    false
}

/// Emits `Session.Lock` on `path` until the vault locks: the first signal a freshly subscribed
/// watcher sees, without guessing how long subscribing takes on a loaded machine.
async fn lock_until_locked(logind: &zbus::Connection, path: &str, vault: &VaultProxy<'_>) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        Session::lock(&emitter(logind, path).await)
            .await
            .expect("Lock");
        if locked_within(vault, Duration::from_millis(250)).await {
            return;
        }
    }
    panic!("Session.Lock of {path} never locked the vault");
}

/// Asserts the vault locks within 3 s for `reason` (then unlocks it), or stays unlocked 600 ms.
async fn expect_lock(vault: &VaultProxy<'_>, should_lock: bool, reason: &str, what: &str) {
    if should_lock {
        assert!(
            locked_within(vault, Duration::from_secs(3)).await,
            "{what} did not lock"
        );
        assert_eq!(vault.lock_reason().await.expect("reason"), reason, "{what}");
        vault.unlock("pw").await.expect("unlock again");
    } else {
        assert!(
            !locked_within(vault, Duration::from_millis(600)).await,
            "{what} locked but should not"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logind_and_screensaver_signals_lock_the_vault() {
    let session_bus = TestBus::start(bin()).expect("session bus");
    let system_bus = TestBus::start(bin()).expect("system bus");
    let logind = logind_double(system_bus.address()).await;
    let saver = screensaver_double(session_bus.address()).await;
    let daemon = session_bus
        .spawn_daemon_with(bin(), &[("DBUS_SYSTEM_BUS_ADDRESS", system_bus.address())])
        .expect("daemon");
    let conn = connect(&session_bus).await;
    let vault = vault_proxy(&conn).await;
    vault.create("pw").await.expect("create");

    // Session.Lock (repeated until the daemon has subscribed; later signals are sent once).
    let session1 = emitter(&logind, SESSION_1).await;
    lock_until_locked(&logind, SESSION_1, &vault).await;
    expect_lock(&vault, true, "screen-lock", "Session.Lock").await;
    set_session(&logind, SESSION_1, Some(true), None).await;
    expect_lock(&vault, true, "screen-lock", "LockedHint=true").await;
    set_session(&logind, SESSION_1, Some(false), Some(true)).await;
    expect_lock(&vault, true, "session-idle", "IdleHint=true").await;
    set_session(&logind, SESSION_1, None, Some(false)).await;
    expect_lock(&vault, false, "", "IdleHint=false").await;

    let manager = emitter(&logind, MANAGER_PATH).await;
    Manager::prepare_for_sleep(&manager, false)
        .await
        .expect("resume");
    expect_lock(&vault, false, "", "PrepareForSleep(false)").await;
    Manager::prepare_for_sleep(&manager, true)
        .await
        .expect("sleep");
    expect_lock(&vault, true, "suspend", "PrepareForSleep(true)").await;

    // A new session is picked up on SessionNew, and its Lock signal locks.
    change_sessions(&logind, "32", SESSION_2, true).await;
    lock_until_locked(&logind, SESSION_2, &vault).await;
    expect_lock(&vault, true, "screen-lock", "Lock of a session added later").await;
    // After SessionRemoved, that session's signals are no longer watched; the other one is.
    change_sessions(&logind, "32", SESSION_2, false).await;
    tokio::time::sleep(Duration::from_secs(1)).await; // the daemon drops the watcher
    Session::lock(&emitter(&logind, SESSION_2).await)
        .await
        .expect("Lock 2");
    expect_lock(&vault, false, "", "Lock of a removed session").await;
    Session::lock(&session1).await.expect("Lock");
    expect_lock(&vault, true, "screen-lock", "Lock after a removal").await;

    // ScreenSaver signals on the session bus.
    active_changed(&saver, true, true).await;
    expect_lock(&vault, true, "screen-lock", "gnome ActiveChanged(true)").await;
    active_changed(&saver, false, true).await;
    expect_lock(
        &vault,
        true,
        "screen-lock",
        "freedesktop ActiveChanged(true)",
    )
    .await;
    active_changed(&saver, true, false).await;
    expect_lock(&vault, false, "", "gnome ActiveChanged(false)").await;
    active_changed(&saver, false, false).await;
    expect_lock(&vault, false, "", "freedesktop ActiveChanged(false)").await;

    // Each condition is a setting, read at event time: with it off, the signal is ignored.
    let settings = SettingsProxy::new(&conn).await.expect("settings");
    settings.set_lock_on_suspend(false).await.expect("set");
    settings.set_lock_on_screen_lock(false).await.expect("set");
    settings.set_lock_on_session_idle(false).await.expect("set");
    Manager::prepare_for_sleep(&manager, true)
        .await
        .expect("sleep");
    Session::lock(&session1).await.expect("Lock");
    set_session(&logind, SESSION_1, Some(true), Some(true)).await;
    active_changed(&saver, true, true).await;
    expect_lock(&vault, false, "", "signals with their settings off").await;
    settings.set_lock_on_session_idle(true).await.expect("set");
    set_session(&logind, SESSION_1, None, Some(false)).await;
    set_session(&logind, SESSION_1, None, Some(true)).await;
    expect_lock(
        &vault,
        true,
        "session-idle",
        "IdleHint with its setting back on",
    )
    .await;

    let (_, log) = daemon.stop().expect("stop");
    for source in [
        "Session.Lock",
        "LockedHint",
        "IdleHint",
        "PrepareForSleep",
        "org.gnome.ScreenSaver ActiveChanged",
        "org.freedesktop.ScreenSaver ActiveChanged",
    ] {
        assert!(
            log.lines()
                .any(|l| l.contains("desktop-lock-signal") && l.contains(source)),
            "no desktop-lock-signal logged for {source}:\n{log}"
        );
    }
    assert!(log.contains("desktop-lock-signal"), "{log}");
    assert!(!log.contains("logind not reachable"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_system_bus_the_screensaver_still_locks() {
    let session_bus = TestBus::start(bin()).expect("session bus");
    let missing = format!(
        "unix:path={}",
        session_bus.root().join("no-system-bus").display()
    );
    let daemon = session_bus
        .spawn_daemon_with(bin(), &[("DBUS_SYSTEM_BUS_ADDRESS", &missing)])
        .expect("daemon starts without logind");
    let saver = screensaver_double(session_bus.address()).await;
    let conn = connect(&session_bus).await;
    let vault = vault_proxy(&conn).await;
    vault.create("pw").await.expect("create");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        active_changed(&saver, false, true).await;
        if locked_within(&vault, Duration::from_millis(250)).await {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "ActiveChanged(true) never locked"
        );
    }
    expect_lock(&vault, true, "screen-lock", "ActiveChanged without logind").await;
    assert!(!vault.locked().await.expect("still serving"));

    let (_, log) = daemon.stop().expect("stop");
    assert_eq!(
        log.matches("logind not reachable").count(),
        1,
        "logged once:\n{log}"
    );
    assert!(log.contains("desktop-lock-signal"), "{log}");
}
