//! Sync between the user's machines through a folder they already sync (docs/sync.md).
//!
//! Each device writes only its own replica file; every device merges every replica. A replica
//! carries the whole replicated document — each account field a last-writer-wins register
//! stamped by a hybrid logical clock, removals as tombstones, HOTP counters as maxima, and the
//! member devices — sealed for the member devices and signed by its writer. Because merging is
//! a join, replicas can arrive in any order, twice, or not at all and every device still ends
//! with the same accounts; because every replica is signed and sealed, the folder (and the
//! engine that carries it) learns nothing and can forge nothing.
//!
//! Pure code: no threads, no clock of its own (callers pass the time), no file access.

pub mod clock;
pub mod device;
pub mod doc;
pub mod invite;
pub mod record;
pub mod seal;
pub mod state;

pub use clock::{Clock, Stamp};
pub use device::{DeviceId, Identity, PublicKeys};
pub use doc::{Changes, Doc, Member};
pub use invite::{Code, InviteError, JoinError, Request};
pub use record::Record;
pub use seal::SealError;
pub use state::{ImportError, Joining, Merged, Peer, State};

/// Fills `buf` from the OS generator.
fn random_fill(buf: &mut [u8]) -> Result<(), std::io::Error> {
    use rand::RngCore;
    rand::rngs::OsRng
        .try_fill_bytes(buf)
        .map_err(std::io::Error::other)
}
