//! The work behind `Backup.Export`: check the passphrase again (throttled like unlock), then
//! render the accounts off the dispatcher. The caller was already checked to be our own client.

use super::{SharedState, lock_state, to_dbus_error};
use crate::export::{ExportError, Format, render};
use crate::state::{StateError, unix_now};
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
/// A wrong passphrase is counted by the same persisted throttle as failed unlocks, so exports
/// cannot be used to guess it faster; the caller serialises calls.
pub async fn run(
    state: &SharedState,
    format: &str,
    passphrase: Zeroizing<String>,
    plaintext: bool,
) -> Result<Exported, Error> {
    let format = Format::from_name(format).map_err(to_error)?;
    format.check_plaintext(plaintext).map_err(to_error)?;
    let check = {
        let s = lock_state(state);
        let check = s.session().map_err(to_dbus_error)?.passphrase_check();
        s.throttle()
            .check(unix_now())
            .map_err(|secs| to_dbus_error(StateError::RateLimited(secs)))?;
        check.map_err(|e| to_dbus_error(e.into()))?
    };
    let pass = passphrase.clone();
    let verified = blocking(move || check.verify(pass.as_bytes())).await?;
    if let Err(e) = verified {
        let e = StateError::from(e);
        if matches!(e, StateError::BadPassphrase) {
            lock_state(state).record_bad_passphrase();
        }
        return Err(to_dbus_error(e));
    }
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
            render(format, plaintext, &accounts, passphrase.as_bytes())
                .map_err(|e| StateError::InvalidArgument(e.to_string()))?
        };
        Ok::<_, StateError>(Exported {
            data,
            format,
            count,
        })
    })
    .await?
    .map_err(to_dbus_error)
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, Error> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Storage(format!("internal error: {e}")))
}

fn to_error(e: ExportError) -> Error {
    Error::InvalidArgument(e.to_string())
}
