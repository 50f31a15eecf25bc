//! Hybrid logical clocks (Kulkarni et al., 2014): stamps that follow the wall clock, never go
//! backwards, and order every change of every device the same way on all of them.
//!
//! A stamp is `(milliseconds, count, device)`: the wall-clock time of the change, a counter for
//! changes within the same millisecond or after a clock that stepped back, and the device as the
//! last tie-break, so two stamps from different devices are never equal. A device's clock
//! observes every stamp it merges, so its next change is later than everything it has seen: a
//! change made after seeing another one wins over it, whatever the wall clocks say.

use super::DeviceId;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// How far ahead of this device's wall clock a merged stamp may be. A replica whose stamps lie
/// further in the future is refused: merging it would drag every later change of this device
/// ahead with it, and a stamp near the end of time would win every conflict forever.
pub const MAX_AHEAD_MS: u64 = 60 * 60 * 1000;

/// When a change was made, and by whom; ordered by time, then count, then device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stamp {
    /// Milliseconds since the Unix epoch (the device's wall clock, or later).
    pub time: u64,
    /// Changes within the same millisecond, or after the wall clock stepped back.
    pub count: u32,
    /// The device that made the change.
    pub device: DeviceId,
}

impl Stamp {
    /// The earliest stamp of `device` (before any change).
    pub const fn zero(device: DeviceId) -> Self {
        Self {
            time: 0,
            count: 0,
            device,
        }
    }
}

impl Serialize for Stamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (self.time, self.count, self.device).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Stamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (time, count, device) = <(u64, u32, DeviceId)>::deserialize(d)?;
        Ok(Self {
            time,
            count,
            device,
        })
    }
}

/// One device's clock: the last stamp it issued or observed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    time: u64,
    count: u32,
}

/// A stamp that cannot be observed: too far in this device's future.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("its clock is {} s ahead of this machine's (more than the {} s allowed); set the clocks right (NTP)", .ahead_ms / 1000, MAX_AHEAD_MS / 1000)]
pub struct AheadError {
    pub ahead_ms: u64,
}

impl Clock {
    /// A clock that has seen nothing yet.
    pub const fn new() -> Self {
        Self { time: 0, count: 0 }
    }

    /// A stamp for a change `device` makes now (`now_ms`: its wall clock): later than every
    /// stamp this clock issued or observed.
    pub fn tick(&mut self, now_ms: u64, device: DeviceId) -> Stamp {
        if now_ms > self.time {
            self.time = now_ms;
            self.count = 0;
        } else if self.count == u32::MAX {
            // A billion changes in one millisecond: borrow the next millisecond instead.
            self.time = self.time.saturating_add(1);
            self.count = 0;
        } else {
            self.count += 1;
        }
        Stamp {
            time: self.time,
            count: self.count,
            device,
        }
    }

    /// Checks that `stamp` is not too far ahead of `now_ms`, without observing it.
    pub fn check(stamp: &Stamp, now_ms: u64) -> Result<(), AheadError> {
        let limit = now_ms.saturating_add(MAX_AHEAD_MS);
        if stamp.time > limit {
            return Err(AheadError {
                ahead_ms: stamp.time - now_ms,
            });
        }
        Ok(())
    }

    /// Moves the clock past `stamp` (already [`Self::check`]ed), so the next tick is later.
    pub fn observe(&mut self, stamp: &Stamp) {
        if (stamp.time, stamp.count) > (self.time, self.count) {
            self.time = stamp.time;
            self.count = stamp.count;
        }
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: DeviceId = DeviceId([1; 16]);

    #[test]
    fn ticks_never_go_back_even_when_the_wall_clock_does() {
        let mut c = Clock::new();
        let s1 = c.tick(1000, A);
        let s2 = c.tick(900, A);
        let s3 = c.tick(900, A);
        let s4 = c.tick(2000, A);
        assert!(s1 < s2 && s2 < s3 && s3 < s4);
        assert_eq!((s2.time, s2.count), (1000, 1));
        assert_eq!((s4.time, s4.count), (2000, 0));
    }

    #[test]
    fn a_change_after_seeing_another_is_later_than_it() {
        let mut c = Clock::new();
        let far = Stamp {
            time: 5000,
            count: 7,
            device: DeviceId([9; 16]),
        };
        Clock::check(&far, 4000).expect("within the hour");
        c.observe(&far);
        assert!(c.tick(1000, A) > far);
        let future = Stamp {
            time: 4000 + MAX_AHEAD_MS + 1,
            ..far
        };
        assert!(Clock::check(&future, 4000).is_err());
    }
}
