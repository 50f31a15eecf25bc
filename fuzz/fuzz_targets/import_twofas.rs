//! 2FAS backups, plain and encrypted (10,000 PBKDF2 rounds per encrypted input).
#![no_main]

use latchkey_core::import::{Format, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse(data, Format::TwoFas, Some(b"fuzz"));
});
