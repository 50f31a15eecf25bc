//! Caller identity from `GetConnectionCredentials`, `/proc` and Flatpak metadata.
//!
//! Same-uid processes can ptrace each other, so the executable path is a label, not proof;
//! a Flatpak app id read from the sandbox's `.flatpak-info` is trustworthy. Results are cached
//! per unique bus name, so identification costs one bus round trip per client connection.

use crate::approvals::Caller;
use std::collections::HashMap;
use std::sync::Mutex;
use zbus::names::{BusName, UniqueName};

/// Why a caller was refused.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("cannot identify the caller: {0}")]
    Bus(#[from] zbus::Error),
    #[error("the caller runs as uid {0}, not as this user; refused")]
    OtherUser(u32),
    #[error("the bus did not say which user the caller runs as; refused")]
    UnknownUser,
}

/// A cache of caller identities by unique bus name.
#[derive(Debug, Default)]
pub struct Identities {
    cache: Mutex<HashMap<String, Caller>>,
}

impl Identities {
    /// Identifies `sender`, refusing callers of another uid.
    pub async fn identify(
        &self,
        conn: &zbus::Connection,
        sender: &UniqueName<'_>,
    ) -> Result<Caller, IdentityError> {
        if let Some(c) = self
            .cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(sender.as_str())
        {
            return Ok(c.clone());
        }
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
        let caller = Caller {
            bus_name: sender.to_string(),
            uid,
            pid,
            exe: exe_of(pid),
            flatpak_app: flatpak_app_of(pid),
            remote: String::new(),
        };
        self.cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(sender.to_string(), caller.clone());
        Ok(caller)
    }

    /// Forgets a connection that left the bus.
    pub fn forget(&self, bus_name: &str) {
        self.cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(bus_name);
    }
}

fn exe_of(pid: u32) -> String {
    if pid == 0 {
        return String::new();
    }
    std::fs::read_link(format!("/proc/{pid}/exe"))
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

/// The `[Application] name=` of a Flatpak sandbox, read from its `.flatpak-info`.
fn flatpak_app_of(pid: u32) -> String {
    if pid == 0 {
        return String::new();
    }
    let Ok(info) = std::fs::read_to_string(format!("/proc/{pid}/root/.flatpak-info")) else {
        return String::new();
    };
    parse_flatpak_info(&info)
}

/// Extracts the application id from `.flatpak-info` contents.
pub fn parse_flatpak_info(info: &str) -> String {
    let mut in_app = false;
    for line in info.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_app = line == "[Application]";
        } else if in_app && let Some(name) = line.strip_prefix("name=") {
            return name.trim().to_string();
        }
    }
    String::new()
}

#[cfg(test)]
mod tests {
    #[test]
    fn flatpak_info_application_name() {
        let info = "[Instance]\nname=wrong\n\n[Application]\nname=org.example.Browser\nruntime=x\n";
        assert_eq!(super::parse_flatpak_info(info), "org.example.Browser");
        assert_eq!(super::parse_flatpak_info("[Instance]\nname=x\n"), "");
    }
}
