//! Brute-force delay for passphrase attempts, persisted so a restart does not reset it.
//!
//! The first three wrong passphrases cost nothing; after that each attempt must wait a delay
//! that doubles with every failure (1 s, 2 s, 4 s, … up to 5 minutes). An attempt made too
//! early is refused without running the KDF and does not count as a failure.
//!
//! Latchkey's own clients and every other app are throttled apart ([`Throttles`]): another
//! app's wrong guesses are counted and reported like any failed unlock, but only make other
//! apps wait, so an app cannot lock the user out of their own vault by guessing on purpose.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Failures allowed before any delay.
pub const FREE_ATTEMPTS: u32 = 3;
/// Longest delay between attempts, in seconds.
pub const MAX_DELAY: u64 = 300;

/// The persisted counter of consecutive wrong passphrases.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Throttle {
    /// Consecutive wrong passphrases since the last successful unlock.
    pub failures: u32,
    /// Unix time of the last failure.
    pub last_failure: u64,
    #[serde(skip)]
    path: PathBuf,
}

impl Throttle {
    /// Loads the counter kept beside the vault; a missing or unreadable file starts from zero
    /// failures only if it is missing (an unreadable one keeps the maximum delay, to fail safe).
    pub fn load(path: PathBuf) -> Self {
        match std::fs::read(&path) {
            Ok(bytes) => match serde_json::from_slice::<Throttle>(&bytes) {
                Ok(t) => Self { path, ..t },
                Err(e) => {
                    tracing::warn!(
                        "{} is unreadable ({e}); applying the maximum unlock delay",
                        path.display()
                    );
                    Self {
                        failures: FREE_ATTEMPTS + 16,
                        last_failure: crate::clock::unix_now(),
                        path,
                    }
                }
            },
            Err(_) => Self {
                path,
                ..Self::default()
            },
        }
    }

    /// The file the counter of `class` lives in, next to the vault (`<vault>.attempts` for our
    /// own clients, as before classes existed; `<vault>.foreign-attempts` for other apps).
    pub fn path_for(vault: &Path, class: Class) -> PathBuf {
        let mut name = vault
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_default();
        name.push(match class {
            Class::Own => ".attempts",
            Class::Foreign => ".foreign-attempts",
        });
        vault.with_file_name(name)
    }

    /// Seconds to wait after the last failure before the next attempt is allowed.
    pub fn delay(&self) -> u64 {
        if self.failures < FREE_ATTEMPTS {
            return 0;
        }
        let exp = (self.failures - FREE_ATTEMPTS).min(16);
        (1u64 << exp).min(MAX_DELAY)
    }

    /// Unix time from which the next attempt is allowed (0 when there is no delay).
    pub fn retry_after(&self) -> u64 {
        match self.delay() {
            0 => 0,
            d => self.last_failure.saturating_add(d),
        }
    }

    /// `Err(seconds to wait)` if an attempt now is too early.
    pub fn check(&self, now: u64) -> Result<(), u64> {
        let at = self.retry_after();
        if now < at { Err(at - now) } else { Ok(()) }
    }

    /// Counts a wrong passphrase and persists it.
    pub fn record_failure(&mut self, now: u64) {
        self.failures = self.failures.saturating_add(1);
        self.last_failure = now;
        self.persist();
    }

    /// Clears the counter after a successful unlock.
    pub fn record_success(&mut self) {
        if self.failures != 0 {
            self.failures = 0;
            self.last_failure = 0;
            self.persist();
        }
    }

    fn persist(&self) {
        let written = serde_json::to_vec(self)
            .map_err(std::io::Error::other)
            .and_then(|bytes| crate::files::write_private_atomic(&self.path, &bytes));
        if let Err(e) = written {
            tracing::error!(
                "cannot record the failed unlock attempt in {}: {e}",
                self.path.display()
            );
        }
    }
}

/// Who made a passphrase attempt; each class has its own delay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Latchkey's own clients (the `latchkey` and `latchkey-gtk` executables), i.e. the user.
    Own,
    /// Any other app on the session bus.
    Foreign,
}

impl Class {
    /// The class as logs and security events name it.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Own => "own-client",
            Class::Foreign => "foreign",
        }
    }
}

/// The persisted counters of both classes.
#[derive(Debug, Clone)]
pub struct Throttles {
    own: Throttle,
    foreign: Throttle,
}

impl Throttles {
    /// Loads both counters kept beside `vault`.
    pub fn load(vault: &Path) -> Self {
        Self {
            own: Throttle::load(Throttle::path_for(vault, Class::Own)),
            foreign: Throttle::load(Throttle::path_for(vault, Class::Foreign)),
        }
    }

    /// The counter of `class`.
    pub fn of(&self, class: Class) -> &Throttle {
        match class {
            Class::Own => &self.own,
            Class::Foreign => &self.foreign,
        }
    }

    /// The counter of `class`, to record an attempt.
    pub fn of_mut(&mut self, class: Class) -> &mut Throttle {
        match class {
            Class::Own => &mut self.own,
            Class::Foreign => &mut self.foreign,
        }
    }

    /// Wrong passphrases of both classes that no right one has cleared yet.
    pub fn failures(&self) -> u32 {
        self.own.failures.saturating_add(self.foreign.failures)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_doubles_after_three_failures_and_is_capped() {
        let mut t = Throttle::default();
        let delays: Vec<u64> = (0..14)
            .map(|_| {
                let d = t.delay();
                t.failures += 1;
                d
            })
            .collect();
        assert_eq!(
            delays,
            [0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
        );
    }

    #[test]
    fn check_counts_from_the_last_failure() {
        let t = Throttle {
            failures: 5,
            last_failure: 1000,
            path: PathBuf::new(),
        };
        assert_eq!(t.check(1001), Err(3));
        assert_eq!(t.check(1004), Ok(()));
    }

    #[test]
    fn persists_and_reloads() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("v.attempts");
        let mut t = Throttle::load(path.clone());
        for i in 0..4 {
            t.record_failure(100 + i);
        }
        let again = Throttle::load(path.clone());
        assert_eq!((again.failures, again.last_failure), (4, 103));
        let mut again = again;
        again.record_success();
        assert_eq!(Throttle::load(path).failures, 0);
    }

    #[test]
    fn classes_count_apart_and_persist_apart() {
        let dir = tempfile::tempdir().expect("tmp");
        let vault = dir.path().join("v");
        let mut t = Throttles::load(&vault);
        for i in 0..5 {
            t.of_mut(Class::Foreign).record_failure(100 + i);
        }
        assert_eq!(t.of(Class::Own).check(105), Ok(()));
        assert!(t.of(Class::Foreign).check(105).is_err());
        assert_eq!(t.failures(), 5);
        let again = Throttles::load(&vault);
        assert_eq!((again.of(Class::Own).failures, again.failures()), (0, 5));
    }

    #[test]
    fn corrupt_file_fails_safe() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("v.attempts");
        std::fs::write(&path, b"garbage").expect("write");
        assert_eq!(Throttle::load(path).delay(), MAX_DELAY);
    }
}
