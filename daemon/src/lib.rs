//! latchkeyd: the Latchkey daemon as a library, so tests and benchmarks drive the same code the binary runs.
//!
//! The core (`otp`, `vault`, `accounts`) knows nothing of D-Bus; `bus` is a thin layer over it.

pub mod otp;
pub mod vault;
