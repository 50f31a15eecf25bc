//! Best-effort locked memory for secret buffers, so seeds are not written to swap.
//!
//! [`LockedBytes`] keeps small buffers in slots of a [`slab::Slab`] whose pages were locked a
//! chunk at a time (one `mlock` per 64 KiB, not one per seed); larger ones, or all of them once
//! the slab cannot grow, are plain heap buffers locked one by one with [`lock`]. Either way the
//! bytes are wiped on drop and every buffer is counted in [`stats`].
//!
//! Locks are page-granular and do not stack in Linux, so a page is never unlocked on drop (another
//! secret may share it); the allocator reuses those pages. `RLIMIT_MEMLOCK` bounds what can be
//! locked: past it `mlock` fails, which is counted and reported, never fatal ("where possible").

pub mod slab;

use std::sync::atomic::{AtomicU64, Ordering};
use zeroize::{Zeroize, Zeroizing};

/// The process's slab for secret buffers.
static SECRETS: slab::Slab = slab::Slab::new();

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

/// A secret buffer on locked memory where possible, wiped on drop, never printed.
pub struct LockedBytes(Place);

enum Place {
    Slot(slab::Slot),
    Heap(Zeroizing<Vec<u8>>),
}

impl LockedBytes {
    /// `len` zero bytes: a slab slot if one fits and can be had, else a heap buffer locked alone.
    pub fn zeroed(len: usize) -> Self {
        Self::zeroed_in(&SECRETS, len)
    }

    fn zeroed_in(slab: &'static slab::Slab, len: usize) -> Self {
        match slab.alloc(len) {
            Ok(slot) => {
                LOCKED.fetch_add(1, Ordering::Relaxed);
                Self(Place::Slot(slot))
            }
            // Too large or empty: today's path (an empty buffer is neither locked nor counted).
            Err(slab::Refused::Size | slab::Refused::Exhausted) => Self::heap(len),
            Err(slab::Refused::Unlockable(error)) => {
                tracing::debug!(%error, "the secret slab cannot grow; locking buffers one by one");
                Self::heap(len)
            }
        }
    }

    fn heap(len: usize) -> Self {
        let bytes = Zeroizing::new(vec![0u8; len]);
        lock(&bytes);
        Self(Place::Heap(bytes))
    }

    /// A locked copy of `bytes` (the caller wipes its own).
    pub fn copy_of(bytes: &[u8]) -> Self {
        let mut out = Self::zeroed(bytes.len());
        out.as_mut_slice().copy_from_slice(bytes);
        out
    }

    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        match &self.0 {
            Place::Slot(slot) => slot.as_slice(),
            Place::Heap(bytes) => bytes,
        }
    }

    /// The bytes, writable (the length is fixed).
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        match &mut self.0 {
            Place::Slot(slot) => slot.as_mut_slice(),
            Place::Heap(bytes) => bytes,
        }
    }

    /// Shortens the buffer to `len` bytes (no-op if longer), wiping the bytes cut off.
    pub fn truncate(&mut self, len: usize) {
        match &mut self.0 {
            Place::Slot(slot) => slot.truncate(len),
            Place::Heap(bytes) => {
                if len < bytes.len() {
                    bytes[len..].zeroize();
                    bytes.truncate(len);
                }
            }
        }
    }

    /// Whether the bytes sit in a slab slot (rather than a heap buffer).
    #[cfg(test)]
    fn in_slab(&self) -> bool {
        matches!(self.0, Place::Slot(_))
    }
}

impl Clone for LockedBytes {
    fn clone(&self) -> Self {
        Self::copy_of(self.as_slice())
    }
}

impl PartialEq for LockedBytes {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for LockedBytes {}

impl std::fmt::Debug for LockedBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LockedBytes(<redacted>)")
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

