//! The constants and field encodings every part of the vault file shares (the prefix, the
//! header and its slots), in a module that depends on none of them.

use super::crypto::{KEY_LEN, TAG_LEN};
use data_encoding::BASE64;

/// First eight bytes of every vault: tells a vault from any other file.
pub(crate) const MAGIC: &[u8; 8] = b"LATCHKEY";
/// The only format version this code reads and writes.
pub(crate) const VERSION: u16 = 1;
/// Length of a wrapped master key: the key plus its Poly1305 tag.
pub(crate) const WRAPPED_KEY_LEN: usize = KEY_LEN + TAG_LEN;

/// Decodes a base64 field, naming it (not its content) on failure.
pub(crate) fn decode(field: &str, text: &str) -> Result<Vec<u8>, String> {
    BASE64
        .decode(text.as_bytes())
        .map_err(|_| format!("{field} is not valid base64"))
}

/// Decodes a base64 field that must have an exact length.
pub(crate) fn decode_fixed<const N: usize>(field: &str, text: &str) -> Result<[u8; N], String> {
    let bytes = decode(field, text)?;
    let len = bytes.len();
    bytes
        .try_into()
        .map_err(|_| format!("{field} is {len} bytes, expected {N}"))
}

/// Caps a reason's length: serde messages may quote header text, which can be up to 1 MiB long.
pub(crate) fn short(reason: &str) -> String {
    const MAX: usize = 200;
    match reason.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &reason[..cut]),
        None => reason.to_owned(),
    }
}
