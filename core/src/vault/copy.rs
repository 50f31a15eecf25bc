//! Standalone copies of the vault (automatic backups and `latchkey` exports), and checking the
//! passphrase again for an export.
//!
//! A copy is a complete vault file in the same format, holding **only the passphrase slot**: no
//! keyring slot (a copy must never depend on this machine's login keyring) and no unknown slots.
//! It wraps the same master key as the vault, so writing one needs no KDF run and no passphrase:
//! the passphrase that opens the vault at the time of the copy opens the copy.

use super::crypto::{self, MasterKey};
use super::format::{self, MAX_FILE_LEN, Malformed};
use super::header::{Header, PassphraseSlot, Slot};
use super::store::{Session, Store};
use super::{KdfParams, VaultError, atomic};
use std::path::Path;
use zeroize::Zeroizing;

/// What a copy holds once opened: its body and what the header says.
pub struct OpenedCopy {
    /// The decrypted body (the accounts), wiped on drop.
    pub body: Zeroizing<Vec<u8>>,
    /// Account count from the header.
    pub account_count: u32,
    /// KDF cost of the copy's passphrase slot.
    pub kdf: KdfParams,
}

/// Checks a passphrase against a session's passphrase slot without holding the session: the
/// slot and a copy of the master key (wiped on drop), so the slow KDF can run unlocked.
pub struct PassphraseCheck {
    pub(super) slot: PassphraseSlot,
    pub(super) expected: MasterKey,
}

impl std::fmt::Debug for PassphraseCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PassphraseCheck(<redacted>)")
    }
}

impl PassphraseCheck {
    /// `Ok` if `passphrase` opens the slot and yields this session's master key; runs the KDF.
    pub fn verify(&self, passphrase: &[u8]) -> Result<(), VaultError> {
        let key = self
            .slot
            .unwrap_key(passphrase)
            .map_err(VaultError::InvalidKdfParams)?
            .ok_or(VaultError::BadPassphrase)?;
        if crypto::ct_eq(key.as_ref(), self.expected.as_ref()) {
            Ok(())
        } else {
            Err(VaultError::BadPassphrase)
        }
    }
}

impl Session {
    /// What checking the passphrase again needs (for exports), detached from the session.
    pub fn passphrase_check(&self) -> Result<PassphraseCheck, VaultError> {
        let slot = self
            .header
            .passphrase_slot()
            .map_err(|_| VaultError::Internal("the session has no passphrase slot"))?
            .clone();
        Ok(PassphraseCheck {
            slot,
            expected: self.master_key.clone(),
        })
    }

    /// A complete vault file sealing `body` with only this session's passphrase slot and a fresh
    /// nonce. No KDF runs.
    pub fn seal_copy(&self, body: &[u8], account_count: u32) -> Result<Vec<u8>, VaultError> {
        let slot = self
            .header
            .passphrase_slot()
            .map_err(|_| VaultError::Internal("the session has no passphrase slot"))?
            .clone();
        let header = Header {
            body_nonce: crypto::random_array().map_err(VaultError::Random)?,
            account_count,
            slots: vec![Slot::Passphrase(slot)],
        };
        Ok(format::encode(&header, &self.master_key, body)?.0)
    }
}

/// Why bytes offered as a copy cannot be opened; the message names the fault, never a secret.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// Not a Latchkey file at all.
    #[error("this is not a Latchkey backup (it does not start with LATCHKEY)")]
    NotACopy,
    /// Written by a newer Latchkey.
    #[error("this backup has format version {0}, which this Latchkey does not know")]
    UnsupportedVersion(u16),
    /// Damaged, truncated or tampered with.
    #[error("the backup is corrupted ({0})")]
    Corrupted(String),
    /// The passphrase did not open the passphrase slot.
    #[error("wrong passphrase for the backup")]
    BadPassphrase,
    /// Its key derivation costs more than any Latchkey writes: refused before running it.
    #[error(
        "the backup asks for a key derivation costlier than Latchkey ever writes ({0}); refused"
    )]
    TooCostly(String),
}

/// Largest Argon2id memory cost a copy may ask for, in KiB (1 GiB; Latchkey writes 256 MiB).
/// Copies arrive from callers and other machines, so they get a tighter bound than the vault.
pub const COPY_MAX_M_COST: u32 = 1024 * 1024;
/// Largest Argon2id pass count a copy may ask for (Latchkey writes 2).
pub const COPY_MAX_T_COST: u32 = 8;
/// Largest lane count a copy may ask for (Latchkey writes 1).
pub const COPY_MAX_P_COST: u32 = 4;

/// Opens a copy (or any vault file) from bytes with its passphrase; runs the KDF.
pub fn open_copy(bytes: &[u8], passphrase: &[u8]) -> Result<OpenedCopy, CopyError> {
    if bytes.len() > MAX_FILE_LEN {
        return Err(CopyError::Corrupted("the file is too large".into()));
    }
    let parsed = format::parse(bytes).map_err(|m| match m {
        Malformed::NotAVault => CopyError::NotACopy,
        Malformed::UnsupportedVersion(v) => CopyError::UnsupportedVersion(v),
        Malformed::Corrupted(reason) => CopyError::Corrupted(reason),
    })?;
    let slot = parsed
        .header
        .passphrase_slot()
        .map_err(CopyError::Corrupted)?;
    let kdf = slot.kdf;
    if kdf.m_cost > COPY_MAX_M_COST || kdf.t_cost > COPY_MAX_T_COST || kdf.p_cost > COPY_MAX_P_COST
    {
        return Err(CopyError::TooCostly(format!(
            "Argon2id m={} KiB t={} p={}; at most m={COPY_MAX_M_COST} t={COPY_MAX_T_COST} p={COPY_MAX_P_COST}",
            kdf.m_cost, kdf.t_cost, kdf.p_cost
        )));
    }
    let key = slot
        .unwrap_key(passphrase)
        .map_err(CopyError::Corrupted)?
        .ok_or(CopyError::BadPassphrase)?;
    let body = format::open_body(&parsed, &key).ok_or_else(|| {
        CopyError::Corrupted("the body failed authentication (tampered with)".into())
    })?;
    Ok(OpenedCopy {
        body,
        account_count: parsed.header.account_count,
        kdf: slot.kdf,
    })
}

/// Writes `bytes` to a new file at `path` (0600, fsynced, directory created 0700), never
/// replacing anything there: a copy becomes a vault, or a backup gets its name.
pub fn install_copy(path: &Path, bytes: &[u8]) -> Result<(), VaultError> {
    atomic::ensure_parent_dir(path)?;
    let temp = atomic::write_temp(path, bytes)?;
    atomic::install_new(temp, path)
}

impl Store {
    /// Makes `bytes` (a copy already checked with [`open_copy`]) the vault; refuses if any file
    /// is at the vault path.
    pub fn install_copy(&self, bytes: &[u8]) -> Result<(), VaultError> {
        install_copy(self.path(), bytes)
    }
}
