//! Following a phone's Aegis backups (docs/sync.md, "Following Aegis"): the folder and the Aegis
//! password kept in the vault body, and mirroring a backup into the accounts in one write.

use super::{StateError, VaultState};
use latchkey_core::follow::Follow;
use latchkey_core::import::{AegisEntries, ImportError};
use latchkey_core::sync::Changes;
use zeroize::Zeroizing;

/// What the bus shows of the backups followed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FollowInfo {
    pub folder: String,
    /// The backup last mirrored ("" before the first).
    pub newest: String,
    pub mirrored: u32,
}

impl VaultState {
    /// The Aegis folder followed, if any.
    pub fn follow_info(&self) -> Result<Option<FollowInfo>, StateError> {
        let u = self.unlocked.as_ref().ok_or(StateError::Locked)?;
        Ok(u.extra.follow.as_ref().map(|f| FollowInfo {
            folder: f.folder.clone(),
            newest: f.newest.clone(),
            mirrored: u32::try_from(f.mirrored.len()).unwrap_or(u32::MAX),
        }))
    }

    /// The password of the followed backups, to open one off the state lock.
    pub fn follow_password(&self) -> Result<Zeroizing<String>, StateError> {
        let u = self.unlocked.as_ref().ok_or(StateError::Locked)?;
        let f = u.extra.follow.as_ref().ok_or(StateError::FollowOff)?;
        Ok(Zeroizing::new(
            String::from_utf8_lossy(f.password()).into_owned(),
        ))
    }

    /// Follows `folder` with `password` (replacing what was followed; mirrored accounts stay).
    pub fn follow_set(
        &mut self,
        folder: String,
        password: Zeroizing<String>,
    ) -> Result<(), StateError> {
        let mut follow = Follow::new(folder, password);
        if let Some(old) = self.unlocked.as_ref().and_then(|u| u.extra.follow.as_ref()) {
            follow.mirrored = old.mirrored.clone();
        }
        self.write_follow(Some(follow))
    }

    /// Stops following; the mirrored accounts stay as ordinary accounts.
    pub fn follow_stop(&mut self) -> Result<(), StateError> {
        let u = self.unlocked.as_ref().ok_or(StateError::Locked)?;
        if u.extra.follow.is_none() {
            return Err(StateError::FollowOff);
        }
        self.write_follow(None)
    }

    fn write_follow(&mut self, follow: Option<Follow>) -> Result<(), StateError> {
        let store = self.store.clone();
        let u = self.unlocked_mut()?;
        let previous = std::mem::replace(&mut u.extra.follow, follow);
        let count = u.accounts.len() as u32;
        let body = u.body();
        if let Err(e) = store.save(&mut u.session, &body, count) {
            u.extra.follow = previous;
            return Err(e.into());
        }
        Ok(())
    }

    /// Mirrors a backup's entries (opened with [`Self::follow_password`]) into the accounts, in
    /// one write that sync sees as this device's changes.
    pub fn follow_apply(
        &mut self,
        file: &str,
        entries: AegisEntries,
    ) -> Result<Changes, StateError> {
        let u = self.unlocked_mut()?;
        let f = u.extra.follow.as_mut().ok_or(StateError::FollowOff)?;
        let (before_follow, before_accounts) = (f.clone(), u.accounts.clone());
        let changes = f.apply(file, entries.0, &mut u.accounts);
        self.save_changed(move |u| {
            u.extra.follow = Some(before_follow);
            u.accounts = before_accounts;
        })?;
        Ok(changes)
    }
}

/// Opens an Aegis backup with `password` (scrypt: call off the async workers).
pub fn open_backup(bytes: &[u8], password: &[u8]) -> Result<AegisEntries, ImportError> {
    latchkey_core::import::parse_aegis_with_ids(bytes, Some(password))
}

impl super::Service {
    /// The followed folder, if any.
    pub fn follow_info(&self) -> Result<Option<FollowInfo>, StateError> {
        super::lock_state(self.state()).follow_info()
    }

