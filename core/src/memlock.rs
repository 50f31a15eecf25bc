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

    /// `Locked:` (kB) of the mapping holding `addr`, from /proc/self/smaps. Per mapping rather
    /// than the process's VmLck, which other tests running in parallel move up and down.
    fn locked_kb_around(addr: usize) -> u64 {
        let smaps = std::fs::read_to_string("/proc/self/smaps").expect("smaps");
        let mut inside = false;
        for line in smaps.lines() {
            let first = line.split_whitespace().next().unwrap_or("");
            if let Some((lo, hi)) = first.split_once('-')
                && let (Ok(lo), Ok(hi)) =
                    (usize::from_str_radix(lo, 16), usize::from_str_radix(hi, 16))
            {
                inside = lo <= addr && addr < hi;
            } else if inside && line.starts_with("Locked:") {
                let kb = line.split_whitespace().nth(1).expect("value");
                return kb.parse().expect("number");
            }
        }
        panic!("no mapping holds {addr:#x}");
    }

    #[test]
    fn locking_a_buffer_locks_its_pages() {
        // 1 MiB: its own pages (neighbours can share at most the two edge pages).
        let buffer = vec![7u8; 1024 * 1024];
        let addr = buffer.as_ptr() as usize;
        lock(&buffer);
        let (locked, failed) = stats();
        assert!(locked >= 1 || failed >= 1);
        if failed == 0 {
            let kb = locked_kb_around(addr);
            assert!(kb >= 1024 - 8, "only {kb} kB locked around the buffer");
        }
        lock(&[]);
    }
}
