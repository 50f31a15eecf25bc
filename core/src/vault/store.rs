//! Reading, unlocking and atomically rewriting the vault file.

use super::atomic;
use super::crypto::{self, MasterKey};
use super::encoding::VERSION;
use super::format::{self, Checksum, MAX_FILE_LEN};
use super::header::{Header, PassphraseSlot, Slot};
use super::{KdfParams, VaultError};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// What can be learned from a vault file without its passphrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderInfo {
    /// Format version of the file (so callers can report what they opened).
    pub version: u16,
    /// Number of accounts, stored in clear so a locked vault can say how many it holds.
    pub account_count: u32,
    /// Argon2id cost of the passphrase slot, so callers can offer to raise it.
    pub kdf: KdfParams,
    /// Whether keyring unlock is set up (a keyring slot exists), so a locked vault knows to try it.
    pub has_keyring_slot: bool,
}

/// An unlocked vault: holds the master key until dropped (then zeroized). `Debug` is redacted.
pub struct Session {
    /// Seals the body; wiped on drop by `Zeroizing`.
    pub(super) master_key: MasterKey,
    /// The header last read or written, slots included, so a save keeps every slot.
    pub(super) header: Header,
    /// SHA-256 of the file as last read or written, to notice someone else's changes.
    pub(super) checksum: Checksum,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Session(<redacted>)")
    }
}

/// The vault file at one path, plus its `.bak` sibling holding the previous version.
#[derive(Debug, Clone)]
pub struct Store {
    path: PathBuf,
}

impl Store {
    /// A store for the vault file at `path` (nothing is read yet).
    pub fn new(path: PathBuf) -> Self {
        Self { path }
    }

    /// Where the vault lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where the previous version is kept: `<file>.bak`, so recovery is one `mv` away.
    pub fn backup_path(&self) -> PathBuf {
        let mut name = OsString::from(self.path.as_os_str());
        name.push(".bak");
        PathBuf::from(name)
    }

    /// Deletes temp files that writes interrupted by a crash left next to the vault; returns how
    /// many. Call only while nothing writes this vault (the daemon: before a session writes).
    pub fn remove_leftovers(&self) -> Result<usize, VaultError> {
        atomic::remove_leftovers(&self.path)
    }

    /// Whether a vault file exists (readable or not).
    pub fn exists(&self) -> bool {
        self.path.exists()
    }

    /// Checks magic, version, checksum and header without the passphrase.
    pub fn inspect(&self) -> Result<HeaderInfo, VaultError> {
        let bytes = atomic::read_limited(&self.path, MAX_FILE_LEN)?;
        let parsed = format::parse(&bytes).map_err(|m| m.at(&self.path))?;
        let slot = parsed
            .header
            .passphrase_slot()
            .map_err(|r| self.corrupted(r))?;
        let keyring = parsed
            .header
            .keyring_slot()
            .map_err(|r| self.corrupted(r))?;
        Ok(HeaderInfo {
            version: VERSION,
            account_count: parsed.header.account_count,
            kdf: slot.kdf,
            has_keyring_slot: keyring.is_some(),
        })
    }

