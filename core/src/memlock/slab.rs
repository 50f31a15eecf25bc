//! A slab of locked pages for small secret buffers, so a seed costs no system call of its own.
//!
//! Locking each buffer with its own `mlock` made that call half of a 10,000-account sync merge
//! (docs/benchmarks.md, issue 16). Here memory is mapped and locked a chunk at a time and cut
//! into fixed-size slots, as libsodium's `sodium_malloc` keeps secrets on locked pages but
//! without a mapping per buffer. A slot is wiped when its [`Slot`] drops and only then goes back
//! on its class's free list, so a freed slot never holds a seed. Chunks are never unmapped: the
//! slab only grows to the most secrets held at once, and locked memory stays accounted the same.
//!
//! Crates on crates.io were weighed first: `memsec`, `secrets` and `memsafe` map (and lock) a
//! region per allocation, which is what this replaces; `secmem-alloc` locks a single page and
//! aborts past the limit. None keeps many small buffers on shared locked pages.
//!
//! Past `RLIMIT_MEMLOCK` a chunk cannot be locked: it is unmapped, the slab stops growing for
//! good (locked memory in this process only grows, so a later try would fail too), and callers
//! fall back to a plain buffer (see [`super::LockedBytes`]).

use std::ptr::NonNull;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use zeroize::Zeroize;

/// Slot sizes in bytes, smallest first; a buffer takes the smallest slot that holds it. TOTP
/// seeds are 10–64 bytes; 128 leaves room for odd imports.
pub const CLASSES: [usize; 3] = [32, 64, 128];

/// Bytes mapped and locked at once: 16 pages of 4 KiB, a whole number of pages on any Linux
/// page size up to 64 KiB. 2,048 slots of 32 bytes, so a 10,000-seed vault takes 5 chunks.
pub const CHUNK: usize = 64 * 1024;

/// Why the slab gave no slot; the caller then uses a plain buffer.
#[derive(Debug)]
pub enum Refused {
    /// Larger than the largest slot (or empty).
    Size,
    /// No chunk could be mapped or locked (the error is the kernel's).
    Unlockable(std::io::Error),
    /// An earlier chunk could not be locked, so the slab no longer grows.
    Exhausted,
}

/// The slots of one size: freed (wiped) slots first, then the rest of the newest chunk.
struct Class {
    size: usize,
    /// Addresses of wiped, unused slots.
    free: Vec<usize>,
    /// Next never-used slot in the newest chunk, and that chunk's end.
    next: usize,
    end: usize,
}

/// Locked memory cut into slots. Thread-safe: each class is behind its own mutex, held only to
/// take or return a slot (never while a slot's bytes are read or written).
pub struct Slab {
    classes: [Mutex<Class>; CLASSES.len()],
    exhausted: AtomicBool,
}

impl Default for Slab {
    fn default() -> Self {
        Self::new()
    }
}

impl Slab {
    /// An empty slab; it maps nothing until the first slot is asked for.
    pub const fn new() -> Self {
        const fn class(size: usize) -> Mutex<Class> {
            Mutex::new(Class {
                size,
                free: Vec::new(),
                next: 0,
                end: 0,
            })
        }
        Self {
            classes: [class(CLASSES[0]), class(CLASSES[1]), class(CLASSES[2])],
            exhausted: AtomicBool::new(false),
        }
    }

    /// A zeroed slot of `len` bytes on locked memory.
    pub fn alloc(&'static self, len: usize) -> Result<Slot, Refused> {
        let index = CLASSES
            .iter()
            .position(|&size| len <= size)
            .filter(|_| len > 0)
            .ok_or(Refused::Size)?;
        let mut class = self.classes[index]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let addr = if let Some(addr) = class.free.pop() {
            addr
        } else {
            if class.next >= class.end {
                if self.exhausted.load(Ordering::Relaxed) {
                    return Err(Refused::Exhausted);
                }
                let chunk = map_locked_chunk().inspect_err(|_| {
                    self.exhausted.store(true, Ordering::Relaxed);
                })?;
                class.next = chunk;
                class.end = chunk + CHUNK;
            }
            let addr = class.next;
            class.next += class.size;
            addr
        };
        drop(class);
        // `addr` is inside a live mapping (chunks are never unmapped), so it is not null.
        let ptr = NonNull::new(addr as *mut u8).ok_or(Refused::Exhausted)?;
        Ok(Slot {
            ptr,
            len,
            class: index,
            slab: self,
        })
    }

