//! Redaction for text that leaves the machine (bug reports): anything that could be a seed or a code.
//!
//! Removed: the value of every `secret=` parameter; runs of 16 or more base32 characters
//! (`[A-Za-z2-7]`, any case, with their `=` padding) or hex digits; and numbers of 6 to 10 digits, which could be codes.
//! It errs on the side of removing too much: long words and long numbers may go as well.

/// What replaces each removed span.
pub const MARK: &str = "[redacted]";

/// Shortest base32 or hex run that is removed.
const MIN_SEED_RUN: usize = 16;
/// Digit runs of these lengths could be one-time codes.
const CODE_DIGITS: std::ops::RangeInclusive<usize> = 6..=10;

/// Returns `text` with possible seeds and codes replaced by [`MARK`].
pub fn redact(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut hide = vec![false; chars.len()];
    mark_secret_params(&chars, &mut hide);
    mark_base32(&chars, &mut hide);
    mark_runs(
        &chars,
        &mut hide,
        |c| c.is_ascii_hexdigit(),
        MIN_SEED_RUN..=usize::MAX,
    );
    mark_runs(&chars, &mut hide, |c| c.is_ascii_digit(), CODE_DIGITS);
    let mut out = String::with_capacity(text.len());
    let mut in_mark = false;
    for (c, hidden) in chars.iter().zip(&hide) {
        if *hidden {
            if !in_mark {
                out.push_str(MARK);
            }
            in_mark = true;
        } else {
            out.push(*c);
            in_mark = false;
        }
    }
    out
}

fn is_base32(c: char) -> bool {
    c.is_ascii_alphabetic() || ('2'..='7').contains(&c)
}

/// Hides base32 runs of [`MIN_SEED_RUN`] or more characters with their `=` padding (only at the
/// end, so `secret=` before a seed stays readable).
fn mark_base32(chars: &[char], hide: &mut [bool]) {
    mark_runs(chars, hide, is_base32, MIN_SEED_RUN..=usize::MAX);
    for i in 1..chars.len() {
        if chars[i] == '=' && hide[i - 1] && (is_base32(chars[i - 1]) || chars[i - 1] == '=') {
            hide[i] = true;
        }
    }
}

/// Hides every maximal run of characters matching `class` whose length is in `lengths`.
fn mark_runs(
    chars: &[char],
    hide: &mut [bool],
    class: impl Fn(char) -> bool,
    lengths: std::ops::RangeInclusive<usize>,
) {
    let mut start = 0;
    while start < chars.len() {
        if !class(chars[start]) {
            start += 1;
            continue;
        }
        let mut end = start;
        while end < chars.len() && class(chars[end]) {
            end += 1;
        }
        if lengths.contains(&(end - start)) {
            hide[start..end].iter_mut().for_each(|h| *h = true);
        }
        start = end;
    }
}

/// Hides the value after each case-insensitive `secret=`, up to a URI or text delimiter.
fn mark_secret_params(chars: &[char], hide: &mut [bool]) {
    const KEY: &str = "secret=";
    let key: Vec<char> = KEY.chars().collect();
    let mut i = 0;
    while i + key.len() <= chars.len() {
        let matches = chars[i..i + key.len()]
            .iter()
            .zip(&key)
            .all(|(a, b)| a.to_ascii_lowercase() == *b);
        if !matches {
            i += 1;
            continue;
        }
        let mut end = i + key.len();
        // Already redacted: leave the mark whole, so redacting twice changes nothing.
        let mark: Vec<char> = MARK.chars().collect();
        if chars[end..].starts_with(&mark) {
            i = end + mark.len();
            continue;
        }
        while end < chars.len() && !is_delimiter(chars[end]) {
            hide[end] = true;
            end += 1;
        }
        i = end;
    }
}

fn is_delimiter(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '&' | '#' | '"' | '\'' | '<' | '>' | ')' | ']' | '}' | ',' | ';'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_base32_runs_in_any_case() {
        let r = redact("seed JBSWY3DPEHPK3PXP and gezdgnbvgy3tqojqgezdgnbvgy3tqojq end");
        assert_eq!(r, format!("seed {MARK} and {MARK} end"));
        // Padding counts as base32; a run glued to other characters is still found.
        assert_eq!(redact("x:MFRGGZDFMZTWQ2LK===;"), format!("x:{MARK};"));
        assert_eq!(redact("9JBSWY3DPEHPK3PXP9"), format!("9{MARK}9"));
    }

    #[test]
    fn keeps_shorter_runs_and_ordinary_text() {
        let text = "Vault: unlocked, accounts: 3, latchkeyd 0.1.0, Linux 6.1.0-18-amd64 (PID 4242)";
        assert_eq!(redact(text), text);
        assert_eq!(
            redact("JBSWY3DPEHPK3PX"),
            "JBSWY3DPEHPK3PX",
            "15 characters stay"
        );
        let ids = "account_id=0b6f3c2e-8d1a-4f4e-9c3b-5a7d2e1f0c9a";
        assert_eq!(redact(ids), ids, "UUIDs are not seeds");
    }

    #[test]
    fn removes_secret_parameters_of_any_length() {
        let r = redact("otpauth://totp/X:y?secret=ABC&issuer=X and SECRET=JBSW");
        assert_eq!(
            r,
            format!("otpauth://totp/X:y?secret={MARK}&issuer=X and SECRET={MARK}")
        );
        assert_eq!(
            redact("secret=\n"),
            "secret=\n",
            "an empty value stays empty"
        );
    }

    #[test]
    fn removes_hex_seeds() {
        let hex = "3132333435363738393031323334353637383930";
        assert_eq!(redact(&format!("key {hex}.")), format!("key {MARK}."));
        assert_eq!(redact("DEADBEEF00112233"), MARK);
    }

    #[test]
    fn removes_numbers_that_could_be_codes() {
        for code in ["123456", "1234567", "12345678", "123456789", "1234567890"] {
            assert_eq!(
                redact(&format!("code {code} now")),
                format!("code {MARK} now"),
                "{code}"
            );
        }
        assert_eq!(redact("12345"), "12345", "5 digits stay");
        assert_eq!(
            redact("12345678901"),
            "12345678901",
            "11 digits are not a code"
        );
        assert_eq!(
            redact("2026-11-24T16:27:15+0000"),
            "2026-11-24T16:27:15+0000"
        );
    }

    #[test]
    fn multibyte_text_survives_and_redaction_is_idempotent() {
        let text = "✓ vault — secret=JBSWY3DPEHPK3PXP ✗ 987654";
        let once = redact(text);
        assert_eq!(once, format!("✓ vault — secret={MARK} ✗ {MARK}"));
        assert_eq!(redact(&once), once);
    }
}
