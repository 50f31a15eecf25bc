//! Backup file names: `latchkey-<host>-<YYYYMMDD>T<HHMMSS>.<mmm>Z.latchkey`, UTC.
//!
//! The name sorts in time order, says which machine wrote it (so several machines can share one
//! synced folder and each prunes only its own), and is the only thing pruning trusts: a file
//! whose name does not parse is never touched.

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

/// `YYYYMMDDTHHMMSS.mmmZ` for `millis` since the epoch (proleptic Gregorian, UTC).
pub fn stamp(millis: u64) -> String {
    let secs = millis / 1000;
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let s = secs % 86_400;
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}.{:03}Z",
        s / 3600,
        s / 60 % 60,
        s % 60,
        millis % 1000
    )
}

fn parse_stamp(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() != STAMP_LEN || b[8] != b'T' || b[15] != b'.' || b[19] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u64> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (y, mo, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (h, mi, sec, ms) = (num(9..11)?, num(11..13)?, num(13..15)?, num(16..19)?);
    if !(1970..=9999).contains(&y) || !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    if h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    let days = days_from_civil(y as i64, mo as u32, d as u32);
    let millis = (days as u64 * 86_400 + h * 3600 + mi * 60 + sec) * 1000 + ms;
    // Reject impossible dates such as 20250231 (they would not round-trip).
    (stamp(millis) == s).then_some(millis)
}

/// Days since 1970-01-01 to (year, month, day); Howard Hinnant's civil_from_days.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// (year, month, day) to days since 1970-01-01; the inverse of [`civil_from_days`].
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from(if m > 2 { m - 3 } else { m + 9 });
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
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
