//! Ente Auth: plain text, and the encrypted export up to its passphrase.
#![no_main]

use latchkey_core::import::{Format, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse(data, Format::Ente, None);
});
