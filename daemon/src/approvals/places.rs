//! Places for pending requests: how many may wait at once, and for whom room is always kept.
//!
//! A place is taken when a request is admitted (before its object is served) and given back
//! when it ends, so the check and the taking are one step under the registry's lock. Foreign
//! apps share the places below [`RESERVED`]; the last ones are kept for Latchkey's own clients
//! and push challenges, so no app can crowd out the user's sign-ins. A foreign caller is also
//! held to a few pending requests per connection and per identity (executable or Flatpak id).
//! An identity that keeps being refused is answered ever more slowly, so sending refused calls
//! again at once cannot keep the daemon and the bus busy while the user wants a code.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Most requests pending at once, so a misbehaving app cannot flood the user.
pub const MAX_PENDING: usize = 256;
/// Places kept for Latchkey's own clients and push challenges.
pub const RESERVED: usize = 32;
/// Most pending requests of one foreign connection.
pub const PER_CONNECTION: usize = 4;
/// Most pending requests of one foreign identity, over all its connections.
pub const PER_IDENTITY: usize = 16;
/// The pause before a refusal, for each recent refusal of the same identity.
pub const PAUSE_STEP: Duration = Duration::from_millis(5);
/// The longest pause before a refusal.
pub const PAUSE_MAX: Duration = Duration::from_secs(5);
/// How fast refusals are forgiven: their weight halves in this time.
const HALF_LIFE: f64 = 10.0;
/// Identities whose refusals are remembered before forgiven ones are dropped.
const REMEMBERED: usize = 1024;

/// Who wants a place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requester {
    /// Latchkey's own clients and push challenges: they may use the reserved places.
    Trusted,
    /// Any other app: its unique bus name and the identity consent is remembered under.
    Foreign { bus_name: String, identity: String },
}

impl Requester {
    /// A foreign app by its bus name and determined identity. Callers without an identity (they
    /// hide their executable) share one: together they get the places of one app, or each new
    /// connection would bring 4 more.
    pub fn foreign(bus_name: &str, identity: Option<String>) -> Requester {
        Requester::Foreign {
            bus_name: bus_name.to_string(),
            identity: identity.unwrap_or_else(|| "unidentified".to_string()),
        }
    }
}

/// Why no place was given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Full {
    #[error("too many requests are waiting for the user ({0}); try again after some are answered")]
    Everyone(usize),
    #[error(
        "this connection already has {PER_CONNECTION} requests waiting for the user; wait for an answer"
    )]
    Connection,
    #[error(
        "this app already has {PER_IDENTITY} requests waiting for the user; wait for an answer"
    )]
    Identity,
}

/// The places taken, by request path, and the recent refusals of each foreign identity.
#[derive(Debug, Default)]
pub struct Places {
    taken: HashMap<String, Requester>,
    /// Refusals of an identity lately, weighted by age, as of when they were last counted.
    refusals: HashMap<String, (f64, Instant)>,
}

impl Places {
    /// Takes a place for `path` if `who` may have one.
    pub fn take(&mut self, path: &str, who: Requester) -> Result<(), Full> {
        let total = self.taken.len();
        match &who {
            Requester::Trusted if total >= MAX_PENDING => return Err(Full::Everyone(total)),
            Requester::Trusted => {}
            Requester::Foreign { bus_name, identity } => {
                if total >= MAX_PENDING - RESERVED {
                    return Err(Full::Everyone(total));
                }
                let (mut by_conn, mut by_identity) = (0, 0);
                for r in self.taken.values() {
                    if let Requester::Foreign {
                        bus_name: b,
                        identity: i,
                    } = r
                    {
                        by_conn += usize::from(b == bus_name);
                        by_identity += usize::from(i == identity);
                    }
                }
                if by_conn >= PER_CONNECTION {
                    return Err(Full::Connection);
                }
                if by_identity >= PER_IDENTITY {
                    return Err(Full::Identity);
                }
            }
        }
        self.taken.insert(path.to_string(), who);
        Ok(())
    }

