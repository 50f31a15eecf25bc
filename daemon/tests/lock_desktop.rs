//! Desktop locking against test doubles that speak the real interfaces: logind (Manager, User,
//! Session) on a second private bus used as the system bus, and the GNOME and freedesktop
//! ScreenSaver signals on the session bus. The daemon is the real binary.

use latchkey_dbus::testing::TestBus;
use latchkey_dbus::{SettingsProxy, VaultProxy};
use std::path::Path;
use std::time::{Duration, Instant};
use zbus::object_server::SignalEmitter;
use zbus::zvariant::{ObjectPath, OwnedObjectPath};

const USER_PATH: &str = "/org/freedesktop/login1/user/_1000";
const SESSION_1: &str = "/org/freedesktop/login1/session/_31";
const SESSION_2: &str = "/org/freedesktop/login1/session/_32";

fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_latchkeyd"))
}

struct Manager;

#[zbus::interface(name = "org.freedesktop.login1.Manager")]
impl Manager {
    fn get_user(&self, uid: u32) -> zbus::fdo::Result<OwnedObjectPath> {
        // SAFETY: getuid has no preconditions.
        if uid != unsafe { libc::getuid() } {
            return Err(zbus::fdo::Error::Failed("no such user".into()));
        }
        Ok(OwnedObjectPath::try_from(USER_PATH).expect("path"))
    }
    #[zbus(signal)]
    async fn session_new(
        emitter: &SignalEmitter<'_>,
        id: &str,
        path: ObjectPath<'_>,
    ) -> zbus::Result<()>;
    #[zbus(signal)]
    async fn session_removed(
        emitter: &SignalEmitter<'_>,
        id: &str,
        path: ObjectPath<'_>,
    ) -> zbus::Result<()>;
    #[zbus(signal)]
    async fn prepare_for_sleep(emitter: &SignalEmitter<'_>, start: bool) -> zbus::Result<()>;
}

struct User {
    sessions: Vec<(String, OwnedObjectPath)>,
}

#[zbus::interface(name = "org.freedesktop.login1.User")]
impl User {
    #[zbus(property)]
    fn sessions(&self) -> Vec<(String, OwnedObjectPath)> {
        self.sessions.clone()
    }
}

#[derive(Default)]
struct Session {
    locked: bool,
    idle: bool,
}

#[zbus::interface(name = "org.freedesktop.login1.Session")]
impl Session {
    #[zbus(signal)]
    async fn lock(emitter: &SignalEmitter<'_>) -> zbus::Result<()>;
    #[zbus(property)]
    fn locked_hint(&self) -> bool {
        self.locked
    }
    #[zbus(property)]
    fn idle_hint(&self) -> bool {
        self.idle
    }
}

struct ScreenSaver;

#[zbus::interface(name = "org.gnome.ScreenSaver")]
impl ScreenSaver {
    #[zbus(signal)]
    async fn active_changed(emitter: &SignalEmitter<'_>, active: bool) -> zbus::Result<()>;
}

struct FreedesktopScreenSaver;

#[zbus::interface(name = "org.freedesktop.ScreenSaver")]
impl FreedesktopScreenSaver {
    #[zbus(signal)]
    async fn active_changed(emitter: &SignalEmitter<'_>, active: bool) -> zbus::Result<()>;
}

async fn logind_double(address: &str) -> zbus::Connection {
    zbus::connection::Builder::address(address)
        .expect("address")
        .serve_at("/org/freedesktop/login1", Manager)
        .expect("manager")
        .serve_at(
            USER_PATH,
            User {
                sessions: vec![(
                    "31".into(),
                    OwnedObjectPath::try_from(SESSION_1).expect("path"),
                )],
            },
        )
        .expect("user")
        .serve_at(SESSION_1, Session::default())
        .expect("session")
        .name("org.freedesktop.login1")
        .expect("name")
        .build()
        .await
        .expect("logind double")
}

async fn emitter<'a>(conn: &'a zbus::Connection, path: &'a str) -> SignalEmitter<'a> {
    SignalEmitter::new(conn, path).expect("emitter")
}

async fn set_session(
    conn: &zbus::Connection,
    path: &str,
    locked: Option<bool>,
    idle: Option<bool>,
) {
    let iface = conn
        .object_server()
        .interface::<_, Session>(path)
        .await
        .expect("session iface");
    let mut s = iface.get_mut().await;
    if let Some(l) = locked {
        s.locked = l;
        s.locked_hint_changed(iface.signal_emitter())
            .await
            .expect("emit");
    }
    if let Some(i) = idle {
        s.idle = i;
        s.idle_hint_changed(iface.signal_emitter())
            .await
            .expect("emit");
    }
}

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

/// Unlocks, runs `trigger`, and asserts the vault locks (or stays unlocked) with that reason.
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
    let saver = zbus::connection::Builder::address(session_bus.address())
        .expect("address")
        .serve_at("/org/gnome/ScreenSaver", ScreenSaver)
        .expect("gnome")
        .serve_at("/org/freedesktop/ScreenSaver", FreedesktopScreenSaver)
        .expect("freedesktop")
        .build()
        .await
        .expect("screensaver double");
    let _daemon = session_bus
        .spawn_daemon_with(bin(), &[("DBUS_SYSTEM_BUS_ADDRESS", system_bus.address())])
        .expect("daemon");
    let conn = zbus::connection::Builder::address(session_bus.address())
        .expect("address")
        .build()
        .await
        .expect("connect");
    let vault = VaultProxy::builder(&conn)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .expect("proxy");
    vault.create("pw").await.expect("create");
    tokio::time::sleep(Duration::from_millis(300)).await; // let the daemon subscribe

