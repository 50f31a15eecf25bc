//! latchkeyd: the Latchkey daemon as a library, so tests and benchmarks drive the same code the binary runs.
//!
//! The core (`otp`, `vault`, `accounts`) knows nothing of D-Bus; `bus` is a thin layer over it.

pub mod access;
pub mod accounts;
pub mod activity;
pub mod approvals;
pub mod backup;
pub mod bus;
pub mod config;
pub mod export;
pub mod files;
pub mod import;
pub mod keyring;
pub mod lock;
pub mod logging;
pub mod memlock;
pub mod notifications;
pub mod notify;
pub mod otp;
pub mod paths;
pub mod push;
pub mod service;
pub mod settings;
pub mod state;
#[cfg(any(debug_assertions, feature = "test-hooks"))]
pub mod test_hooks;
pub mod throttle;
pub mod vault;
pub mod watchdog;