    /// A slab of its own, so other tests running in parallel cannot take its slots.
    fn private_slab() -> &'static slab::Slab {
        Box::leak(Box::new(slab::Slab::new()))
    }

    #[test]
    fn a_freed_slot_is_reused_by_its_class_only() {
        let slab = private_slab();
        let first = slab.alloc(20).expect("slot");
        let addr = first.addr();
        let other = slab.alloc(20).expect("slot");
        assert_eq!(
            other.addr(),
            addr + 32,
            "slots of a class follow each other"
        );
        drop(first);
        let large = slab.alloc(100).expect("slot");
        assert_ne!(
            large.addr(),
            addr,
            "a 128-byte slot never takes a 32-byte one"
        );
        let again = slab.alloc(32).expect("slot");
        assert_eq!(again.addr(), addr, "the freed slot is taken first");
        assert!(matches!(slab.alloc(129), Err(slab::Refused::Size)));
        assert!(matches!(slab.alloc(0), Err(slab::Refused::Size)));
    }

    #[test]
    fn a_dropped_slot_is_wiped_whole() {
        let slab = private_slab();
        let mut slot = slab.alloc(64).expect("slot");
        slot.as_mut_slice().fill(0xA5);
        slot.truncate(40);
        assert_eq!(slot.as_slice(), &[0xA5; 40][..]);
        let addr = slot.addr();
        assert_eq!(slab.freed_slot_bytes(addr), None, "a live slot is not free");
        drop(slot);
        assert_eq!(slab.freed_slot_bytes(addr), Some(vec![0u8; 64]));
        // The tail cut off by `truncate` is wiped at once, before the drop.
        let mut slot = slab.alloc(64).expect("slot");
        assert_eq!(slot.addr(), addr);
        slot.as_mut_slice().fill(0x5A);
        slot.truncate(8);
        assert_eq!(slot.as_slice(), &[0x5A; 8][..]);
        slot.truncate(64);
        assert_eq!(slot.as_slice().len(), 8, "truncate never lengthens");
    }

    #[test]
    fn slab_chunks_are_locked_pages() {
        let slab = private_slab();
        let slots: Vec<_> = (0..3000).map(|_| slab.alloc(32).expect("slot")).collect();
        let addrs: std::collections::BTreeSet<_> = slots.iter().map(|s| s.addr()).collect();
        assert_eq!(addrs.len(), slots.len(), "every slot has its own address");
        // 3,000 slots of 32 bytes fill one 64 KiB chunk and start a second.
        for slot in [&slots[0], &slots[2999]] {
            let kb = locked_kb_around(slot.addr());
            assert!(kb >= 64, "only {kb} kB locked around a slot");
        }
    }

    #[test]
    fn threads_never_share_a_slot() {
        let slab = private_slab();
        let threads: Vec<_> = (0..8u8)
            .map(|id| {
                std::thread::spawn(move || {
                    for round in 0..20 {
                        let mut slots: Vec<_> = (0..200)
                            .map(|i| slab.alloc(1 + (i + round) % 128).expect("slot"))
                            .collect();
                        for slot in &mut slots {
                            slot.as_mut_slice().fill(id);
                        }
                        std::thread::yield_now();
                        for slot in &slots {
                            assert!(slot.as_slice().iter().all(|&b| b == id), "slot shared");
                        }
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().expect("thread");
        }
    }

    #[test]
    fn small_buffers_go_to_the_slab_and_large_ones_to_the_heap() {
        let (locked, failed) = stats();
        let small = LockedBytes::copy_of(b"twenty bytes of seed");
        let large = LockedBytes::zeroed(129);
        let empty = LockedBytes::zeroed(0);
        assert!(small.in_slab());
        assert!(!large.in_slab() && !empty.in_slab());
        assert_eq!(small.as_slice(), b"twenty bytes of seed");
        assert_eq!(large.as_slice(), &[0u8; 129][..]);
        let (locked_after, failed_after) = stats();
        assert!(
            locked_after + failed_after >= locked + failed + 2,
            "both non-empty buffers are counted"
        );
        assert_eq!(format!("{small:?}"), "LockedBytes(<redacted>)");
        let mut copy = small.clone();
        assert_eq!(copy, small);
        copy.truncate(6);
        assert_eq!(copy.as_slice(), b"twenty");
    }

    #[test]
    fn a_slab_that_cannot_grow_falls_back_to_the_heap() {
        let slab = private_slab();
        slab.refuse_growth();
        let (locked, failed) = stats();
        let mut bytes = LockedBytes::zeroed_in(slab, 20);
        assert!(!bytes.in_slab());
        bytes
            .as_mut_slice()
            .copy_from_slice(b"still a usable seed!");
        assert_eq!(bytes.as_slice(), b"still a usable seed!");
        let (locked_after, failed_after) = stats();
        assert!(
            locked_after + failed_after > locked + failed,
            "the fallback is counted"
        );
    }
}