    let session1 = emitter(&logind, SESSION_1).await;
    Session::lock(&session1).await.expect("Lock");
    expect_lock(&vault, true, "screen-lock", "Session.Lock").await;
    set_session(&logind, SESSION_1, Some(true), None).await;
    expect_lock(&vault, true, "screen-lock", "LockedHint=true").await;
    set_session(&logind, SESSION_1, Some(false), Some(true)).await;
    expect_lock(&vault, true, "session-idle", "IdleHint=true").await;
    set_session(&logind, SESSION_1, None, Some(false)).await;
    expect_lock(&vault, false, "", "IdleHint=false").await;

    let manager = emitter(&logind, "/org/freedesktop/login1").await;
    Manager::prepare_for_sleep(&manager, false)
        .await
        .expect("resume");
    expect_lock(&vault, false, "", "PrepareForSleep(false)").await;
    Manager::prepare_for_sleep(&manager, true)
        .await
        .expect("sleep");
    expect_lock(&vault, true, "suspend", "PrepareForSleep(true)").await;

    // A new session is picked up on SessionNew, and its Lock signal locks.
    logind
        .object_server()
        .at(SESSION_2, Session::default())
        .await
        .expect("session 2");
    {
        let user = logind
            .object_server()
            .interface::<_, User>(USER_PATH)
            .await
            .expect("user");
        user.get_mut().await.sessions.push((
            "32".into(),
            OwnedObjectPath::try_from(SESSION_2).expect("path"),
        ));
    }
    Manager::session_new(
        &manager,
        "32",
        ObjectPath::try_from(SESSION_2).expect("path"),
    )
    .await
    .expect("SessionNew");
    tokio::time::sleep(Duration::from_millis(300)).await;
    Session::lock(&emitter(&logind, SESSION_2).await)
        .await
        .expect("Lock 2");
    expect_lock(&vault, true, "screen-lock", "Lock of a session added later").await;

    // ScreenSaver signals on the session bus.
    ScreenSaver::active_changed(&emitter(&saver, "/org/gnome/ScreenSaver").await, false)
        .await
        .expect("emit");
    expect_lock(&vault, false, "", "gnome ActiveChanged(false)").await;
    ScreenSaver::active_changed(&emitter(&saver, "/org/gnome/ScreenSaver").await, true)
        .await
        .expect("emit");
    expect_lock(&vault, true, "screen-lock", "gnome ActiveChanged(true)").await;
    FreedesktopScreenSaver::active_changed(
        &emitter(&saver, "/org/freedesktop/ScreenSaver").await,
        true,
    )
    .await
    .expect("emit");
    expect_lock(
        &vault,
        true,
        "screen-lock",
        "freedesktop ActiveChanged(true)",
    )
    .await;

    // Each condition is a setting: with it off, the signal is ignored.
    let settings = SettingsProxy::new(&conn).await.expect("settings");
    settings.set_lock_on_suspend(false).await.expect("set");
    settings.set_lock_on_screen_lock(false).await.expect("set");
    Manager::prepare_for_sleep(&manager, true)
        .await
        .expect("sleep");
    Session::lock(&session1).await.expect("Lock");
    expect_lock(&vault, false, "", "signals with their settings off").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_system_bus_the_screensaver_still_locks() {
    let session_bus = TestBus::start(bin()).expect("session bus");
    let missing = format!(
        "unix:path={}",
        session_bus.root().join("no-system-bus").display()
    );
    let _daemon = session_bus
        .spawn_daemon_with(bin(), &[("DBUS_SYSTEM_BUS_ADDRESS", &missing)])
        .expect("daemon starts without logind");
    let saver = zbus::connection::Builder::address(session_bus.address())
        .expect("address")
        .serve_at("/org/freedesktop/ScreenSaver", FreedesktopScreenSaver)
        .expect("serve")
        .build()
        .await
        .expect("double");
    let conn = zbus::connection::Builder::address(session_bus.address())
        .expect("address")
        .build()
        .await
        .expect("connect");
    let vault = VaultProxy::builder(&conn)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .expect("proxy");
    vault.create("pw").await.expect("create");
    tokio::time::sleep(Duration::from_millis(300)).await;
    FreedesktopScreenSaver::active_changed(
        &emitter(&saver, "/org/freedesktop/ScreenSaver").await,
        true,
    )
    .await
    .expect("emit");
    expect_lock(
        &vault,
        true,
        "screen-lock",
        "freedesktop ActiveChanged without logind",
    )
    .await;
}
