//! The daemon's domain events, on one channel: whoever changes something publishes what
//! changed, once, and everyone who must hear of it subscribes.
//!
//! Why a channel: before it, each code path that locked the vault, added an account or saw a
//! forged push answer had to remember every consequence (two D-Bus signals, three property
//! changes, systemd's status line, a desktop notification) and reach up into the bus layer to
//! emit them. Now the producers (state, services, the bus's own methods) only describe the
//! event, and the subscribers — `bus` for D-Bus signals, properties and the status
//! line, `notifications` for desktop notifications, `backup` for automatic backups — turn it into each effect. Nothing here
//! knows D-Bus.
//!
//! Events carry ids, kinds and sentences, never a secret: a subscriber may log them (a saved
//! vault copy is sealed, as a backup file is).

use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// How many events a slow subscriber may fall behind before it misses some (it is told, and
/// logs it); bursts are an import's one event or a flood of refused attempts, far fewer.
const CAPACITY: usize = 1024;

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

/// Something that happened and that clients, the desktop or systemd should hear of.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The vault was created (no accounts yet).
    Created,
    /// The vault was unlocked, by `method` (`passphrase`, `keyring`).
    Unlocked { method: &'static str },
    /// The vault was locked, for `reason`.
    Locked { reason: LockReason },
    /// Accounts (or push tokens) were added, removed or edited; ids only.
    AccountsChanged {
        added: Vec<String>,
        removed: Vec<String>,
        updated: Vec<String>,
    },
    /// The vault file was written (an account changed, a counter advanced, the passphrase
    /// changed); `copy` is the vault as written, sealed like a backup (automatic backups
    /// write it).
    Saved(Sealed),
    /// An approval or consent request was opened: what every app may hear of it (its kind and
    /// times, never whose or for what).
    RequestAdded {
        path: String,
        kind: String,
        created: u64,
        expires: u64,
    },
    /// A request ended with `outcome` (`approved`, `denied`, `expired`, …).
    RequestResolved { path: String, outcome: &'static str },
    /// The vault file was written (any change, an HOTP counter's too): sync writes this
    /// device's replica after it.
    Stored,
    /// Sync's status changed (turned on or off, a device joined or was forgotten, a replica was
    /// merged or refused).
    SyncChanged,
    /// Keyring unlock was switched on or off.
    Keyring { enabled: bool },
    /// A passphrase attempt changed the brute-force counters.
    Attempts,
    /// Something the user must be able to notice: D-Bus `SecurityEvent`, and with `notice` a
    /// desktop notification too.
    Security(Security),
}

/// A sealed copy of the vault (as a backup file holds it: encrypted under the vault's
/// passphrase slot), shared by every subscriber.
#[derive(Clone, PartialEq)]
pub struct Sealed {
    pub bytes: std::sync::Arc<Vec<u8>>,
    pub accounts: u32,
}

impl std::fmt::Debug for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Sealed({} accounts, {} bytes)",
            self.accounts,
            self.bytes.len()
        )
    }
}

/// A security event: a kind (`imported`, `unlock-failed`, …), a sentence, details, and the
/// notification to show, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Security {
    pub kind: &'static str,
    pub message: String,
    pub details: Vec<(&'static str, Detail)>,
    pub notice: Option<Notice>,
}

/// One detail of a security event, typed as the `SecurityEvent` signal carries it.
#[derive(Debug, Clone, PartialEq)]
pub enum Detail {
    Text(String),
    Flag(bool),
    Count(u32),
    Seconds(u64),
}

/// Urgency levels of the notification spec (`notifications` shows them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    Normal = 1,
    Critical = 2,
}

/// A desktop notification.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub summary: String,
    pub body: String,
    pub urgency: Urgency,
}

