//! andOTP backups: plain JSON, and the encrypted header when its round count is small (larger
//! ones are real work, not parsing; the cap itself is tested in the daemon's unit tests).
#![no_main]

use latchkey_core::import::{Format, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let rounds = data
        .get(..4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        .unwrap_or(0);
    let pass: Option<&[u8]> = (rounds <= 64).then_some(b"fuzz");
    let _ = parse(data, Format::AndOtp, pass);
});
