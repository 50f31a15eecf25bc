//! Reading, unlocking and atomically rewriting the vault file.

use super::{KdfParams, VaultError};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// What can be learned from a vault file without its passphrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderInfo {
    pub version: u16,
    pub account_count: u32,
    pub kdf: KdfParams,
}

/// An unlocked vault: holds the master key until dropped (then zeroized). `Debug` is redacted.
pub struct Session {}

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
    /// Where the previous version is kept.
    pub fn backup_path(&self) -> PathBuf {
        todo!("vault helper")
    }
    /// Whether a vault file exists (readable or not).
    pub fn exists(&self) -> bool {
        self.path.exists()
    }
    /// Checks magic, version, checksum and header without the passphrase.
    pub fn inspect(&self) -> Result<HeaderInfo, VaultError> {
        todo!("vault helper")
    }
    /// Creates a new vault; refuses if any file is already at the path.
    pub fn create(&self, passphrase: &[u8], kdf: KdfParams, body: &[u8], account_count: u32) -> Result<Session, VaultError> {
        todo!("vault helper")
    }
    /// Unlocks with the passphrase and returns the session and the decrypted body.
    pub fn unlock(&self, passphrase: &[u8]) -> Result<(Session, Zeroizing<Vec<u8>>), VaultError> {
        todo!("vault helper")
    }
    /// Seals `body` and replaces the file atomically, keeping the previous version as the backup.
    pub fn save(&self, session: &mut Session, body: &[u8], account_count: u32) -> Result<(), VaultError> {
        todo!("vault helper")
    }
    /// Re-wraps the master key under a new passphrase after checking the old one, and rewrites the file.
    pub fn change_passphrase(
        &self,
        session: &mut Session,
        old: &[u8],
        new: &[u8],
        kdf: KdfParams,
        body: &[u8],
        account_count: u32,
    ) -> Result<(), VaultError> {
        todo!("vault helper")
    }
}