    /// Returns a wiped slot to its class.
    fn release(&self, class: usize, addr: usize) {
        self.classes[class]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .free
            .push(addr);
    }

    /// Test hook: behaves from now on as if a chunk could not be locked.
    #[cfg(test)]
    pub fn refuse_growth(&self) {
        self.exhausted.store(true, Ordering::Relaxed);
    }

    /// Test hook: the bytes of the free slot at `addr` (`None` if no free slot starts there), so
    /// tests can see that a dropped slot was wiped.
    #[cfg(any(test, debug_assertions, feature = "test-hooks"))]
    pub fn freed_slot_bytes(&self, addr: usize) -> Option<Vec<u8>> {
        for class in &self.classes {
            let class = class
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if class.free.contains(&addr) {
                // SAFETY: `addr` is a free slot of this class: `class.size` bytes inside a chunk
                // that is never unmapped, which no `Slot` refers to, and which nobody can take
                // while we hold the class's mutex. The memory is initialised (mmap zeroes it).
                let bytes = unsafe { std::slice::from_raw_parts(addr as *const u8, class.size) };
                return Some(bytes.to_vec());
            }
        }
        None
    }
}

/// Maps a fresh chunk, locks it, and keeps it out of core dumps (best effort); its address.
fn map_locked_chunk() -> Result<usize, Refused> {
    // SAFETY: a new private anonymous mapping at an address the kernel picks; it aliases no
    // memory of ours, and the result is checked before use.
    let ptr = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            CHUNK,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if ptr == libc::MAP_FAILED {
        return Err(Refused::Unlockable(std::io::Error::last_os_error()));
    }
    // SAFETY: locks the mapping just made; mlock changes residency only, not contents.
    if unsafe { libc::mlock(ptr, CHUNK) } != 0 {
        let error = std::io::Error::last_os_error();
        // SAFETY: unmaps exactly the mapping made above, which nothing refers to yet.
        unsafe { libc::munmap(ptr, CHUNK) };
        return Err(Refused::Unlockable(error));
    }
    // SAFETY: advice on the mapping just made; MADV_DONTDUMP changes no contents. Its failure
    // (an old kernel) only means a core dump could include the chunk, so it is ignored.
    unsafe { libc::madvise(ptr, CHUNK, libc::MADV_DONTDUMP) };
    Ok(ptr as usize)
}

/// One slot of a [`Slab`]: `len` bytes in use of its class's size. Wiped (all of it) on drop.
pub struct Slot {
    ptr: NonNull<u8>,
    len: usize,
    class: usize,
    slab: &'static Slab,
}

// SAFETY: a `Slot` owns its bytes exclusively (the slab hands each address to one `Slot` at a
// time), like a `Box<[u8]>`; the slab it returns them to is itself `Sync` (mutexes, atomics).
unsafe impl Send for Slot {}
// SAFETY: shared access only reads the bytes through `&self`; writing needs `&mut self`.
unsafe impl Sync for Slot {}

impl Slot {
    /// The bytes in use.
    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: `ptr` starts `CLASSES[class]` initialised bytes of a never-unmapped chunk that
        // only this slot refers to, and `len` is at most that size.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }

    /// The bytes in use, writable.
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: as in `as_slice`, and `&mut self` makes this the only reference.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }

    /// Shortens the bytes in use to `len` (no-op if longer) and wipes the bytes cut off.
    pub fn truncate(&mut self, len: usize) {
        if len < self.len {
            self.as_mut_slice()[len..].zeroize();
            self.len = len;
        }
    }

    /// Where the slot starts, for the slab's test hook (an address, not its contents).
    pub fn addr(&self) -> usize {
        self.ptr.as_ptr() as usize
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        // Wipe the whole slot, not only the bytes in use (a truncated tail is already wiped).
        self.len = CLASSES[self.class];
        self.as_mut_slice().zeroize();
        self.slab.release(self.class, self.addr());
    }
}

impl std::fmt::Debug for Slot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Slot(<redacted>)")
    }
}
