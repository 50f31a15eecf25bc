//! Following a phone's Aegis backups: the newest encrypted backup Aegis wrote into a folder
//! (carried to this machine by Syncthing-Android or Nextcloud) is mirrored into the vault by
//! Aegis entry UUID — entries added, changed and removed on the phone are added, changed and
//! removed here, and nothing else is touched. Latchkey never writes into that folder.
//!
//! A mirrored account's id is derived from its entry's UUID (UUIDv5), so two machines that
//! follow the same phone make the same accounts, and sync merges them as one.

use crate::accounts::{Account, Accounts};
use crate::import::{EntryError, Imported};
use crate::sync::Changes;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use zeroize::Zeroizing;

/// The namespace of mirrored accounts' ids (UUIDv5 of the Aegis entry UUID).
const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6c61_7463_686b_6579_2d61_6567_6973_0001);
/// Most entries mirrored from one backup.
pub const MAX_MIRRORED: usize = 10_000;

/// What is followed, kept in the vault body.
#[derive(Clone, Serialize, Deserialize)]
pub struct Follow {
    /// The folder Aegis writes its backups into.
    pub folder: String,
    /// The Aegis vault's password (the backups are encrypted with it).
    #[serde(with = "secret_text")]
    password: Zeroizing<String>,
    /// The file name of the backup last mirrored.
    #[serde(default)]
    pub newest: String,
    /// Entry UUID → account id, for every account mirrored from Aegis.
    #[serde(default)]
    pub mirrored: BTreeMap<String, String>,
}

impl std::fmt::Debug for Follow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Follow({}, <password>, {} mirrored)",
            self.folder,
            self.mirrored.len()
        )
    }
}

/// The account id an Aegis entry is mirrored under.
pub fn account_id(entry: &str) -> String {
    uuid::Uuid::new_v5(&NAMESPACE, entry.trim().to_ascii_lowercase().as_bytes()).to_string()
}

/// Whether `name` is a backup Aegis writes (`aegis-backup-…json`, `aegis-export-…json`), not
/// a partial or hidden file.
pub fn is_backup(name: &str) -> bool {
    !name.starts_with('.')
        && (name.starts_with("aegis-backup-") || name.starts_with("aegis-export-"))
        && name.ends_with(".json")
}

impl Follow {
    /// Follows `folder`, whose backups open with `password`.
    pub fn new(folder: String, password: Zeroizing<String>) -> Self {
        Self {
            folder,
            password,
            newest: String::new(),
            mirrored: BTreeMap::new(),
        }
    }

    /// The password, for opening a backup.
    pub fn password(&self) -> &[u8] {
        self.password.as_bytes()
    }

    /// Makes `accounts` mirror `entries` (a backup's, by Aegis UUID): adds new entries, updates
    /// changed ones, removes accounts whose entry is gone, and touches no other account. Entries
    /// without a UUID or that cannot be accounts are left as they were.
    pub fn apply(
        &mut self,
        file: &str,
        entries: Vec<(Option<String>, Result<Imported, EntryError>)>,
        accounts: &mut Accounts,
    ) -> Changes {
        let mut changes = Changes::default();
        let mut seen = BTreeMap::new();
        for (uuid, entry) in entries.into_iter().take(MAX_MIRRORED) {
            let Some(uuid) = uuid.filter(|u| !u.trim().is_empty() && u.len() <= 64) else {
                continue;
            };
            let id = account_id(&uuid);
            seen.insert(uuid, id.clone());
            let Ok(entry) = entry else { continue };
            let mut account = Account {
                id: id.clone(),
                issuer: entry.issuer,
                account: entry.account,
                sites: entry.sites,
                params: entry.params,
            };
            match accounts.get_mut(&id) {
                Some(current) => {
                    let same = current.issuer == account.issuer
                        && current.account == account.account
                        && current.params == account.params;
                    if !same {
                        // Aegis knows no sites: the ones given here stay.
                        if account.sites.is_empty() {
                            account.sites = std::mem::take(&mut current.sites);
                        }
                        *current = account;
                        changes.updated.push(id);
                    }
                }
                None => {
                    accounts.push(account);
                    changes.added.push(id);
                }
            }
        }
        for (uuid, id) in &self.mirrored {
            if !seen.contains_key(uuid) && accounts.remove(id).is_some() {
                changes.removed.push(id.clone());
            }
        }
        self.mirrored = seen;
        self.newest = file.to_string();
        changes
    }
}

mod secret_text {
    use serde::{Deserialize, Deserializer, Serializer};
    use zeroize::Zeroizing;
    pub fn serialize<S: Serializer>(v: &Zeroizing<String>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Zeroizing<String>, D::Error> {
        Ok(Zeroizing::new(String::deserialize(d)?))
    }
}
