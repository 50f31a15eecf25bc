//! The replicated document: every account's record and the member devices. Merging two
//! documents is a join (per record and per member), so it is commutative, associative and
//! idempotent; the only step that is not a join, collecting tombstones, is [`Doc::collect`],
//! and [`super::State`] runs it only when every member has the tombstone.

use super::clock::Stamp;
use super::device::{DeviceId, PublicKeys};
use super::record::{Record, RecordError, Reg};
use crate::accounts::{Account, Accounts};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One member device as every member knows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    pub keys: PublicKeys,
    /// A name for people ("laptop"), set by the device itself.
    pub name: Reg<String>,
    /// When it was admitted (the earliest admission wins).
    pub added: Stamp,
    /// When it was forgotten; a forgotten device never comes back (it joins again with a new id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed: Option<Stamp>,
}

impl Member {
    fn merge(&mut self, other: &Member) -> bool {
        let before = (self.name.stamp, self.added, self.removed);
        if other.name.stamp > self.name.stamp {
            self.name = other.name.clone();
        }
        self.added = self.added.min(other.added);
        self.removed = self.removed.max(other.removed);
        before != (self.name.stamp, self.added, self.removed)
    }

    /// Whether the device is a member now.
    pub fn current(&self) -> bool {
        self.removed.is_none()
    }
}

/// Every account's record, removed ones included until their tombstones are collected, and the
/// members.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Doc {
    pub accounts: BTreeMap<String, Record>,
    pub members: BTreeMap<DeviceId, Member>,
}

/// Why a document cannot be merged; nothing of it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocError {
    #[error(transparent)]
    Record(#[from] RecordError),
    #[error("device {0}'s keys do not make its id")]
    MemberKeys(DeviceId),
    #[error("an account id is empty, longer than 64 bytes or not printable ASCII")]
    AccountId,
}

/// What applying the document to the vault's accounts changed, by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub updated: Vec<String>,
}

impl Changes {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.updated.is_empty()
    }
}

/// The records [`Doc::observe`] changed, as they were before, to undo it if the vault write fails.
#[derive(Debug, Default)]
pub struct Undo(Vec<(String, Option<Record>)>);

impl Doc {
    /// Checks a document read from a replica before any of it is merged.
    pub fn check(&self) -> Result<(), DocError> {
        for (id, member) in &self.members {
            if member.keys.id() != *id {
                return Err(DocError::MemberKeys(*id));
            }
        }
        for (id, record) in &self.accounts {
            check_id(id)?;
            record.check(id)?;
        }
        Ok(())
    }

    /// Joins `other` into this document, taking its records rather than copying them (each
    /// copy of a secret is another locked buffer). `other` must be [`Self::check`]ed; on an
    /// error (an account whose kind differs, which only damage makes) nothing is changed.
    /// Returns whether this document changed.
    pub fn merge(&mut self, other: Doc) -> Result<bool, DocError> {
        for (id, theirs) in &other.accounts {
            if let Some(mine) = self.accounts.get(id)
                && mine.kind != theirs.kind
            {
                return Err(RecordError::KindConflict(id.clone()).into());
            }
        }
        let mut changed = false;
        if self.accounts.is_empty() {
            // A device that has no records yet (it just joined) takes the map whole, rather
            // than inserting 10,000 records one by one.
            changed = !other.accounts.is_empty();
            self.accounts = other.accounts;
        } else {
            for (id, theirs) in other.accounts {
                match self.accounts.get_mut(&id) {
                    Some(mine) => changed |= mine.merge(&id, theirs)?,
                    None => {
                        self.accounts.insert(id, theirs);
                        changed = true;
                    }
                }
            }
        }
        for (id, theirs) in other.members {
            match self.members.get_mut(&id) {
                Some(mine) => changed |= mine.merge(&theirs),
                None => {
                    self.members.insert(id, theirs);
                    changed = true;
                }
            }
        }
        Ok(changed)
    }

