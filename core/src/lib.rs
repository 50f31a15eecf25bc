//! latchkey-core: what Latchkey knows about one-time passwords and files, with no D-Bus and no
//! async runtime, so the compiler keeps the daemon's layers apart and the fuzz targets link the
//! parsers alone.
//!
//! Everything here is synchronous and pure apart from file I/O on paths it is given: it computes
//! codes, seals and opens the vault file, and turns other apps' exports into accounts and back.
//! Deciding when to do so (locking, consent, approvals) belongs to the daemon.

pub mod accounts;
pub mod body;
pub mod export;
pub mod files;
pub mod follow;
pub mod import;
pub mod memlock;
pub mod otp;
pub mod sites;
pub mod sync;
pub mod vault;
