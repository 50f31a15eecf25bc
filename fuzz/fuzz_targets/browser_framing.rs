//! The browser host's input: native-messaging frames read one after another until the stream
//! ends or breaks, each message parsed as a request and every refusal written as a reply frame.
#![no_main]

use latchkey_browser_host::framing::{FrameError, MAX_REQUEST, read_frame, write_frame};
use latchkey_browser_host::protocol::{HostError, parse, refusal};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut input = data;
    let mut out = Vec::new();
    loop {
        let before = input.len();
        match read_frame(&mut input) {
            Ok(None) => break,
            Ok(Some(message)) => {
                assert!(message.len() <= MAX_REQUEST as usize);
                if let Err((id, e)) = parse(&message) {
                    assert!(write_frame(&mut out, &refusal(id, &e)).is_ok());
                }
            }
            Err(e @ FrameError::TooLarge { .. }) => {
                let e = HostError::MessageTooLarge(e.to_string());
                assert!(write_frame(&mut out, &refusal(None, &e)).is_ok());
            }
            Err(_) => break,
        }
        // Every frame read consumes input: the loop ends.
        assert!(input.len() < before);
    }
});
