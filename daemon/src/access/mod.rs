//! Who is calling: identity from the bus daemon, and (later) per-app consent for codes.

pub mod adds;
pub mod grants;
pub mod identity;

pub use identity::Identities;
