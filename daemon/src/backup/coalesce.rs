//! A burst of changes leaves one backup.
//!
//! Every change is backed up at once (no change ever waits for a backup), but an automatic
//! backup written less than [`WINDOW_MILLIS`] after the first one of its run replaces the
//! previous backup of that run instead of adding to the history. So a thousand adds in a minute
//! leave one backup (the newest state), and at most one backup per window joins the history
//! however fast changes come. A manual backup (`latchkey backup now`) is never replaced and
//! ends the run.

use std::path::PathBuf;

/// How long a run of automatic backups lasts, from its first backup (10 minutes).
pub const WINDOW_MILLIS: u64 = 10 * 60 * 1000;

/// The current run of automatic backups, if one is open.
#[derive(Debug, Default)]
pub struct Runs {
    current: Option<Run>,
}

#[derive(Debug)]
struct Run {
    /// When its first backup was written (milliseconds since the epoch).
    started: u64,
    /// Its newest backup, which the next backup of the run replaces.
    newest: PathBuf,
}

impl Runs {
    /// After the automatic backup `file` was written at `now`: the backup it replaces (to be
    /// deleted), if the run is still open; otherwise `file` starts a new run.
    pub fn after_automatic(&mut self, file: PathBuf, now: u64) -> Option<PathBuf> {
        match &mut self.current {
            Some(run)
                if now >= run.started
                    && now - run.started < WINDOW_MILLIS
                    && run.newest != file =>
            {
                Some(std::mem::replace(&mut run.newest, file))
            }
            _ => {
                self.current = Some(Run {
                    started: now,
                    newest: file,
                });
                None
            }
        }
    }

    /// A manual backup was written: it stays, and the next automatic backup starts a new run.
    pub fn end(&mut self) {
        self.current = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_keeps_only_its_newest_backup() {
        let mut runs = Runs::default();
        assert_eq!(runs.after_automatic("a".into(), 1_000), None);
        assert_eq!(runs.after_automatic("b".into(), 2_000), Some("a".into()));
        assert_eq!(runs.after_automatic("c".into(), 3_000), Some("b".into()));
        // Past the window (from the run's first backup) a new run starts: "c" stays.
        assert_eq!(
            runs.after_automatic("d".into(), 1_000 + WINDOW_MILLIS),
            None
        );
        assert_eq!(
            runs.after_automatic("e".into(), 2_000 + WINDOW_MILLIS),
            Some("d".into())
        );
    }

    #[test]
    fn manual_backups_and_clock_jumps_end_the_run() {
        let mut runs = Runs::default();
        runs.after_automatic("a".into(), 5_000);
        runs.end();
        assert_eq!(
            runs.after_automatic("b".into(), 6_000),
            None,
            "manual ends it"
        );
        assert_eq!(
            runs.after_automatic("c".into(), 1_000),
            None,
            "clock went back"
        );
    }
}
