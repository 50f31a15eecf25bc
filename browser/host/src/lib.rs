//! latchkey-browser-host as a library: the native-messaging frames, the protocol's messages and
//! the host manifests, with no D-Bus, so the fuzz target and the CLI link them alone.
//!
//! The program (`main.rs`, feature `host`) reads requests from the browser on stdin, asks
//! latchkeyd's `Browser` interface, and writes the replies on stdout. It keeps nothing on disk
//! and nothing between requests; a code passes through in buffers wiped when dropped.

pub mod framing;
pub mod manifest;
pub mod protocol;
