//! Microsoft Authenticator SQLite databases.
#![no_main]

use latchkey_core::import::{Format, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse(data, Format::Microsoft, None);
});