    /// Records the vault's accounts as this device's changes: new accounts, edited fields and
    /// advanced counters get stamps from `stamp`, accounts gone from the vault get a removal.
    pub fn observe(&mut self, accounts: &Accounts, mut stamp: impl FnMut() -> Stamp) -> Undo {
        let mut undo = Undo::default();
        for a in accounts.iter() {
            match self.accounts.get_mut(&a.id) {
                Some(record) => {
                    let before = record.clone();
                    if record.observe(a, &mut stamp) {
                        undo.0.push((a.id.clone(), Some(before)));
                    }
                }
                None => {
                    self.accounts.insert(a.id.clone(), Record::new(a, stamp()));
                    undo.0.push((a.id.clone(), None));
                }
            }
        }
        for (id, record) in self.accounts.iter_mut() {
            if record.visible() && accounts.get(id).is_none() {
                undo.0.push((id.clone(), Some(record.clone())));
                record.remove(stamp());
            }
        }
        undo
    }

    /// Puts back the records an [`Self::observe`] changed.
    pub fn undo(&mut self, undo: Undo) {
        for (id, before) in undo.0.into_iter().rev() {
            match before {
                Some(record) => {
                    self.accounts.insert(id, record);
                }
                None => {
                    self.accounts.remove(&id);
                }
            }
        }
    }

    /// The accounts the document says exist, in id order; records that do not make a valid
    /// account are left out (and counted).
    pub fn visible(&self) -> (Vec<Account>, usize) {
        let mut out = Vec::new();
        let mut invalid = 0;
        for (id, record) in &self.accounts {
            if !record.visible() {
                continue;
            }
            match record.to_account(id) {
                Ok(a) => out.push(a),
                Err(_) => invalid += 1,
            }
        }
        (out, invalid)
    }

    /// Makes `accounts` what the document says: adds, updates and removes by id, keeping the
    /// order of the accounts that stay and appending new ones. An account is made from its
    /// record only when the vault's differs; records that do not make a valid account are left
    /// out.
    pub fn apply(&self, accounts: &mut Accounts) -> Changes {
        let mut changes = Changes::default();
        let gone: Vec<String> = accounts
            .iter()
            .filter(|a| self.accounts.get(&a.id).is_some_and(|r| !r.visible()))
            .map(|a| a.id.clone())
            .collect();
        // Only records the document knows as removed leave; an account the document has no
        // record of is observed at the next change, never dropped here.
        for id in gone {
            accounts.remove(&id);
            changes.removed.push(id);
        }
        for (id, record) in &self.accounts {
            if !record.visible() {
                continue;
            }
            match accounts.get_mut(id) {
                Some(current) => {
                    if !record.describes(current)
                        && let Ok(a) = record.to_account(id)
                    {
                        changes.updated.push(id.clone());
                        *current = a;
                    }
                }
                None => {
                    if let Ok(a) = record.to_account(id) {
                        changes.added.push(id.clone());
                        accounts.push(a);
                    }
                }
            }
        }
        changes
    }

    /// Drops removed records whose removal `collectable` says every member has; returns how many.
    pub fn collect(&mut self, collectable: impl Fn(&Stamp) -> bool) -> usize {
        let before = self.accounts.len();
        self.accounts
            .retain(|_, r| r.visible() || !r.removed.as_ref().is_some_and(&collectable));
        before - self.accounts.len()
    }

    /// The current members (not forgotten).
    pub fn current_members(&self) -> impl Iterator<Item = (&DeviceId, &Member)> {
        self.members.iter().filter(|(_, m)| m.current())
    }

    /// Removed records still kept (tombstones).
    pub fn tombstones(&self) -> usize {
        self.accounts.values().filter(|r| !r.visible()).count()
    }
}

fn check_id(id: &str) -> Result<(), DocError> {
    if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(DocError::AccountId);
    }
    Ok(())
}
