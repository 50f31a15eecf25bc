//! The native-messaging frame: a 32-bit length in the machine's byte order, then that many bytes
//! of UTF-8 JSON, in both directions on the host's stdin and stdout.
//!
//! The protocol lets a browser send up to 4 GiB and the host answer up to 1 MiB. Our requests
//! are a few hundred bytes, so a message over [`MAX_REQUEST`] is refused with a named error
//! without ever being held in memory: its bytes are read and dropped, so the next message is
//! read from its own start. A reply over [`MAX_REPLY`] is never written (the browser would
//! close the port).

use std::io::{self, Read, Write};

/// Largest message accepted from the browser, in bytes.
pub const MAX_REQUEST: u32 = 64 * 1024;
/// Largest message a browser accepts from a host, in bytes.
pub const MAX_REPLY: usize = 1024 * 1024;

/// Why a message could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The stream ended inside a message (the browser closed the pipe mid-write).
    #[error("the message was cut off: {got} of {wanted} bytes arrived")]
    Truncated { wanted: u64, got: u64 },
    /// A message longer than the host reads; it was skipped.
    #[error("a message of {len} bytes was refused: at most {MAX_REQUEST} bytes are read")]
    TooLarge { len: u32 },
    /// A reply longer than browsers accept; it was not sent.
    #[error("a reply of {len} bytes was not sent: browsers accept at most {MAX_REPLY} bytes")]
    ReplyTooLarge { len: usize },
    #[error("reading or writing the browser's pipe failed: {0}")]
    Io(#[from] io::Error),
}

/// Reads the next message: `Ok(None)` at the end of the stream between messages. A message over
/// [`MAX_REQUEST`] is consumed and refused as [`FrameError::TooLarge`]; the stream stays in step.
pub fn read_frame(input: &mut impl Read) -> Result<Option<Vec<u8>>, FrameError> {
    let mut header = [0u8; 4];
    let got = read_full(input, &mut header)?;
    if got == 0 {
        return Ok(None);
    }
    if got < header.len() {
        return Err(FrameError::Truncated {
            wanted: 4,
            got: got as u64,
        });
    }
    let len = u32::from_ne_bytes(header);
    if len > MAX_REQUEST {
        let skipped = io::copy(&mut input.take(u64::from(len)), &mut io::sink())?;
        if skipped < u64::from(len) {
            return Err(FrameError::Truncated {
                wanted: u64::from(len),
                got: skipped,
            });
        }
        return Err(FrameError::TooLarge { len });
    }
    let mut body = vec![0u8; len as usize];
    let got = read_full(input, &mut body)?;
    if got < body.len() {
        return Err(FrameError::Truncated {
            wanted: u64::from(len),
            got: got as u64,
        });
    }
    Ok(Some(body))
}

/// Writes one message and flushes it, or refuses one over [`MAX_REPLY`] without writing.
pub fn write_frame(output: &mut impl Write, message: &[u8]) -> Result<(), FrameError> {
    if message.len() > MAX_REPLY {
        return Err(FrameError::ReplyTooLarge { len: message.len() });
    }
    let len = u32::try_from(message.len())
        .map_err(|_| FrameError::ReplyTooLarge { len: message.len() })?;
    output.write_all(&len.to_ne_bytes())?;
    output.write_all(message)?;
    output.flush()?;
    Ok(())
}

/// Reads until `buf` is full or the stream ends; returns how many bytes arrived.
fn read_full(input: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn frame(body: &[u8]) -> Vec<u8> {
        let mut out = (body.len() as u32).to_ne_bytes().to_vec();
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn messages_are_read_one_after_another_and_the_end_is_clean() {
        let mut stream = frame(b"{\"a\":1}");
        stream.extend(frame(b"{}"));
        let mut input = Cursor::new(stream);
        assert_eq!(
            read_frame(&mut input).expect("first"),
            Some(b"{\"a\":1}".to_vec())
        );
        assert_eq!(
            read_frame(&mut input).expect("second"),
            Some(b"{}".to_vec())
        );
        assert_eq!(read_frame(&mut input).expect("end"), None);
    }

    #[test]
    fn an_oversized_message_is_skipped_and_the_next_one_read() {
        let big = vec![b' '; MAX_REQUEST as usize + 1];
        let mut stream = frame(&big);
        stream.extend(frame(b"{}"));
        let mut input = Cursor::new(stream);
        assert!(matches!(
            read_frame(&mut input),
            Err(FrameError::TooLarge { len }) if len == MAX_REQUEST + 1
        ));
        assert_eq!(read_frame(&mut input).expect("next"), Some(b"{}".to_vec()));
    }

    #[test]
    fn a_4_gib_header_allocates_nothing_and_is_cut_off() {
        // The largest length the protocol allows, with a few bytes behind it.
        let mut stream = u32::MAX.to_ne_bytes().to_vec();
        stream.extend_from_slice(b"abc");
        let e = read_frame(&mut Cursor::new(stream)).expect_err("refused");
        assert!(
            matches!(e, FrameError::Truncated { wanted, got: 3 } if wanted == u64::from(u32::MAX)),
            "{e}"
        );
    }

    #[test]
    fn cut_off_headers_and_bodies_are_named() {
        let e = read_frame(&mut Cursor::new(vec![1u8, 0])).expect_err("short header");
        assert_eq!(
            e.to_string(),
            "the message was cut off: 2 of 4 bytes arrived"
        );
        let mut stream = 10u32.to_ne_bytes().to_vec();
        stream.extend_from_slice(b"{\"a\"");
        let e = read_frame(&mut Cursor::new(stream)).expect_err("short body");
        assert!(matches!(e, FrameError::Truncated { wanted: 10, got: 4 }));
    }

    #[test]
    fn replies_are_framed_and_oversized_ones_never_written() {
        let mut out = Vec::new();
        write_frame(&mut out, b"{\"ok\":true}").expect("written");
        assert_eq!(out, frame(b"{\"ok\":true}"));
        let mut out = Vec::new();
        let big = vec![b'x'; MAX_REPLY + 1];
        assert!(matches!(
            write_frame(&mut out, &big),
            Err(FrameError::ReplyTooLarge { .. })
        ));
        assert!(out.is_empty(), "part of an oversized reply was written");
        write_frame(&mut out, &big[..MAX_REPLY]).expect("exactly 1 MiB is allowed");
    }
}
