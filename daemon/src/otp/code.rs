//! A computed one-time code and the time window it is valid in.

use zeroize::Zeroizing;

/// A code ready to show; the window is `None` for HOTP, whose codes do not expire.
#[derive(Clone, PartialEq, Eq)]
pub struct Code {
    pub code: Zeroizing<String>,
    /// `(valid_from, valid_until)` in unix seconds, `valid_until` exclusive.
    pub window: Option<(u64, u64)>,
}

impl std::fmt::Debug for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Code").field("code", &"<redacted>").field("window", &self.window).finish()
    }
}
