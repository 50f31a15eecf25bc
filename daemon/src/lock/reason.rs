//! Lock reasons, shown by `latchkey status` and carried by security events.

use serde::{Deserialize, Serialize};

/// Why the vault is locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LockReason {
    /// The daemon started (or no vault was unlocked yet).
    Startup,
    /// A client asked.
    Manual,
    /// No activity for the auto-lock timeout.
    Inactivity,
    /// The screen was locked.
    ScreenLock,
    /// The machine is about to suspend.
    Suspend,
    /// The session went idle.
    SessionIdle,
}

impl LockReason {
    /// The stable name used on the bus and in JSON (`manual`, `screen-lock`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            LockReason::Startup => "startup",
            LockReason::Manual => "manual",
            LockReason::Inactivity => "inactivity",
            LockReason::ScreenLock => "screen-lock",
            LockReason::Suspend => "suspend",
            LockReason::SessionIdle => "session-idle",
        }
    }
}
