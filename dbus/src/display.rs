//! Text that came from another program — a requester's title and message, an app name, an
//! executable path — shown to a person. Such text could carry terminal escapes that erase or
//! rewrite what Latchkey prints, newlines that forge a line of their own, bidi controls that
//! reorder it, or enough length to push the real identity off screen. Every client shows it
//! through [`claim`]: one line, bounded, with each control character made visible.

/// Longest title shown, in characters.
pub const TITLE_MAX: usize = 200;
/// Longest message shown.
pub const MESSAGE_MAX: usize = 500;
/// Longest identity (label, path, app id) shown.
pub const IDENTITY_MAX: usize = 300;

/// `text` made safe to show on one line: C0/C1 controls, DEL, bidi overrides and invisible
/// format characters become visible escapes (`\u{1b}` → `\x1b`, U+202E → `\u{202e}`), line
/// breaks and tabs become spaces, and text longer than `max` characters is cut with "…".
pub fn claim(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max * 2));
    for (shown, c) in text.chars().enumerate() {
        if shown >= max {
            out.push('…');
            break;
        }
        match c {
            '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}' | '\u{85}' => out.push(' '),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c if is_invisible(c) => out.push_str(&format!("\\u{{{:04x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// [`claim`] in quotes, so that where a claim starts and ends is visible.
pub fn quoted(text: &str, max: usize) -> String {
    format!("\u{201c}{}\u{201d}", claim(text, max))
}

/// Format characters that change how text around them is shown without being seen: bidi
/// embeddings, overrides, isolates and marks, zero-width characters, the BOM.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{061c}'
            | '\u{feff}'
            | '\u{00ad}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_cannot_reach_the_terminal() {
        let shown = claim("ok\u{1b}[8mhidden\u{1b}[0m", 100);
        assert!(!shown.contains('\u{1b}'), "{shown}");
        assert_eq!(shown, "ok\\x1b[8mhidden\\x1b[0m");
    }

    #[test]
    fn a_claim_stays_on_one_line() {
        let shown = claim("Login\r\n    Requested by: privacyIDEA", 100);
        assert!(!shown.contains('\n') && !shown.contains('\r'), "{shown}");
    }

    #[test]
    fn bidi_and_invisible_characters_are_shown() {
        assert_eq!(claim("a\u{202e}b\u{200b}c", 100), "a\\u{202e}b\\u{200b}c");
        assert_eq!(claim("\u{9b}31m", 100), "\\x9b31m");
    }

    #[test]
    fn long_claims_are_cut() {
        let shown = claim(&"x".repeat(10_000), 20);
        assert_eq!(shown.chars().count(), 21);
        assert!(shown.ends_with('…'));
        assert_eq!(claim("short", 20), "short");
    }

    #[test]
    fn quoted_marks_the_ends() {
        assert_eq!(quoted("Firefox", 10), "\u{201c}Firefox\u{201d}");
    }
}
