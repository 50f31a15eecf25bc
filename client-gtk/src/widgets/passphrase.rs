//! A new passphrase's quality, judged the same way wherever one is chosen (the first run,
//! changing it): at least [`MIN_LENGTH`] characters, the same twice, and a strength hint.

use crate::i18n::{fill, gettext};

/// Fewest characters the app accepts for a new passphrase.
pub const MIN_LENGTH: usize = 8;

/// How hard a passphrase is to guess, roughly: its length times the bits of the character
/// classes it uses, halved when it repeats itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Strength {
    TooShort,
    Weak,
    Fair,
    Strong,
}

/// The strength of `passphrase`.
pub fn strength(passphrase: &str) -> Strength {
    let chars: Vec<char> = passphrase.chars().collect();
    if chars.len() < MIN_LENGTH {
        return Strength::TooShort;
    }
    let mut pool = 0u32;
    if chars.iter().any(|c| c.is_lowercase()) {
        pool += 26;
    }
    if chars.iter().any(|c| c.is_uppercase()) {
        pool += 26;
    }
    if chars.iter().any(|c| c.is_ascii_digit()) {
        pool += 10;
    }
    if chars.iter().any(|c| !c.is_alphanumeric()) {
        pool += 33;
    }
    let mut bits = chars.len() as f64 * f64::from(pool.max(2)).log2();
    let mut unique = chars.clone();
    unique.sort_unstable();
    unique.dedup();
    if unique.len() * 2 < chars.len() {
        bits /= 2.0;
    }
    match bits {
        b if b < 50.0 => Strength::Weak,
        b if b < 75.0 => Strength::Fair,
        _ => Strength::Strong,
    }
}

/// What the app says of a new passphrase typed as `first` and repeated as `second`.
pub struct Verdict {
    /// 0 (nothing or too short) to 4 (strong), for a level bar.
    pub level: f64,
    /// A sentence for the user, or nothing while the field is empty.
    pub hint: String,
    /// Whether it may be used: long enough, and the same twice.
    pub usable: bool,
}

/// Judges a new passphrase.
pub fn judge(first: &str, second: &str) -> Verdict {
    let s = strength(first);
    let level = match s {
        _ if first.is_empty() => 0.0,
        Strength::TooShort => 0.0,
        Strength::Weak => 1.0,
        Strength::Fair => 2.0,
        Strength::Strong => 4.0,
    };
    let hint = if first.is_empty() {
        String::new()
    } else if !second.is_empty() && first != second {
        gettext("The two passphrases differ.")
    } else {
        match s {
            Strength::TooShort => fill(
                &gettext("Use at least {n} characters."),
                &[("n", &MIN_LENGTH.to_string())],
            ),
            Strength::Weak => gettext(
                "Weak: a longer passphrase, such as four or five random words, is much harder \
                 to guess.",
            ),
            Strength::Fair => gettext("Fair: another word or two makes it much stronger."),
            Strength::Strong => gettext("Strong."),
        }
    };
    Verdict {
        level,
        hint,
        usable: s >= Strength::Weak && first == second,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strength_grows_with_length_and_variety() {
        assert_eq!(strength(""), Strength::TooShort);
        assert_eq!(strength("abc1234"), Strength::TooShort);
        assert_eq!(strength("abcdefgh"), Strength::Weak);
        assert_eq!(strength("aaaaaaaaaaaaaaaaaaaa"), Strength::Weak, "repeats");
        assert_eq!(strength("Tr0ub4dor&3"), Strength::Fair);
        assert_eq!(strength("correct horse battery staple"), Strength::Strong);
    }
}
