//! Authy shared preferences, decrypted with a passphrase (1,000 PBKDF2 rounds per token).
#![no_main]

use latchkey_core::import::{Format, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse(data, Format::Authy, Some(b"test"));
});
