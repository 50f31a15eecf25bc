//! Restoring a backup (or a `latchkey` export): on a machine without a vault the file becomes
//! the vault; into an unlocked vault its accounts are merged like an import.
//!
//! Why two behaviours: on a fresh machine the backup *is* the vault, passphrase and all, so
//! nothing is re-encrypted and the user needs only the file and its passphrase. With a vault
//! already there, replacing it would silently drop whatever was added since the backup, so the
//! accounts are merged instead (duplicates skipped, all or nothing, one write) and the vault
//! keeps its own passphrase. A locked vault is refused: unlock it first.

use crate::accounts::Accounts;
use crate::import::entries;
use crate::state::ImportReport;
use crate::state::{StateError, VaultState};
use crate::vault::{CopyError, open_copy};
use zeroize::Zeroizing;

/// A backup whose passphrase was checked and whose accounts were read.
pub struct CheckedBackup {
    bytes: Zeroizing<Vec<u8>>,
    accounts: Accounts,
}

impl std::fmt::Debug for CheckedBackup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CheckedBackup(<redacted>)")
    }
}

/// What a restore did.
#[derive(Debug)]
pub enum Restored {
    /// There was no vault: the backup became it, unlocked, with this many accounts.
    Created(u32),
    /// The accounts were merged into the unlocked vault.
    Merged(ImportReport),
}

/// Why a restore was refused; nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error(transparent)]
    Backup(#[from] CopyError),
    #[error("the backup opened but its contents cannot be read ({0})")]
    Contents(String),
    #[error(transparent)]
    State(#[from] StateError),
    #[error("{0} account(s) of the backup cannot be added; nothing was restored")]
    Unaddable(usize),
}

/// Opens `bytes` with `passphrase` (runs Argon2id; call off the dispatcher) and reads the
/// accounts, so damage is found before anything is touched.
pub fn check(bytes: Zeroizing<Vec<u8>>, passphrase: &[u8]) -> Result<CheckedBackup, RestoreError> {
    let opened = open_copy(&bytes, passphrase)?;
    let accounts =
        Accounts::from_body(&opened.body).map_err(|e| RestoreError::Contents(e.to_string()))?;
    Ok(CheckedBackup { bytes, accounts })
}

impl VaultState {
    /// Applies a checked backup: becomes the vault when there is none, merges when unlocked.
    ///
    /// On a fresh machine this installs the file and unlocks it with `passphrase` (a second
    /// Argon2id run): call from a blocking context.
    pub fn restore(
        &mut self,
        backup: CheckedBackup,
        passphrase: &[u8],
    ) -> Result<Restored, RestoreError> {
        if !self.initialized() {
            self.store()
                .install_copy(&backup.bytes)
                .map_err(StateError::from)?;
            self.mark_initialized();
            let (session, body) = self.store().unlock(passphrase).map_err(StateError::from)?;
            self.finish_unlock(session, &body)?;
            return Ok(Restored::Created(self.account_count()));
        }
        if self.locked() {
            return Err(StateError::Locked.into());
        }
        Ok(Restored::Merged(
            self.import(entries(&backup.accounts), false)?,
        ))
    }
}
