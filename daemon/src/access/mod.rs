//! Who is calling: identity from the bus daemon and `/proc`, and remembered per-app consent.

pub mod adds;
pub mod backoff;
pub mod browser;
pub mod caller;
pub mod flatpak;
pub mod grants;
pub mod identity;
pub mod process;
pub mod script;

pub use caller::Caller;
pub use identity::{Identities, IdentityError};
