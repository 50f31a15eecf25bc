//! The work behind `Backup.Export`: check the passphrase again (through the passphrase gate), then
//! render the accounts off the dispatcher. The caller was already checked to be our own client.

use super::passphrase::{Action, Attempter, PassphraseGate};
use super::{SharedState, blocking, lock_state};
use crate::export::{Format, render};
use crate::state::StateError;
use latchkey_dbus::Error;
use zeroize::Zeroizing;

/// What the interface reports about a finished export.
pub struct Exported {
    /// The file's bytes (secrets in the clear for plaintext formats).
    pub data: Zeroizing<Vec<u8>>,
    /// The format actually written.
    pub format: Format,
    /// How many accounts it holds.
    pub count: usize,
}

/// Exports every account in `format` after `passphrase` opened the vault's passphrase slot.
///
/// The passphrase is checked through the passphrase gate, like an unlock: same delay, same
/// count, same report, so exports cannot be used to guess it faster.
pub async fn run(
    state: &SharedState,
    passphrases: &PassphraseGate,
    who: &Attempter,
    format: &str,
    passphrase: Zeroizing<String>,
    plaintext: bool,
) -> Result<Exported, Error> {
    let format = Format::from_name(format).map_err(StateError::from)?;
    format
        .check_plaintext(plaintext)
        .map_err(StateError::from)?;
    let pass = passphrase.clone();
    passphrases
        .attempt(
            who,
            Action::Export,
            |s| Ok(s.session()?.passphrase_check()?),
            move |check| Ok(check.verify(pass.as_bytes())?),
        )
        .await?;
    let state = state.clone();
    blocking(move || {
        let s = lock_state(&state);
        s.touch();
        let count = s.account_count() as usize;
        let data = if format == Format::Latchkey {
            Zeroizing::new(s.with_body(|session, body, n| session.seal_copy(body, n))??)
        } else {
            let accounts: Vec<_> = s.accounts()?.cloned().collect();
            // Rendering runs scrypt for encrypted Aegis files: do not hold the state meanwhile.
            drop(s);
            render(format, plaintext, &accounts, passphrase.as_bytes())?
        };
        Ok::<_, StateError>(Exported {
            data,
            format,
            count,
        })
    })
    .await?
    .map_err(Error::from)
}
