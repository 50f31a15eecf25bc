//! Best-effort `mlock` of secret buffers, so seeds are not written to swap.
//!
//! Locks are page-granular and do not stack in Linux, so a page is never unlocked on drop (another
//! secret may share it); the allocator reuses those pages. `RLIMIT_MEMLOCK` bounds what can be
//! locked: past it `mlock` fails, which is counted and reported, never fatal ("where possible").

use std::sync::atomic::{AtomicU64, Ordering};

static LOCKED: AtomicU64 = AtomicU64::new(0);
static FAILED: AtomicU64 = AtomicU64::new(0);

/// Asks the kernel to keep the pages under `bytes` in RAM; empty slices are ignored.
pub fn lock(bytes: &[u8]) {
    if bytes.is_empty() {
        return;
    }
    // SAFETY: mlock only changes the residency of pages that back a live slice; it reads and
    // writes no memory, and the kernel rounds the range to whole pages itself.
    let result = unsafe { libc::mlock(bytes.as_ptr().cast(), bytes.len()) };
    if result == 0 {
        LOCKED.fetch_add(1, Ordering::Relaxed);
    } else if FAILED.fetch_add(1, Ordering::Relaxed) == 0 {
        tracing::warn!(
            error = %std::io::Error::last_os_error(),
            "cannot mlock secret buffers (RLIMIT_MEMLOCK too low?); secrets may reach swap"
        );
    }
}

/// How many buffers were locked and how many could not be, so tests can tell the two apart.
pub fn stats() -> (u64, u64) {
    (
        LOCKED.load(Ordering::Relaxed),
        FAILED.load(Ordering::Relaxed),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `VmLck` (kB) of this process from /proc.
    fn locked_kb() -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find(|l| l.starts_with("VmLck:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    #[test]
    fn locking_a_buffer_raises_vmlck() {
        let before = locked_kb();
        // A fresh page-sized allocation of its own, so it cannot share an already locked page.
        let buffer = vec![7u8; 64 * 1024];
        lock(&buffer);
        let (locked, failed) = stats();
        assert!(locked >= 1 || failed >= 1);
        if failed == 0 {
            assert!(locked_kb() >= before + 60, "VmLck did not grow");
        }
        lock(&[]);
    }
}
