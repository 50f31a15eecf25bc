//! Caller identity from `GetConnectionCredentials`, `/proc` and Flatpak metadata, pinned to the
//! connection.
//!
//! A connection's identity is read once, when it first appears on the bus (the
//! `NameOwnerChanged` watch calls [`Identities::pin`]) or at its first call if that comes first,
//! and is then fixed for the connection's life. Every later call checks that the process behind
//! it is still the one seen then — same start time (a reused PID differs), same executable file
//! (an `exec` of another program differs), same mount namespace, and still readable — and a
//! connection that fails once is refused for good: a process cannot connect, then `exec` one of
//! Latchkey's own clients and borrow its standing. A caller whose process hides itself
//! (non-dumpable) is *unidentified* from the start and stays so.
//!
//! Same-uid processes can ptrace each other, so the executable path is a label, not proof; a
//! Flatpak app id is believed only from a sandbox verified by [`super::flatpak`].

use super::Caller;
use super::flatpak;
use super::process::{self, FileId, Fingerprint};
use std::collections::HashMap;
use std::os::fd::OwnedFd;
use std::sync::Mutex;
use zbus::names::{BusName, UniqueName};

/// Why a caller was refused.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("no sender")]
    NoSender,
    #[error("cannot identify the caller: {0}")]
    Bus(#[from] zbus::Error),
    #[error("the caller runs as uid {0}, not as this user; refused")]
    OtherUser(u32),
    #[error("the bus did not say which user the caller runs as; refused")]
    UnknownUser,
    #[error(
        "identity-changed: the process behind this connection ({0}) is no longer the one that \
         opened it (it ran another program, exited, or hid itself); this connection is refused \
         until it is closed — connect again"
    )]
    Changed(String),
}

/// What is known about one connection.
#[derive(Debug)]
enum Entry {
    Pinned(Box<Pinned>),
    /// Its process changed once; refused for the rest of its life (the label seen first).
    Refused(String),
}

#[derive(Debug)]
struct Pinned {
    caller: Caller,
    seen: Fingerprint,
    /// The process itself, when the bus hands out a pidfd (dbus-broker, dbus ≥ 1.15).
    pidfd: Option<OwnedFd>,
}

impl Pinned {
    /// Whether the process behind the connection is still the one pinned. Facts unreadable at
    /// pin time (an unidentified caller) are not compared: such a caller never gains an identity.
    fn still_same(&self) -> bool {
        if self
            .pidfd
            .as_ref()
            .is_some_and(|fd| !process::pidfd_alive(fd))
        {
            return false;
        }
        let now = Fingerprint::read(self.caller.pid);
        same(&self.seen.start_time, &now.start_time)
            && same(&self.seen.exe_file, &now.exe_file)
            && same(&self.seen.mount_ns, &now.mount_ns)
    }
}

/// A fact is unchanged if it was unknown when pinned or reads the same now.
fn same<T: PartialEq>(then: &Option<T>, now: &Option<T>) -> bool {
    then.is_none() || then == now
}

/// Pinned identities by unique bus name.
#[derive(Debug)]
pub struct Identities {
    cache: Mutex<HashMap<String, Entry>>,
    own_mount_ns: Option<FileId>,
}

impl Default for Identities {
    fn default() -> Self {
        Self {
            cache: Mutex::default(),
            own_mount_ns: process::own_mount_ns(),
        }
    }
}

