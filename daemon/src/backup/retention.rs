//! Which of this machine's backups pruning keeps: the newest backup of each distinct day first
//! (newest days first), then the newest of the rest, `keep` in all.
//!
//! So a burst of changes, or many changes in one day, can never push the backups of earlier
//! days out of the folder while there is room for them: ten changes today leave ten days of
//! history, not ten copies of today.

use std::collections::HashSet;

/// Milliseconds in a day (days are UTC days, like the stamps in backup names).
const DAY_MILLIS: u64 = 86_400_000;

/// The positions in `times` (backup times in milliseconds, oldest first) to delete so that
/// `keep` backups remain.
pub fn to_delete(times: &[u64], keep: usize) -> Vec<usize> {
    if times.len() <= keep {
        return Vec::new();
    }
    let newest_first: Vec<usize> = (0..times.len()).rev().collect();
    let mut days = HashSet::new();
    let mut kept = HashSet::new();
    // The newest of each day, newest days first.
    for &i in &newest_first {
        if kept.len() == keep {
            break;
        }
        if days.insert(times[i] / DAY_MILLIS) {
            kept.insert(i);
        }
    }
    // Then the newest of the others.
    for &i in &newest_first {
        if kept.len() == keep {
            break;
        }
        kept.insert(i);
    }
    (0..times.len()).filter(|i| !kept.contains(i)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: u64 = 3_600_000;

    #[test]
    fn few_backups_are_all_kept() {
        assert!(to_delete(&[1, 2, 3], 3).is_empty());
        assert!(to_delete(&[], 1).is_empty());
    }

    #[test]
    fn earlier_days_survive_a_burst_today() {
        let today = 20_000 * DAY_MILLIS;
        // Two days ago, yesterday, then twenty backups today.
        let mut times = vec![today - 2 * DAY_MILLIS, today - DAY_MILLIS];
        times.extend((0..20).map(|i| today + i * 1000));
        let deleted = to_delete(&times, 5);
        assert_eq!(deleted.len(), times.len() - 5);
        assert!(
            !deleted.contains(&0) && !deleted.contains(&1),
            "{deleted:?}"
        );
        // Today's newest three are kept with them.
        let kept: Vec<usize> = (0..times.len()).filter(|i| !deleted.contains(i)).collect();
        assert_eq!(kept, [0, 1, 19, 20, 21]);
    }

    #[test]
    fn with_more_days_than_room_the_newest_days_win() {
        let times: Vec<u64> = (0..6).map(|d| d * DAY_MILLIS + HOUR).collect();
        assert_eq!(to_delete(&times, 3), [0, 1, 2]);
        // Within one day the newest backup is the one kept for that day.
        let times = [HOUR, 2 * HOUR, DAY_MILLIS + HOUR];
        assert_eq!(to_delete(&times, 2), [0]);
    }
}
