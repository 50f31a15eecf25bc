//! Latchkey's own backups and `latchkey` exports: a vault file (docs/vault-format.md) opened with
//! the passphrase it was sealed with. Every account comes back with all its parameters.

use super::{Entries, ImportError};
use crate::accounts::Accounts;
use crate::vault::{CopyError, open_copy};

/// The name reports use.
pub(super) const FORMAT: &str = "Latchkey backup";

/// Opens the copy (runs Argon2id) and lists its accounts in their order.
pub(super) fn parse(bytes: &[u8], passphrase: Option<&[u8]>) -> Result<Entries, ImportError> {
    let passphrase = passphrase.ok_or(ImportError::PassphraseRequired(FORMAT))?;
    let opened = open_copy(bytes, passphrase).map_err(|e| match e {
        CopyError::BadPassphrase => ImportError::BadPassphrase(FORMAT),
        e => ImportError::malformed(FORMAT, e.to_string()),
    })?;
    let accounts = Accounts::from_body(&opened.body)
        .map_err(|e| ImportError::malformed(FORMAT, e.to_string()))?;
    Ok((super::entries(&accounts), vec![]))
}