    /// Creates a new vault; refuses if any file is already at the path.
    pub fn create(
        &self,
        passphrase: &[u8],
        kdf: KdfParams,
        body: &[u8],
        account_count: u32,
    ) -> Result<Session, VaultError> {
        kdf.check_for_new_vault()?;
        // Cheap early refusal before the slow KDF; `install_new` re-checks atomically.
        match std::fs::symlink_metadata(&self.path) {
            Ok(_) => return Err(VaultError::AlreadyExists(self.path.clone())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(VaultError::io("check", &self.path, e)),
        }
        let master_key = crypto::new_master_key().map_err(VaultError::Random)?;
        let slot = PassphraseSlot::wrap(passphrase, kdf, &master_key)?;
        let header = Header {
            body_nonce: crypto::random_array().map_err(VaultError::Random)?,
            account_count,
            slots: vec![Slot::Passphrase(slot)],
        };
        let (bytes, checksum) = format::encode(&header, &master_key, body)?;
        atomic::ensure_parent_dir(&self.path)?;
        let temp = atomic::write_temp(&self.path, &bytes)?;
        atomic::install_new(temp, &self.path)?;
        Ok(Session {
            master_key,
            header,
            checksum,
        })
    }

    /// Unlocks with the passphrase and returns the session and the decrypted body.
    pub fn unlock(&self, passphrase: &[u8]) -> Result<(Session, Zeroizing<Vec<u8>>), VaultError> {
        self.open_with(|header| {
            let slot = header.passphrase_slot().map_err(|r| self.corrupted(r))?;
            slot.unwrap_key(passphrase)
                .map_err(|r| self.corrupted(r))?
                .ok_or(VaultError::BadPassphrase)
        })
    }

    /// Reads and checks the file, gets the master key from one slot with `unwrap`, and opens the
    /// body: the part every way of unlocking shares.
    pub(super) fn open_with(
        &self,
        unwrap: impl FnOnce(&Header) -> Result<MasterKey, VaultError>,
    ) -> Result<(Session, Zeroizing<Vec<u8>>), VaultError> {
        let bytes = atomic::read_limited(&self.path, MAX_FILE_LEN)?;
        let parsed = format::parse(&bytes).map_err(|m| m.at(&self.path))?;
        let master_key = unwrap(&parsed.header)?;
        let body = format::open_body(&parsed, &master_key).ok_or_else(|| {
            self.corrupted("the body failed authentication (tampered with or badly written)")
        })?;
        let session = Session {
            master_key,
            header: parsed.header,
            checksum: parsed.checksum,
        };
        Ok((session, body))
    }

    /// Seals `body` and replaces the file atomically, keeping the previous version as the backup.
    pub fn save(
        &self,
        session: &mut Session,
        body: &[u8],
        account_count: u32,
    ) -> Result<(), VaultError> {
        let header = session.header.clone();
        self.write(session, header, body, account_count)
    }

    /// Re-wraps the master key under a new passphrase after checking the old one, and rewrites
    /// the file: [`Session::passphrase_change`], rewrap and [`Store::install_passphrase`] in one
    /// go, for callers that hold the session anyway.
    pub fn change_passphrase(
        &self,
        session: &mut Session,
        old: &[u8],
        new: &[u8],
        kdf: KdfParams,
        body: &[u8],
        account_count: u32,
    ) -> Result<(), VaultError> {
        let rewrapped = session.passphrase_change(kdf)?.rewrap(old, new)?;
        self.install_passphrase(session, rewrapped, body, account_count)
    }

    /// Seals `body` under `header` with a fresh nonce and replaces the file, if it is still ours.
    pub(super) fn write(
        &self,
        session: &mut Session,
        mut header: Header,
        body: &[u8],
        account_count: u32,
    ) -> Result<(), VaultError> {
        header.body_nonce = crypto::random_array().map_err(VaultError::Random)?;
        header.account_count = account_count;
        let (bytes, checksum) = format::encode(&header, &session.master_key, body)?;
        let temp = atomic::write_temp(&self.path, &bytes)?;
        self.check_unchanged(&session.checksum)?;
        atomic::replace(temp, &self.path, &self.backup_path())?;
        // The file now is the new version: remember it even if flushing the directory fails.
        session.header = header;
        session.checksum = checksum;
        atomic::sync_dir(&self.path)
    }

    /// Refuses unless the file on disk is exactly the one this session last read or wrote.
    fn check_unchanged(&self, expected: &Checksum) -> Result<(), VaultError> {
        let current = match atomic::read_limited(&self.path, MAX_FILE_LEN) {
            Ok(bytes) => bytes,
            Err(VaultError::NotFound(_)) => {
                return Err(VaultError::ChangedOnDisk(self.path.clone()));
            }
            Err(e) => return Err(e),
        };
        // The whole file must hash to what we remember, not just end with it.
        let unchanged = current.len() > format::CHECKSUM_LEN && {
            let (content, stored) = current.split_at(current.len() - format::CHECKSUM_LEN);
            stored == expected && format::sha256(content) == *expected
        };
        if unchanged {
            Ok(())
        } else {
            Err(VaultError::ChangedOnDisk(self.path.clone()))
        }
    }

    /// A `Corrupted` error for this store's file.
    pub(super) fn corrupted(&self, reason: impl Into<String>) -> VaultError {
        VaultError::Corrupted {
            path: self.path.clone(),
            reason: reason.into(),
        }
    }
}