impl Security {
    /// A security event with no details and no notification.
    pub fn new(kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            details: Vec::new(),
            notice: None,
        }
    }

    /// Adds a detail.
    pub fn with(mut self, key: &'static str, value: impl Into<Detail>) -> Self {
        self.details.push((key, value.into()));
        self
    }

    /// Also shows a desktop notification with `summary` and `body`.
    pub fn notify(
        mut self,
        summary: impl Into<String>,
        body: impl Into<String>,
        urgency: Urgency,
    ) -> Self {
        self.notice = Some(Notice {
            summary: summary.into(),
            body: body.into(),
            urgency,
        });
        self
    }
}

impl From<&str> for Detail {
    fn from(v: &str) -> Self {
        Detail::Text(v.to_owned())
    }
}

impl From<String> for Detail {
    fn from(v: String) -> Self {
        Detail::Text(v)
    }
}

impl From<bool> for Detail {
    fn from(v: bool) -> Self {
        Detail::Flag(v)
    }
}

impl From<u32> for Detail {
    fn from(v: u32) -> Self {
        Detail::Count(v)
    }
}

impl From<u64> for Detail {
    fn from(v: u64) -> Self {
        Detail::Seconds(v)
    }
}

/// The channel's sending side; cheap to clone, one per producer.
#[derive(Debug, Clone)]
pub struct Events(broadcast::Sender<Event>);

impl Default for Events {
    fn default() -> Self {
        Self(broadcast::channel(CAPACITY).0)
    }
}

impl Events {
    /// Publishes `event` to every subscriber there is (none is fine: nothing listens yet).
    pub fn publish(&self, event: Event) {
        let _ = self.0.send(event);
    }

    /// Publishes a security event.
    pub fn security(&self, event: Security) {
        self.publish(Event::Security(event));
    }

    /// Logs an unlock by `caller` (the journal's line) and publishes it.
    pub fn unlocked(&self, method: &'static str, caller: &str) {
        tracing::info!(event = "unlocked", method, caller, "vault unlocked");
        self.publish(Event::Unlocked { method });
    }

    /// Publishes that accounts were added.
    pub fn added(&self, ids: Vec<String>) {
        self.publish(Event::AccountsChanged {
            added: ids,
            removed: vec![],
            updated: vec![],
        });
    }

    /// A new subscriber, hearing every event published from now on.
    pub fn subscribe(&self) -> Subscription {
        Subscription(self.0.subscribe())
    }
}

/// One subscriber's end of the channel.
pub struct Subscription(broadcast::Receiver<Event>);

impl Subscription {
    /// The next event; `None` once every producer is gone. A subscriber that fell behind logs
    /// how many events it missed and goes on with the next.
    pub async fn next(&mut self) -> Option<Event> {
        loop {
            match self.0.recv().await {
                Ok(event) => return Some(event),
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "an event subscriber fell behind and missed events");
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_subscriber_hears_each_event_once_in_order() {
        let events = Events::default();
        let (mut a, mut b) = (events.subscribe(), events.subscribe());
        events.added(vec!["x".into()]);
        events.security(Security::new("imported", "1 account imported").with("count", 1u32));
        for s in [&mut a, &mut b] {
            assert!(matches!(
                s.next().await,
                Some(Event::AccountsChanged { .. })
            ));
            let Some(Event::Security(sec)) = s.next().await else {
                panic!("the security event")
            };
            assert_eq!(sec.details, vec![("count", Detail::Count(1))]);
        }
        drop(events);
        assert_eq!(a.next().await, None, "closed once the producers are gone");
    }

    #[tokio::test]
    async fn a_subscriber_that_falls_behind_goes_on_with_the_newest() {
        let events = Events::default();
        let mut slow = events.subscribe();
        for _ in 0..CAPACITY + 10 {
            events.publish(Event::Attempts);
        }
        events.publish(Event::Created);
        let mut seen = 0;
        while let Some(e) = slow.next().await {
            seen += 1;
            if e == Event::Created {
                break;
            }
        }
        assert_eq!(
            seen, CAPACITY,
            "the oldest ten were dropped, the rest arrive"
        );
    }
}
