//! Percent-encoding for URI components: a strict decoder into wiped buffers, and the encode set.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
use zeroize::{Zeroize, Zeroizing};

use super::UriError;

/// Everything but RFC 3986 unreserved characters and `@` (kept for readable e-mail accounts) is
/// escaped, so `:`, `/`, `?`, `#`, `&`, `=`, `+`, `%` and spaces in labels and values are safe.
pub(super) const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'@');

/// Whether `+` stands for a space: yes in query values (form encoding), no in the label (path).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Plus {
    Space,
    Literal,
}

/// Decodes `%XX` escapes, refusing a `%` without two hex digits and non-UTF-8 results.
///
/// `part` names the component in errors (never its contents). The output buffer is sized to the
/// input up front and wiped on every path, because query values may be the secret.
pub(super) fn decode(
    raw: &str,
    plus: Plus,
    part: &'static str,
) -> Result<Zeroizing<String>, UriError> {
    let mut bytes = Zeroizing::new(Vec::with_capacity(raw.len()));
    let mut input = raw.bytes();
    while let Some(byte) = input.next() {
        match byte {
            b'%' => {
                let high = input.next().and_then(hex_value);
                let low = input.next().and_then(hex_value);
                match (high, low) {
                    (Some(high), Some(low)) => bytes.push(high << 4 | low),
                    _ => return Err(UriError::BadPercentEncoding(part)),
                }
            }
            b'+' if plus == Plus::Space => bytes.push(b' '),
            other => bytes.push(other),
        }
    }
    match String::from_utf8(std::mem::take(&mut *bytes)) {
        Ok(text) => Ok(Zeroizing::new(text)),
        Err(err) => {
            err.into_bytes().zeroize();
            Err(UriError::NotUtf8(part))
        }
    }
}

/// The value of one hex digit, either case.
fn hex_value(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|v| u8::try_from(v).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use percent_encoding::utf8_percent_encode;

    #[test]
    fn decodes_escapes_and_plus_by_context() {
        assert_eq!(
            decode("a%20b+c", Plus::Space, "x").unwrap().as_str(),
            "a b c"
        );
        assert_eq!(
            decode("a%2Bb+c", Plus::Literal, "x").unwrap().as_str(),
            "a+b+c"
        );
        assert_eq!(
            decode("caf%c3%A9", Plus::Literal, "x").unwrap().as_str(),
            "café"
        );
        assert_eq!(decode("já", Plus::Literal, "x").unwrap().as_str(), "já");
    }

    #[test]
    fn refuses_broken_escapes_and_bad_utf8() {
        for raw in ["%", "%4", "%zz", "a%g1"] {
            assert_eq!(
                decode(raw, Plus::Space, "label"),
                Err(UriError::BadPercentEncoding("label")),
                "{raw}"
            );
        }
        assert_eq!(
            decode("%FF", Plus::Space, "issuer"),
            Err(UriError::NotUtf8("issuer"))
        );
    }

    #[test]
    fn encode_set_round_trips() {
        let text = "A b+c:d/e?f#g&h=i%j@k.l~m_n-o é😀";
        let encoded = utf8_percent_encode(text, COMPONENT).to_string();
        assert!(!encoded.contains([' ', '+', ':', '/', '?', '#', '&', '=']));
        assert_eq!(decode(&encoded, Plus::Space, "x").unwrap().as_str(), text);
    }
}
