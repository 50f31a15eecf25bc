//! Reaching the daemon for checks: the session bus with time limits, and the state it reports.

use crate::exit::{self, CliError};
use latchkey_dbus::VaultProxy;
use std::time::Duration;

/// How long a check waits for the daemon, D-Bus activation included.
const PROBE_TIMEOUT: Duration = Duration::from_secs(20);
/// How long connecting to a bus may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Connects to the session bus, with the message the vault commands print when it fails.
pub async fn session() -> Result<zbus::Connection, CliError> {
    connect().await.map_err(|e| {
        CliError::new(
            exit::UNREACHABLE,
            format!("cannot connect to the session bus: {e} (is DBUS_SESSION_BUS_ADDRESS set?)"),
        )
    })
}

/// The session bus within a few seconds, or why not. Connected by zbus, off this thread, so
/// the time limit holds even when the socket's connect blocks (a listener that stopped
/// accepting); the checks that use it are not the short commands [`connect`] is for.
pub async fn session_quick() -> Result<zbus::Connection, String> {
    match tokio::time::timeout(CONNECT_TIMEOUT, zbus::Connection::session()).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no answer within {} s", CONNECT_TIMEOUT.as_secs())),
    }
}

/// Connects to the session bus. A Unix socket (the session bus's usual address) is connected
/// here, on this thread: zbus connects it on a thread of its own, and starting and ending that
/// thread costs a short command such as `latchkey code` more than its call to the daemon
/// (docs/benchmarks.md). Other addresses are left to zbus.
async fn connect() -> zbus::Result<zbus::Connection> {
    let address = zbus::Address::session()?;
    let socket = match address.transport() {
        zbus::address::Transport::Unix(unix) => match unix.path() {
            zbus::address::transport::UnixSocket::File(path) => {
                Some(std::os::unix::net::UnixStream::connect(path))
            }
            zbus::address::transport::UnixSocket::Abstract(name) => {
                use std::os::linux::net::SocketAddrExt;
                Some(
                    std::os::unix::net::SocketAddr::from_abstract_name(name.as_encoded_bytes())
                        .and_then(|a| std::os::unix::net::UnixStream::connect_addr(&a)),
                )
            }
            _ => None,
        },
        _ => None,
    };
    let Some(socket) = socket else {
        return zbus::connection::Builder::address(address)?.build().await;
    };
    let socket = socket?;
    socket.set_nonblocking(true)?;
    zbus::connection::Builder::unix_stream(tokio::net::UnixStream::from_std(socket)?)
        .build()
        .await
}

/// What the daemon says about itself (never anything about accounts beyond their number).
#[derive(Debug, Clone)]
pub struct DaemonState {
    /// The `Version` property.
    pub version: String,
    /// Whether a vault exists.
    pub initialized: bool,
    /// Whether it is locked.
    pub locked: bool,
    /// How many accounts it holds.
    pub accounts: u32,
}

/// Why the daemon could not be asked.
#[derive(Debug, Clone)]
pub enum ProbeError {
    /// There is no session bus to ask on.
    NoBus(String),
    /// The bus is there but latchkeyd does not answer (and could not be activated).
    NoDaemon(String),
}

impl std::fmt::Display for ProbeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProbeError::NoBus(e) | ProbeError::NoDaemon(e) => f.write_str(e),
        }
    }
}

/// Asks the daemon for its version and vault state (starting it by D-Bus activation if needed).
pub async fn probe() -> Result<DaemonState, ProbeError> {
    let conn = session_quick()
        .await
        .map_err(|e| ProbeError::NoBus(format!("no session bus: {e}")))?;
    let asked = tokio::time::timeout(PROBE_TIMEOUT, async {
        let vault = VaultProxy::builder(&conn)
            .cache_properties(zbus::proxy::CacheProperties::No)
            .build()
            .await?;
        Ok::<_, zbus::Error>(DaemonState {
            version: vault.version().await?,
            initialized: vault.initialized().await?,
            locked: vault.locked().await?,
            accounts: vault.account_count().await?,
        })
    })
    .await;
    match asked {
        Ok(Ok(state)) => Ok(state),
        Ok(Err(e)) => Err(ProbeError::NoDaemon(CliError::from(e).message)),
        Err(_) => Err(ProbeError::NoDaemon(format!(
            "latchkeyd did not answer within {} s",
            PROBE_TIMEOUT.as_secs()
        ))),
    }
}

/// The PID of the process owning latchkeyd's bus name, without starting it.
pub async fn daemon_pid(conn: &zbus::Connection) -> Option<u32> {
    let dbus = zbus::fdo::DBusProxy::new(conn).await.ok()?;
    let name = zbus::names::BusName::try_from(latchkey_dbus::BUS_NAME).ok()?;
    tokio::time::timeout(CONNECT_TIMEOUT, dbus.get_connection_unix_process_id(name))
        .await
        .ok()?
        .ok()
}

/// Asks the bus to re-read its configuration and service files (`ReloadConfig`).
pub async fn reload_config(conn: &zbus::Connection) -> Result<(), String> {
    let dbus = zbus::fdo::DBusProxy::new(conn)
        .await
        .map_err(|e| e.to_string())?;
    match tokio::time::timeout(CONNECT_TIMEOUT, dbus.reload_config()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("no answer".into()),
    }
}