    /// Follows `folder`'s Aegis backups; `check`, the newest backup there (if any), must open
    /// with `password`, so a typo is caught now rather than at the next backup.
    pub async fn follow_aegis(
        &self,
        folder: String,
        password: Zeroizing<String>,
        check: Option<Vec<u8>>,
        who: &str,
    ) -> Result<(), StateError> {
        if let Some(bytes) = check {
            let pass = password.clone();
            super::blocking(move || open_backup(&bytes, pass.as_bytes())).await??;
        }
        let shown = folder.clone();
        self.blocking(move |s| s.follow_set(folder, password))
            .await?;
        tracing::info!(event = "aegis-follow", folder = %shown, caller = %who, "following Aegis backups");
        self.events().security(
            crate::events::Security::new(
                "aegis-follow",
                format!("Latchkey follows the Aegis backups in {shown}"),
            )
            .notify(
                "Latchkey sync",
                format!("Following the Aegis backups in {shown}"),
                crate::events::Urgency::Normal,
            ),
        );
        self.events().publish(crate::events::Event::SyncChanged);
        Ok(())
    }

    /// Stops following Aegis backups.
    pub async fn follow_stop(&self, who: &str) -> Result<(), StateError> {
        self.blocking(|s| s.follow_stop()).await?;
        tracing::info!(event = "aegis-unfollow", caller = %who, "no longer following Aegis backups");
        self.events().publish(crate::events::Event::SyncChanged);
        Ok(())
    }

    /// Opens the backup `file` and mirrors it; publishes what changed.
    pub async fn follow_merge(&self, file: String, bytes: Vec<u8>) -> Result<Changes, StateError> {
        let password = super::lock_state(self.state()).follow_password()?;
        let entries = super::blocking(move || open_backup(&bytes, password.as_bytes())).await??;
        let changes = self.write(move |s| s.follow_apply(&file, entries)).await?;
        if !changes.is_empty() {
            tracing::info!(
                event = "aegis-mirrored",
                added = changes.added.len(),
                updated = changes.updated.len(),
                removed = changes.removed.len(),
                "mirrored an Aegis backup"
            );
            self.events()
                .publish(crate::events::Event::AccountsChanged {
                    added: changes.added.clone(),
                    removed: changes.removed.clone(),
                    updated: changes.updated.clone(),
                });
        }
        Ok(changes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Usage;
    use latchkey_core::import::Imported;
    use latchkey_core::otp::{Algorithm, Kind, OtpParams, Secret};
    use latchkey_core::vault::{KdfParams, Store};

    fn backup(uuid: &str) -> AegisEntries {
        let params = OtpParams::new(
            Secret::from_bytes(b"twenty bytes of seed".to_vec()),
            Algorithm::Sha1,
            6,
            Kind::Totp { period: 30 },
        )
        .expect("params");
        let imported = Imported {
            issuer: "Phone".into(),
            account: "me".into(),
            sites: Vec::new(),
            params,
        };
        (vec![(Some(uuid.into()), Ok(imported))], Vec::new())
    }

    #[test]
    fn a_mirror_that_cannot_be_written_leaves_accounts_and_follow_as_they_were() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("vault.latchkey");
        let store = Store::new(path.clone());
        let activity = std::sync::Arc::new(Usage::default());
        let mut state =
            VaultState::open(store, KdfParams::insecure_for_tests(), activity).expect("open");
        state.create(b"passphrase").expect("create");
        state
            .follow_set("/phone".into(), Zeroizing::new("aegis".into()))
            .expect("follow");

        // A non-empty directory where the vault file is: the write's final rename fails.
        let aside = dir.path().join("aside");
        std::fs::rename(&path, &aside).expect("move the vault aside");
        std::fs::create_dir_all(path.join("taken")).expect("dir in the way");
        assert!(state.follow_apply("b1.json", backup("u1")).is_err());
        assert_eq!(state.accounts().expect("unlocked").count(), 0);
        let info = state.follow_info().expect("unlocked").expect("followed");
        assert_eq!((info.newest.as_str(), info.mirrored), ("", 0));
        assert_eq!(state.account_count, 0);

        std::fs::remove_dir_all(&path).expect("clear");
        std::fs::rename(&aside, &path).expect("put the vault back");
        let changes = state.follow_apply("b1.json", backup("u1")).expect("mirror");
        assert_eq!(changes.added.len(), 1);
        let info = state.follow_info().expect("unlocked").expect("followed");
        assert_eq!((info.newest.as_str(), info.mirrored), ("b1.json", 1));
        assert_eq!(state.account_count, 1);
    }
}