impl Identities {
    fn cache(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Pins the identity of a connection that just appeared (errors: it left, or another uid).
    pub async fn pin(
        &self,
        conn: &zbus::Connection,
        sender: &UniqueName<'_>,
    ) -> Result<(), IdentityError> {
        if self.cache().contains_key(sender.as_str()) {
            return Ok(());
        }
        let pinned = self.observe(conn, sender).await?;
        self.cache()
            .entry(sender.to_string())
            .or_insert(Entry::Pinned(Box::new(pinned)));
        Ok(())
    }

    /// The pinned identity of `sender`, refusing callers of another uid and connections whose
    /// process changed since it was pinned.
    pub async fn identify(
        &self,
        conn: &zbus::Connection,
        sender: &UniqueName<'_>,
    ) -> Result<Caller, IdentityError> {
        if let Some(known) = self.check(sender.as_str()) {
            return known;
        }
        self.pin(conn, sender).await?;
        self.check(sender.as_str())
            .unwrap_or_else(|| Err(IdentityError::Changed(sender.to_string())))
    }

    /// Re-checks a pinned connection; `None` if it is not pinned yet.
    fn check(&self, name: &str) -> Option<Result<Caller, IdentityError>> {
        let mut cache = self.cache();
        let entry = cache.get_mut(name)?;
        let label = match entry {
            Entry::Refused(label) => return Some(Err(IdentityError::Changed(label.clone()))),
            Entry::Pinned(p) if p.still_same() => return Some(Ok(p.caller.clone())),
            Entry::Pinned(p) => p.caller.label(),
        };
        tracing::warn!(event = "identity-changed", caller = %label, bus_name = name,
            "the process behind a connection changed since it connected; connection refused");
        *entry = Entry::Refused(label.clone());
        Some(Err(IdentityError::Changed(label)))
    }

    /// Reads a connection's identity from the bus and `/proc`.
    async fn observe(
        &self,
        conn: &zbus::Connection,
        sender: &UniqueName<'_>,
    ) -> Result<Pinned, IdentityError> {
        let dbus = zbus::fdo::DBusProxy::new(conn).await?;
        let creds = dbus
            .get_connection_credentials(BusName::Unique(sender.to_owned()))
            .await
            .map_err(zbus::Error::from)?;
        let uid = creds.unix_user_id().ok_or(IdentityError::UnknownUser)?;
        // SAFETY: getuid has no preconditions.
        let own = unsafe { libc::getuid() };
        if uid != own {
            return Err(IdentityError::OtherUser(uid));
        }
        let pid = creds.process_id().unwrap_or(0);
        let pidfd = creds
            .process_fd()
            .and_then(|fd| std::os::fd::AsFd::as_fd(fd).try_clone_to_owned().ok());
        let (caller, seen) = self.describe(pid, uid, sender.as_str());
        Ok(Pinned {
            caller,
            seen,
            pidfd,
        })
    }

    /// What `/proc` says of process `pid` (of user `uid`), as a caller on connection `bus_name`:
    /// its verified Flatpak id, executable and script, and the fingerprint they were read with.
    /// A process that hides itself is unidentified.
    pub fn describe(&self, pid: u32, uid: u32, bus_name: &str) -> (Caller, Fingerprint) {
        let seen = Fingerprint::read(pid);
        let flatpak_app = if seen.is_complete() {
            match flatpak::verified_app_id(pid, seen.mount_ns, self.own_mount_ns) {
                Ok(id) => id.unwrap_or_default(),
                Err(why) => {
                    tracing::info!(
                        bus_name,
                        pid,
                        "a .flatpak-info is not believed ({why}); identified by its executable"
                    );
                    String::new()
                }
            }
        } else {
            String::new()
        };
        let exe = match (&seen.exe, seen.is_complete()) {
            (Some(exe), true) => exe.clone(),
            _ => String::new(),
        };
        let script = if exe.is_empty() || !flatpak_app.is_empty() {
            String::new()
        } else {
            super::script::of(pid, &exe).unwrap_or_default()
        };
        let caller = Caller {
            bus_name: bus_name.to_string(),
            uid,
            pid,
            exe,
            script,
            flatpak_app,
            remote: String::new(),
            exe_file: seen.exe_file.filter(|_| seen.is_complete()),
            own_mount_ns: seen.mount_ns.is_some() && seen.mount_ns == self.own_mount_ns,
        };
        (caller, seen)
    }

    /// Forgets a connection that left the bus.
    pub fn forget(&self, bus_name: &str) {
        self.cache().remove(bus_name);
    }
}
