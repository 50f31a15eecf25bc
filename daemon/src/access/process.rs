//! What `/proc` says about a caller's process: the facts its identity is pinned to.
//!
//! A same-uid process can read another's `/proc/PID/exe`, `root` and `ns/*` only while that
//! process is dumpable; a process that made itself non-dumpable hides them and is
//! *unidentified*. The start time (in `/proc/PID/stat`, always readable) tells a reused PID
//! apart; the executable's device and inode tell an `exec` of another file apart.

use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::fs::MetadataExt;

/// A file's identity on disk: (device, inode).
pub type FileId = (u64, u64);

/// One observation of a process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// Clock ticks after boot at which the process started (`/proc/PID/stat` field 22).
    pub start_time: Option<u64>,
    /// The executable's path as the kernel reports it, when readable.
    pub exe: Option<String>,
    /// The executable file's (device, inode), when readable.
    pub exe_file: Option<FileId>,
    /// The process's mount namespace, when readable.
    pub mount_ns: Option<FileId>,
}

impl Fingerprint {
    /// Reads `pid`'s fingerprint now (PID 0 yields an empty, unidentified one).
    pub fn read(pid: u32) -> Self {
        if pid == 0 {
            return Self {
                start_time: None,
                exe: None,
                exe_file: None,
                mount_ns: None,
            };
        }
        let proc = format!("/proc/{pid}");
        Self {
            start_time: start_time(pid),
            exe: std::fs::read_link(format!("{proc}/exe"))
                .ok()
                .map(|p| p.display().to_string()),
            exe_file: file_id(&format!("{proc}/exe")),
            mount_ns: file_id(&format!("{proc}/ns/mnt")),
        }
    }

    /// Whether everything an identity rests on could be read.
    pub fn is_complete(&self) -> bool {
        self.start_time.is_some()
            && self.exe.is_some()
            && self.exe_file.is_some()
            && self.mount_ns.is_some()
    }
}

/// The daemon's own mount namespace.
pub fn own_mount_ns() -> Option<FileId> {
    file_id("/proc/self/ns/mnt")
}

/// The (device, inode) of the file `path` resolves to.
pub fn file_id(path: &str) -> Option<FileId> {
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// Field 22 of `/proc/PID/stat`: the start time, after the parenthesised command name (which
/// may itself contain spaces and parentheses, so it is skipped up to the last `)`).
pub fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_start_time(&stat)
}

fn parse_start_time(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    // Fields after the name start at field 3 (state); field 22 is the 20th of them.
    rest.split_whitespace().nth(19)?.parse().ok()
}

/// Field 4 of `/proc/PID/stat`: the parent's PID (0 when unreadable or none).
pub fn parent(pid: u32) -> u32 {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| parse_parent(&stat))
        .unwrap_or(0)
}

fn parse_parent(stat: &str) -> Option<u32> {
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// Whether the process a pidfd refers to still runs (a pidfd never refers to a reused PID).
pub fn pidfd_alive(fd: &OwnedFd) -> bool {
    // SAFETY: pidfd_send_signal with signal 0 only checks; the fd is valid and owned.
    let r = unsafe {
        libc::syscall(
            libc::SYS_pidfd_send_signal,
            fd.as_raw_fd(),
            0,
            std::ptr::null::<libc::siginfo_t>(),
            0,
        )
    };
    r == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_time_skips_a_name_with_spaces_and_parentheses() {
        let stat = "42 (a) b (c) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 123456 1000 10";
        assert_eq!(parse_start_time(stat), Some(123456));
        assert_eq!(parse_start_time("garbage"), None);
        assert_eq!(parse_parent(stat), Some(1));
        assert_eq!(parse_parent("garbage"), None);
        assert_eq!(
            parent(std::process::id()),
            std::os::unix::process::parent_id()
        );
    }

    #[test]
    fn our_own_process_is_fully_readable() {
        let me = Fingerprint::read(std::process::id());
        assert!(me.is_complete(), "{me:?}");
        assert_eq!(me.mount_ns, own_mount_ns());
        assert!(!Fingerprint::read(0).is_complete());
    }
}
