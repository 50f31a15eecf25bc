//! Whether the system clock is NTP-synchronised: TOTP codes are only right with a right clock.
//!
//! Asks `org.freedesktop.timedate1` (systemd-timedated) on the system bus for `NTPSynchronized`.

use std::time::Duration;
use zbus::names::InterfaceName;

/// How long the system bus and timedated (which may need activating) get to answer.
const TIMEOUT: Duration = Duration::from_secs(5);
const SERVICE: &str = "org.freedesktop.timedate1";
const PATH: &str = "/org/freedesktop/timedate1";

/// Seconds since the epoch, for countdowns and "since" lines (0 if the clock is before 1970).
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// What timedated says about the clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClockSync {
    /// The kernel clock is synchronised to a time source.
    Synchronized,
    /// It is not: codes may be rejected.
    NotSynchronized,
    /// timedated could not be asked (no system bus, a container, another init): the reason.
    Unknown(String),
}

/// Asks timedated, within a few seconds.
pub async fn ntp_status() -> ClockSync {
    match tokio::time::timeout(TIMEOUT, ask()).await {
        Ok(Ok(true)) => ClockSync::Synchronized,
        Ok(Ok(false)) => ClockSync::NotSynchronized,
        Ok(Err(e)) => ClockSync::Unknown(e.to_string()),
        Err(_) => ClockSync::Unknown(format!(
            "{SERVICE} did not answer within {} s",
            TIMEOUT.as_secs()
        )),
    }
}

async fn ask() -> zbus::Result<bool> {
    let conn = zbus::Connection::system().await?;
    let props = zbus::fdo::PropertiesProxy::builder(&conn)
        .destination(SERVICE)?
        .path(PATH)?
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await?;
    let value = props
        .get(
            InterfaceName::from_static_str_unchecked(SERVICE),
            "NTPSynchronized",
        )
        .await?;
    bool::try_from(value).map_err(zbus::Error::Variant)
}
