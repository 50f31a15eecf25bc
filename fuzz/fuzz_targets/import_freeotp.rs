//! FreeOTP token XML and the FreeOTP 2 Java-serialized backup (no passphrase).
#![no_main]

use latchkey_core::import::{Format, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse(data, Format::FreeOtp, None);
});
