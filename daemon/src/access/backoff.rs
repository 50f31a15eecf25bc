//! Refused calls answered ever more slowly: an app that sends a refused call again at once
//! (too many requests waiting, its add allowance used up, an account it already added) would
//! otherwise keep the daemon and the bus busy while the user wants a code.
//!
//! Each refusal of a foreign identity adds to a weight that halves every [`HALF_LIFE`] seconds;
//! the answer waits [`PAUSE_STEP`] per unit of weight, at most [`PAUSE_MAX`]. An app that waits
//! for its answers before asking again is hardly slowed; Latchkey's own clients never are.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// The pause before a refusal, for each recent refusal of the same identity.
pub const PAUSE_STEP: Duration = Duration::from_millis(5);
/// The longest pause before a refusal.
pub const PAUSE_MAX: Duration = Duration::from_secs(5);
/// How fast refusals are forgiven: their weight halves in this many seconds.
const HALF_LIFE: f64 = 10.0;
/// Identities whose refusals are remembered before forgiven ones are dropped.
const REMEMBERED: usize = 1024;

/// What a refusal costs its caller.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Refusal {
    /// How long to wait before answering.
    pub pause: Duration,
    /// The first refusal after a quiet spell: worth a journal line (later ones are not, or a
    /// flood would flood the journal too).
    pub first: bool,
}

/// Recent refusals of each foreign identity.
#[derive(Debug, Default)]
pub struct Backoff {
    /// Weight of an identity's refusals as of when they were last counted.
    weights: HashMap<String, (f64, Instant)>,
}

impl Backoff {
    /// Counts a refusal of `identity` at `now`.
    pub fn refuse(&mut self, identity: &str, now: Instant) -> Refusal {
        let decayed = |(weight, at): (f64, Instant)| {
            let age = now.saturating_duration_since(at).as_secs_f64();
            weight * 0.5f64.powf(age / HALF_LIFE)
        };
        if self.weights.len() >= REMEMBERED && !self.weights.contains_key(identity) {
            self.weights.retain(|_, w| decayed(*w) >= 1.0);
            // Still full (a burst from many identities at once): forget the most forgiven one,
            // so the memory stays bounded however many identities there are.
            if self.weights.len() >= REMEMBERED {
                let lightest = self
                    .weights
                    .iter()
                    .min_by(|a, b| decayed(*a.1).total_cmp(&decayed(*b.1)))
                    .map(|(k, _)| k.clone());
                if let Some(k) = lightest {
                    self.weights.remove(&k);
                }
            }
        }
        let before = self.weights.get(identity).map_or(0.0, |w| decayed(*w));
        let weight = before + 1.0;
        self.weights.insert(identity.to_string(), (weight, now));
        Refusal {
            pause: PAUSE_STEP.mul_f64(weight).min(PAUSE_MAX),
            // Half-forgiven at least: the refusals before it are a spell that has ended.
            first: before < 0.5,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_of_one_identity_slow_its_answers_and_are_forgiven() {
        let mut b = Backoff::default();
        let t = Instant::now();
        let first = b.refuse("exe:/a", t);
        assert_eq!(first.pause, PAUSE_STEP, "a first refusal is hardly delayed");
        assert!(first.first);
        let mut last = first;
        for _ in 0..2000 {
            last = b.refuse("exe:/a", t);
        }
        assert_eq!(last.pause, PAUSE_MAX, "a flood waits the longest");
        assert!(!last.first, "a flood is logged once");
        // Another app is not slowed by it.
        assert_eq!(b.refuse("exe:/b", t).pause, PAUSE_STEP);
        // Two minutes of quiet forgive the flood.
        let later = b.refuse("exe:/a", t + Duration::from_secs(120));
        assert!(later.pause < PAUSE_STEP * 2 && later.first);
    }

    #[test]
    fn a_burst_from_many_identities_at_once_stays_bounded_too() {
        let mut b = Backoff::default();
        let t = Instant::now();
        for i in 0..5000 {
            b.refuse(&format!("exe:/app{i}"), t);
        }
        assert!(b.weights.len() <= REMEMBERED, "{}", b.weights.len());
        // The identity refused most stays remembered.
        for _ in 0..10 {
            b.refuse("exe:/flood", t);
        }
        for i in 0..5000 {
            b.refuse(&format!("exe:/other{i}"), t);
        }
        assert!(b.refuse("exe:/flood", t).pause > PAUSE_STEP * 5);
    }

    #[test]
    fn many_identities_do_not_grow_the_memory_without_bound() {
        let mut b = Backoff::default();
        let t = Instant::now();
        for i in 0..5000 {
            b.refuse(&format!("exe:/app{i}"), t + Duration::from_secs(i));
        }
        assert!(b.weights.len() <= REMEMBERED + 1, "{}", b.weights.len());
    }
}
