//! Exporting every account: the vault format as a sealed copy, other formats rendered by the
//! core. The passphrase was checked before (through the passphrase gate, like an unlock).

use super::{SharedState, StateError, lock_state};
use crate::export::{Format, render};
use zeroize::Zeroizing;

/// A finished export.
pub struct Exported {
    /// The file's bytes (secrets in the clear for plaintext formats).
    pub data: Zeroizing<Vec<u8>>,
    /// The format actually written.
    pub format: Format,
    /// How many accounts it holds.
    pub count: usize,
}

/// The format named `name`, if it may be written as asked (`plaintext` for unencrypted ones).
pub fn format(name: &str, plaintext: bool) -> Result<Format, StateError> {
    let format = Format::from_name(name)?;
    format.check_plaintext(plaintext)?;
    Ok(format)
}

/// Renders every account in `format`; a blocking call (an encrypted Aegis file runs scrypt,
/// without holding the state).
pub fn render_all(
    state: &SharedState,
    format: Format,
    plaintext: bool,
    passphrase: &[u8],
) -> Result<Exported, StateError> {
    let s = lock_state(state);
    s.touch();
    let count = s.account_count() as usize;
    let data = if format == Format::Latchkey {
        Zeroizing::new(s.with_body(|session, body, n| session.seal_copy(body, n))??)
    } else {
        let accounts: Vec<_> = s.accounts()?.cloned().collect();
        drop(s);
        render(format, plaintext, &accounts, passphrase)?
    };
    Ok(Exported {
        data,
        format,
        count,
    })
}
