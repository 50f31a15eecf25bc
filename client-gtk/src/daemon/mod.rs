//! The bridge to latchkeyd: zbus runs on a tokio runtime thread, GTK awaits the results.
//!
//! zbus (feature `tokio`) needs a tokio runtime; GTK needs its own main context. Every call is
//! spawned on the runtime and its `JoinHandle` is awaited from the GLib executor, so the UI
//! never blocks. Signals are forwarded as [`Event`]s over an async channel.

mod access;
mod calls;
mod events;
mod requests;
mod sync;
mod transfer;

pub use access::*;
pub use calls::*;
pub use events::{Event, watch};
pub use requests::*;
pub use sync::*;
pub use transfer::*;

use crate::i18n::{fill, gettext};
use latchkey_dbus::Error;
use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;

/// How long one call may take before the UI reports the daemon as unresponsive.
const CALL_TIMEOUT: Duration = Duration::from_secs(90);

/// The runtime and the session bus connection shared by the whole app.
pub struct Bridge {
    rt: tokio::runtime::Runtime,
    conn: zbus::Connection,
}

static BRIDGE: OnceLock<Bridge> = OnceLock::new();

/// Connects to the session bus once; later calls return the same bridge.
pub fn connect() -> Result<&'static Bridge, String> {
    if let Some(b) = BRIDGE.get() {
        return Ok(b);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("latchkey-dbus")
        .enable_all()
        .build()
        .map_err(|e| {
            fill(
                &gettext("cannot start the D-Bus thread: {reason}"),
                &[("reason", &e.to_string())],
            )
        })?;
    let conn = rt
        .block_on(async {
            tokio::time::timeout(Duration::from_secs(10), zbus::Connection::session()).await
        })
        .map_err(|_| gettext("the session bus did not answer"))?
        .map_err(|e| {
            fill(
                &gettext("cannot connect to the session bus: {reason}"),
                &[("reason", &e.to_string())],
            )
        })?;
    Ok(BRIDGE.get_or_init(|| Bridge { rt, conn }))
}

/// The bridge; only valid after [`connect`] succeeded (the app checks at startup).
pub fn bridge() -> &'static Bridge {
    BRIDGE
        .get()
        .expect("daemon::connect() runs before any window exists")
}

impl Bridge {
    /// Runs `f` on the D-Bus thread and returns its result to the caller's executor.
    pub async fn call<T, F, Fut>(&self, f: F) -> Result<T, Error>
    where
        F: FnOnce(zbus::Connection) -> Fut,
        Fut: Future<Output = Result<T, Error>> + Send + 'static,
        T: Send + 'static,
    {
        let fut = f(self.conn.clone());
        let handle = self.rt.spawn(async move {
            match tokio::time::timeout(CALL_TIMEOUT, fut).await {
                Ok(r) => r,
                Err(_) => Err(Error::ZBus(zbus::Error::Failure(gettext(
                    "latchkeyd did not answer in time",
                )))),
            }
        });
        match handle.await {
            Ok(r) => r,
            Err(e) => Err(Error::ZBus(zbus::Error::Failure(fill(
                &gettext("the D-Bus task failed: {reason}"),
                &[("reason", &e.to_string())],
            )))),
        }
    }

    /// Spawns a long-running task (the signal watcher) on the D-Bus thread.
    pub fn spawn<Fut>(&self, fut: Fut)
    where
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.rt.spawn(fut);
    }

    /// The shared connection (for the signal watcher).
    pub fn connection(&self) -> zbus::Connection {
        self.conn.clone()
    }
}
