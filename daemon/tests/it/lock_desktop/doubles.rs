//! Test doubles that speak the real interfaces: logind's Manager, User and Session on the
//! "system" bus, and the GNOME and freedesktop ScreenSaver signals on the session bus.

use zbus::object_server::SignalEmitter;
use zbus::zvariant::{ObjectPath, OwnedObjectPath};

pub const USER_PATH: &str = "/org/freedesktop/login1/user/_1000";
pub const SESSION_1: &str = "/org/freedesktop/login1/session/_31";
pub const SESSION_2: &str = "/org/freedesktop/login1/session/_32";
pub const MANAGER_PATH: &str = "/org/freedesktop/login1";

pub struct Manager;

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
    pub async fn session_new(
        emitter: &SignalEmitter<'_>,
        id: &str,
        path: ObjectPath<'_>,
    ) -> zbus::Result<()>;
    #[zbus(signal)]
    pub async fn session_removed(
        emitter: &SignalEmitter<'_>,
        id: &str,
        path: ObjectPath<'_>,
    ) -> zbus::Result<()>;
    #[zbus(signal)]
    pub async fn prepare_for_sleep(emitter: &SignalEmitter<'_>, start: bool) -> zbus::Result<()>;
}

pub struct User {
    pub sessions: Vec<(String, OwnedObjectPath)>,
}

#[zbus::interface(name = "org.freedesktop.login1.User")]
impl User {
    #[zbus(property)]
    fn sessions(&self) -> Vec<(String, OwnedObjectPath)> {
        self.sessions.clone()
    }
}

#[derive(Default)]
pub struct Session {
    pub locked: bool,
    pub idle: bool,
}

#[zbus::interface(name = "org.freedesktop.login1.Session")]
impl Session {
    #[zbus(signal)]
    pub async fn lock(emitter: &SignalEmitter<'_>) -> zbus::Result<()>;
    #[zbus(property)]
    fn locked_hint(&self) -> bool {
        self.locked
    }
    #[zbus(property)]
    fn idle_hint(&self) -> bool {
        self.idle
    }
}

pub struct ScreenSaver;

#[zbus::interface(name = "org.gnome.ScreenSaver")]
impl ScreenSaver {
    #[zbus(signal)]
    pub async fn active_changed(emitter: &SignalEmitter<'_>, active: bool) -> zbus::Result<()>;
}

pub struct FreedesktopScreenSaver;

#[zbus::interface(name = "org.freedesktop.ScreenSaver")]
impl FreedesktopScreenSaver {
    #[zbus(signal)]
    pub async fn active_changed(emitter: &SignalEmitter<'_>, active: bool) -> zbus::Result<()>;
}

pub async fn logind_double(address: &str) -> zbus::Connection {
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

pub async fn emitter<'a>(conn: &'a zbus::Connection, path: &'a str) -> SignalEmitter<'a> {
    SignalEmitter::new(conn, path).expect("emitter")
}

pub async fn set_session(
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

/// Serves both ScreenSaver interfaces on the session bus.
pub async fn screensaver_double(address: &str) -> zbus::Connection {
    zbus::connection::Builder::address(address)
        .expect("address")
        .serve_at("/org/gnome/ScreenSaver", ScreenSaver)
        .expect("gnome")
        .serve_at("/org/freedesktop/ScreenSaver", FreedesktopScreenSaver)
        .expect("freedesktop")
        .build()
        .await
        .expect("screensaver double")
}

/// Emits `ActiveChanged(active)` of the GNOME (`gnome`) or freedesktop interface.
pub async fn active_changed(saver: &zbus::Connection, gnome: bool, active: bool) {
    if gnome {
        ScreenSaver::active_changed(&emitter(saver, "/org/gnome/ScreenSaver").await, active).await
    } else {
        let path = "/org/freedesktop/ScreenSaver";
        FreedesktopScreenSaver::active_changed(&emitter(saver, path).await, active).await
    }
    .expect("ActiveChanged");
}

/// Adds (`add`) or removes session `id` at `path`, as logind does, and announces it.
pub async fn change_sessions(logind: &zbus::Connection, id: &str, path: &str, add: bool) {
    let object = OwnedObjectPath::try_from(path).expect("path");
    if add {
        logind
            .object_server()
            .at(path, Session::default())
            .await
            .expect("session");
    }
    {
        let user = logind
            .object_server()
            .interface::<_, User>(USER_PATH)
            .await
            .expect("user");
        let mut user = user.get_mut().await;
        user.sessions.retain(|(i, _)| i != id);
        if add {
            user.sessions.push((id.into(), object));
        }
    }
    let manager = emitter(logind, MANAGER_PATH).await;
    let object = ObjectPath::try_from(path).expect("path");
    if add {
        Manager::session_new(&manager, id, object).await
    } else {
        Manager::session_removed(&manager, id, object).await
    }
    .expect("SessionNew/SessionRemoved");
}