    /// Counts a refusal of `who` at `now`; returns how long to wait before answering it:
    /// nothing for own clients and push, [`PAUSE_STEP`] for each recent refusal of a foreign
    /// identity, at most [`PAUSE_MAX`]. An app that waits for its answers is hardly slowed.
    pub fn refused(&mut self, who: &Requester, now: Instant) -> Duration {
        let Requester::Foreign { identity, .. } = who else {
            return Duration::ZERO;
        };
        let decayed = |(weight, at): (f64, Instant)| {
            let age = now.saturating_duration_since(at).as_secs_f64();
            weight * 0.5f64.powf(age / HALF_LIFE)
        };
        if self.refusals.len() >= REMEMBERED && !self.refusals.contains_key(identity) {
            self.refusals.retain(|_, r| decayed(*r) >= 1.0);
        }
        let weight = self.refusals.get(identity).map_or(0.0, |r| decayed(*r)) + 1.0;
        self.refusals.insert(identity.clone(), (weight, now));
        PAUSE_STEP.mul_f64(weight).min(PAUSE_MAX)
    }

    /// Gives back the place of `path` (its request ended, or was never opened).
    pub fn give_back(&mut self, path: &str) {
        self.taken.remove(path);
    }

    /// Who took the place of `path`.
    pub fn requester_of(&self, path: &str) -> Option<&Requester> {
        self.taken.get(path)
    }

    /// Number of places taken.
    pub fn len(&self) -> usize {
        self.taken.len()
    }

    /// Whether no place is taken.
    pub fn is_empty(&self) -> bool {
        self.taken.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn foreign(conn: &str, identity: &str) -> Requester {
        Requester::Foreign {
            bus_name: conn.into(),
            identity: identity.into(),
        }
    }

    #[test]
    fn a_connection_and_an_identity_are_capped() {
        let mut p = Places::default();
        for i in 0..PER_CONNECTION {
            p.take(&format!("c{i}"), foreign(":1.1", "exe:/a"))
                .expect("room");
        }
        assert_eq!(
            p.take("x", foreign(":1.1", "exe:/a")),
            Err(Full::Connection)
        );
        for i in PER_CONNECTION..PER_IDENTITY {
            p.take(&format!("c{i}"), foreign(&format!(":2.{i}"), "exe:/a"))
                .expect("room");
        }
        assert_eq!(p.take("y", foreign(":3.1", "exe:/a")), Err(Full::Identity));
        p.take("z", foreign(":3.1", "exe:/b")).expect("another app");
        p.give_back("c0");
        p.take("c0", foreign(":1.1", "exe:/a"))
            .expect("a place came back");
    }

    #[test]
    fn refusals_of_one_identity_slow_its_answers_and_are_forgiven() {
        let mut p = Places::default();
        let t = Instant::now();
        let app = foreign(":1.1", "exe:/a");
        assert_eq!(
            p.refused(&app, t),
            PAUSE_STEP,
            "a first refusal is hardly delayed"
        );
        let mut pause = Duration::ZERO;
        for _ in 0..2000 {
            pause = p.refused(&app, t);
        }
        assert_eq!(pause, PAUSE_MAX, "a flood waits the longest");
        // Another app, and the user's own clients, are not slowed by it.
        assert_eq!(p.refused(&foreign(":2.1", "exe:/b"), t), PAUSE_STEP);
        assert_eq!(p.refused(&Requester::Trusted, t), Duration::ZERO);
        // Two minutes of quiet forgive the flood.
        let later = t + Duration::from_secs(120);
        assert!(p.refused(&app, later) < PAUSE_STEP * 2);
    }

    #[test]
    fn the_last_places_are_kept_for_own_clients_and_push() {
        let mut p = Places::default();
        let mut n = 0;
        'fill: for app in 0.. {
            for c in 0..PER_IDENTITY / PER_CONNECTION {
                for _ in 0..PER_CONNECTION {
                    if p.take(
                        &n.to_string(),
                        foreign(&format!(":{app}.{c}"), &app.to_string()),
                    )
                    .is_err()
                    {
                        break 'fill;
                    }
                    n += 1;
                }
            }
        }
        assert_eq!(p.len(), MAX_PENDING - RESERVED, "foreign apps stop short");
        for i in 0..RESERVED {
            p.take(&format!("t{i}"), Requester::Trusted)
                .expect("own client or push gets a place");
        }
        assert_eq!(
            p.take("last", Requester::Trusted),
            Err(Full::Everyone(MAX_PENDING))
        );
    }
}
