//! Places for pending requests: how many may wait at once, and for whom room is always kept.
//!
//! A place is taken when a request is admitted (before its object is served) and given back
//! when it ends, so the check and the taking are one step under the registry's lock. Foreign
//! apps share the places below [`RESERVED`]; the last ones are kept for Latchkey's own clients
//! and push challenges, so no app can crowd out the user's sign-ins. A foreign caller is also
//! held to a few pending requests per connection and per identity (executable or Flatpak id).

use std::collections::HashMap;

/// Most requests pending at once, so a misbehaving app cannot flood the user.
pub const MAX_PENDING: usize = 256;
/// Places kept for Latchkey's own clients and push challenges.
pub const RESERVED: usize = 32;
/// Most pending requests of one foreign connection.
pub const PER_CONNECTION: usize = 4;
/// Most pending requests of one foreign identity, over all its connections.
pub const PER_IDENTITY: usize = 16;
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

/// The places taken, by request path.
#[derive(Debug, Default)]
pub struct Places {
    taken: HashMap<String, Requester>,
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
