//! Client proxies for the daemon's interfaces; clients use these and nothing else to reach it.
//!
//! One module per interface; everything each `#[zbus::proxy]` generates (the proxies, their
//! blocking twins, signal streams and argument types) is re-exported here.

mod access;
mod approvals;
mod backup;
mod browser;
mod settings;
mod sync;
mod vault;

pub use access::*;
pub use approvals::*;
pub use backup::*;
pub use browser::*;
pub use settings::*;
pub use sync::*;
pub use vault::*;
