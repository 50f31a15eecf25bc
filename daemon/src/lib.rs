//! latchkeyd: the Latchkey daemon as a library, so tests and benchmarks drive the same code the binary runs.
//!
//! The core (codes, the vault file, the import and export formats) is the `latchkey-core` crate,
//! re-exported here under its module names; `bus` is a thin layer over the state and services.

pub use latchkey_core::{accounts, export, files, import, memlock, otp, sites, vault};

pub mod access;
pub mod activity;
pub mod approvals;
pub mod autolock;
pub mod backup;
pub mod bus;
pub mod catalog;
pub mod clock;
pub mod events;
pub mod keyring;
pub mod logging;
pub mod notifications;
pub mod paths;
pub mod push;
pub mod service;
pub mod settings;
pub mod state;
pub mod sync;
pub mod systemd;
#[cfg(any(debug_assertions, feature = "test-hooks"))]
pub mod test_hooks;
pub mod throttle;
