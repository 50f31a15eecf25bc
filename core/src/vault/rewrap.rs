//! Changing the passphrase in two steps, so neither Argon2id run holds the session: a detached
//! [`PassphraseChange`] checks the old passphrase and wraps the master key under the new one
//! (both KDF runs, anywhere), then [`Store::install_passphrase`] puts the new slot on the
//! session with one ordinary write, refusing if the slot changed in between.

use super::copy::PassphraseCheck;
use super::header::PassphraseSlot;
use super::store::{Session, Store};
use super::{KdfParams, VaultError};

/// What a passphrase change needs from the session, detached from it (the master key copy is
/// wiped on drop). `Debug` is redacted.
pub struct PassphraseChange {
    check: PassphraseCheck,
    kdf: KdfParams,
}

/// A new passphrase slot wrapping the session's master key, and the slot it replaces.
pub struct Rewrapped {
    replaces: PassphraseSlot,
    slot: PassphraseSlot,
}

impl std::fmt::Debug for PassphraseChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PassphraseChange(<redacted>)")
    }
}

impl std::fmt::Debug for Rewrapped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Rewrapped(<redacted>)")
    }
}

impl Session {
    /// Detaches what changing the passphrase to one with cost `kdf` needs; no KDF runs.
    pub fn passphrase_change(&self, kdf: KdfParams) -> Result<PassphraseChange, VaultError> {
        kdf.check_for_new_vault()?;
        Ok(PassphraseChange {
            check: self.passphrase_check()?,
            kdf,
        })
    }
}

impl PassphraseChange {
    /// Checks `old` against the slot, then wraps the master key under `new`: runs the KDF twice,
    /// so call it from a blocking context and without holding any lock others wait for.
    pub fn rewrap(self, old: &[u8], new: &[u8]) -> Result<Rewrapped, VaultError> {
        self.check.verify(old)?;
        let slot = PassphraseSlot::wrap(new, self.kdf, &self.check.expected)?;
        Ok(Rewrapped {
            replaces: self.check.slot,
            slot,
        })
    }
}

impl Store {
    /// Installs a slot made by [`PassphraseChange::rewrap`] and rewrites the file (no KDF runs).
    /// Refuses with `PassphraseChangedMeanwhile` if the session's passphrase slot is no longer
    /// the one the old passphrase was checked against.
    pub fn install_passphrase(
        &self,
        session: &mut Session,
        rewrapped: Rewrapped,
        body: &[u8],
        account_count: u32,
    ) -> Result<(), VaultError> {
        let current = session
            .header
            .passphrase_slot()
            .map_err(|r| self.corrupted(r))?;
        if *current != rewrapped.replaces {
            return Err(VaultError::PassphraseChangedMeanwhile);
        }
        let mut header = session.header.clone();
        header.set_passphrase_slot(rewrapped.slot);
        self.write(session, header, body, account_count)
    }
}
