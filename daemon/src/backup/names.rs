//! Backup file names: `latchkey-<host>-<YYYYMMDD>T<HHMMSS>.<mmm>Z.latchkey`, UTC.
//!
//! The name sorts in time order, says which machine wrote it (so several machines can share one
//! synced folder and each prunes only its own), and is the only thing pruning trusts: a file
//! whose name does not parse is never touched.

use time::format_description::StaticFormatDescription;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

/// Every backup name starts with this.
const PREFIX: &str = "latchkey-";
/// Every backup name ends with this.
const SUFFIX: &str = ".latchkey";
/// Length of `YYYYMMDDTHHMMSS.mmmZ`.
const STAMP_LEN: usize = 20;

/// A backup file name, parsed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct BackupName {
    /// Milliseconds since the epoch, from the name.
    pub millis: u64,
    /// The machine that wrote it (sanitised host name).
    pub host: String,
}

impl BackupName {
    /// The file name for a backup written by `host` at `millis`.
    pub fn file_name(&self) -> String {
        format!("{PREFIX}{}-{}{SUFFIX}", self.host, stamp(self.millis))
    }

    /// Parses a file name; `None` for anything Latchkey did not name.
    pub fn parse(name: &str) -> Option<Self> {
        let rest = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
        let cut = rest.len().checked_sub(STAMP_LEN + 1)?;
        let (host, stamp) = (rest.get(..cut)?, rest.get(cut + 1..)?);
        if rest.as_bytes().get(cut) != Some(&b'-') || host.is_empty() || !is_host(host) {
            return None;
        }
        let millis = parse_stamp(stamp)?;
        Some(Self {
            millis,
            host: host.to_owned(),
        })
    }
}

/// Whether `name` is the temp file of one of `host`'s backups (`.<backup name>.tmp-<16 hex>`,
/// what an interrupted write leaves).
pub fn is_temp_of(name: &str, host: &str) -> bool {
    let Some((backup, hex)) = name.strip_prefix('.').and_then(|n| n.rsplit_once(".tmp-")) else {
        return false;
    };
    hex.len() == 16
        && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        && BackupName::parse(backup).is_some_and(|b| b.host == host)
}

/// This machine's name as it appears in backup names: letters, digits and `-` only.
pub fn this_host() -> String {
    let raw = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let host: String = raw
        .trim()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(64)
        .collect();
    if host.is_empty() {
        "localhost".into()
    } else {
        host
    }
}

fn is_host(s: &str) -> bool {
    s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The stamp's layout, `YYYYMMDDTHHMMSS.mmmZ`: fixed width, so names sort in time order.
const STAMP_FORMAT: StaticFormatDescription =
    format_description!("[year][month][day]T[hour][minute][second].[subsecond digits:3]Z");

/// `YYYYMMDDTHHMMSS.mmmZ` for `millis` since the epoch (proleptic Gregorian, UTC); a time past
/// the year 9999 saturates to its last millisecond, so the name still sorts last.
pub fn stamp(millis: u64) -> String {
    let nanos = i128::from(millis) * 1_000_000;
    let at = OffsetDateTime::from_unix_timestamp_nanos(nanos).map_or(PrimitiveDateTime::MAX, |t| {
        PrimitiveDateTime::new(t.date(), t.time())
    });
    // The year is within 0..=9999 here, which the layout always formats.
    at.format(STAMP_FORMAT).unwrap_or_default()
}

/// Milliseconds since the epoch for a stamp `stamp` wrote; `None` for anything else (impossible
/// dates such as 20250231, times before 1970, other spellings of the same instant).
fn parse_stamp(s: &str) -> Option<u64> {
    let at = PrimitiveDateTime::parse(s, STAMP_FORMAT).ok()?.assume_utc();
    let millis = u64::try_from(at.unix_timestamp_nanos() / 1_000_000).ok()?;
    (stamp(millis) == s).then_some(millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_sort_in_time_order() {
        // 2026-11-25 20:28:46.123 UTC, checked with `date -u -d @1795638526`.
        let n = BackupName {
            millis: 1_795_638_526_123,
            host: "box-1".into(),
        };
        assert_eq!(
            n.file_name(),
            "latchkey-box-1-20261125T202846.123Z.latchkey"
        );
        assert_eq!(BackupName::parse(&n.file_name()), Some(n.clone()));
        let later = BackupName {
            millis: n.millis + 1,
            ..n.clone()
        };
        assert!(later.file_name() > n.file_name());
        assert_eq!(stamp(0), "19700101T000000.000Z");
        assert_eq!(stamp(951_782_400_000), "20000229T000000.000Z");
    }

    #[test]
    fn stamps_round_trip_through_parsing() {
        for millis in [
            0,
            1,
            951_782_400_000,
            1_795_638_526_123,
            253_402_300_799_999,
        ] {
            assert_eq!(parse_stamp(&stamp(millis)), Some(millis), "{millis}");
        }
        // Past the year 9999 the stamp saturates rather than growing a fifth year digit.
        assert_eq!(stamp(u64::MAX), "99991231T235959.999Z");
        assert_eq!(stamp(253_402_300_800_000), "99991231T235959.999Z");
    }

    #[test]
    fn crash_leftovers_are_recognised_exactly() {
        let name = "latchkey-box-20261124T202846.123Z.latchkey";
        assert!(is_temp_of(&format!(".{name}.tmp-0123456789abcdef"), "box"));
        assert!(!is_temp_of(
            &format!(".{name}.tmp-0123456789abcdef"),
            "other"
        ));
        assert!(!is_temp_of(&format!(".{name}.tmp-0123456789ABCDEF"), "box"));
        assert!(!is_temp_of(&format!(".{name}.tmp-0123"), "box"));
        assert!(!is_temp_of(&format!("{name}.tmp-0123456789abcdef"), "box"));
        assert!(!is_temp_of(".notes.txt.tmp-0123456789abcdef", "box"));
    }

    #[test]
    fn foreign_names_are_not_ours() {
        for name in [
            "vault.latchkey",
            "latchkey-box-20261124T202846.123Z.latchkey.tmp",
            "latchkey--20261124T202846.123Z.latchkey",
            "latchkey-box-20250231T000000.000Z.latchkey",
            "latchkey-b_x-20261124T202846.123Z.latchkey",
            "latchkey-box-20261124T252846.123Z.latchkey",
            "latchkey-box-2026112XT202846.123Z.latchkey",
            "notes.txt",
        ] {
            assert_eq!(BackupName::parse(name), None, "{name}");
        }
    }
}
