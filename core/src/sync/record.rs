//! One account as the replicas carry it: each field a last-writer-wins register, the HOTP
//! counter a grow-only maximum, and a removal stamp.
//!
//! A field is a register `(stamp, value)`: merging keeps the value with the later stamp, so the
//! last edit of each field wins on its own (a rename on one machine and a digits change on
//! another both survive). The account is visible while some field was written after its
//! removal: an edit made after (or concurrently with, but stamped later than) a removal keeps
//! the account, as KeePassXC keeps an entry modified after its deletion. The counter merges to
//! the maximum, so a counter never goes back and no code is shown twice.
//!
//! Fields a newer Latchkey adds travel in `other`, a map of generic registers that this version
//! merges and keeps without understanding them (docs/sync.md, "Adding a field").

use super::clock::Stamp;
use crate::accounts::Account;
use crate::otp::{Algorithm, Kind, OtpParams, Secret};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Longest issuer or account label a replica may carry, in bytes (the vault's own limit).
pub const MAX_LABEL: usize = 512;
/// Most extension fields one account may carry.
pub const MAX_OTHER: usize = 32;
/// Largest extension field value, in bytes of JSON.
pub const MAX_OTHER_LEN: usize = 64 * 1024;

/// The key of the account's sites in [`Record::other`].
const SITES: &str = "sites";

/// A last-writer-wins register.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reg<T> {
    pub stamp: Stamp,
    pub value: T,
}

impl<T: Clone> Reg<T> {
    fn new(stamp: Stamp, value: T) -> Self {
        Self { stamp, value }
    }

    /// Keeps the later of the two. Equal stamps are the same change (a stamp names one
    /// device's one change), so either value is it.
    fn merge(&mut self, other: Reg<T>) -> bool {
        if other.stamp > self.stamp {
            *self = other;
            return true;
        }
        false
    }
}

/// The kind of code an account makes; fixed when the account is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KindTag {
    Totp,
    Hotp,
    Steam,
}

/// One account's registers.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub kind: KindTag,
    pub issuer: Reg<String>,
    pub account: Reg<String>,
    pub secret: Reg<Secret>,
    pub algorithm: Reg<Algorithm>,
    pub digits: Reg<u8>,
    /// TOTP period in seconds; 0 for HOTP and Steam.
    pub period: Reg<u32>,
    /// HOTP: the counter of the next code (grow-only); 0 otherwise.
    pub counter: u64,
    /// When the account was last removed, if ever.
    pub removed: Option<Stamp>,
    /// Fields this version does not know, kept and merged as they are.
    pub other: BTreeMap<String, Reg<serde_json::Value>>,
}

/// Why a record cannot be an account (a replica carrying one is refused whole).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("account {id}: {reason}")]
    Invalid { id: String, reason: String },
    #[error("account {0} has a different kind on the two sides; one of them is damaged")]
    KindConflict(String),
}

impl Record {
    /// A new record holding `a`, every field stamped `stamp`.
    pub fn new(a: &Account, stamp: Stamp) -> Self {
        let (kind, period, counter) = split_kind(a.params.kind);
        let mut record = Self {
            kind,
            issuer: Reg::new(stamp, a.issuer.clone()),
            account: Reg::new(stamp, a.account.clone()),
            secret: Reg::new(stamp, a.params.secret.clone()),
            algorithm: Reg::new(stamp, a.params.algorithm),
            digits: Reg::new(stamp, a.params.digits),
            period: Reg::new(stamp, period),
            counter,
            removed: None,
            other: BTreeMap::new(),
        };
        record.observe_sites(a, &mut || stamp);
        record
    }

    /// The typed fields' stamps, in the order of [`FIELDS`].
    fn stamps(&self) -> [Stamp; 6] {
        [
            self.issuer.stamp,
            self.account.stamp,
            self.secret.stamp,
            self.algorithm.stamp,
            self.digits.stamp,
            self.period.stamp,
        ]
    }

    /// The latest stamp of any field (not the counter: using a code does not undo a removal).
    pub fn latest(&self) -> Stamp {
        let typed = self.stamps();
        let mut latest = typed.into_iter().max().unwrap_or(self.issuer.stamp);
        for r in self.other.values() {
            latest = latest.max(r.stamp);
        }
        latest
    }

    /// Whether the account exists: never removed, or edited after its last removal.
    pub fn visible(&self) -> bool {
        self.removed.is_none_or(|r| self.latest() > r)
    }

    /// Merges `other` into this record: the later value of each field, the larger counter, the
    /// later removal. Returns whether this record changed.
    pub fn merge(&mut self, id: &str, other: Record) -> Result<bool, RecordError> {
        if self.kind != other.kind {
            return Err(RecordError::KindConflict(id.to_string()));
        }
        let mut changed = self.issuer.merge(other.issuer);
        changed |= self.account.merge(other.account);
        changed |= self.secret.merge(other.secret);
        changed |= self.algorithm.merge(other.algorithm);
        changed |= self.digits.merge(other.digits);
        changed |= self.period.merge(other.period);
        if other.counter > self.counter {
            self.counter = other.counter;
            changed = true;
        }
        if other.removed > self.removed {
            self.removed = other.removed;
            changed = true;
        }
        for (name, reg) in other.other {
            match self.other.get_mut(&name) {
                Some(mine) => changed |= mine.merge(reg),
                None => {
                    self.other.insert(name, reg);
                    changed = true;
                }
            }
        }
        Ok(changed)
    }

    /// Records the local account `a` (same id): each field whose value differs gets the value
    /// and `stamp()`. A removed record that is in the vault again (re-added) is revived with every
    /// field stamped now. Returns whether anything changed.
    pub fn observe(&mut self, a: &Account, stamp: &mut impl FnMut() -> Stamp) -> bool {
        let (kind, period, counter) = split_kind(a.params.kind);
        if kind != self.kind || !self.visible() {
            let other = std::mem::take(&mut self.other);
            let removed = self.removed;
            let counter = self.counter.max(counter);
            *self = Record::new(a, stamp());
            self.other = other;
            self.removed = removed;
            self.counter = counter;
            let now = self.issuer.stamp;
            for reg in self.other.values_mut() {
                reg.stamp = now;
            }
            self.observe_sites(a, &mut || now);
            return true;
        }
        let mut at: Option<Stamp> = None;
        let mut now = || *at.get_or_insert_with(&mut *stamp);
        let mut changed = false;
        macro_rules! field {
            ($reg:ident, $value:expr) => {
                if self.$reg.value != $value {
                    self.$reg = Reg::new(now(), $value.clone());
                    changed = true;
                }
            };
        }
        field!(issuer, a.issuer);
        field!(account, a.account);
        field!(secret, a.params.secret);
        field!(algorithm, a.params.algorithm);
        field!(digits, a.params.digits);
        field!(period, period);
        if counter > self.counter {
            self.counter = counter;
            changed = true;
        }
        changed |= self.observe_sites(a, &mut now);
        changed
    }

    /// The account's sites, kept in `other["sites"]` (a field added after replicas existed:
    /// older Latchkeys carry it without reading it). Absent means none.
    fn sites(&self) -> Result<Vec<String>, String> {
        let Some(reg) = self.other.get(SITES) else {
            return Ok(Vec::new());
        };
        let list: Vec<String> = serde_json::from_value(reg.value.clone())
            .map_err(|_| "the sites are not a list of host names".to_string())?;
        let normal = crate::sites::normalize_all(list.iter().map(String::as_str))
            .map_err(|e| e.to_string())?;
        if normal != list {
            return Err("the sites are not written as Latchkey writes them".into());
        }
        Ok(list)
    }

    /// Writes `a`'s sites into their register when they differ from what it holds (an
    /// account without sites writes nothing until it has some). Returns whether it changed.
    fn observe_sites(&mut self, a: &Account, stamp: &mut impl FnMut() -> Stamp) -> bool {
        if self.sites().unwrap_or_default() == a.sites {
            return false;
        }
        self.other.insert(
            SITES.to_string(),
            Reg::new(stamp(), serde_json::Value::from(a.sites.clone())),
        );
        true
    }

    /// Marks the record removed at `stamp`.
    pub fn remove(&mut self, stamp: Stamp) {
        self.removed = Some(stamp);
    }

    /// The kind of code the record describes (the period for TOTP, the counter for HOTP).
    fn otp_kind(&self) -> Kind {
        match self.kind {
            KindTag::Totp => Kind::Totp {
                period: self.period.value,
            },
            KindTag::Hotp => Kind::Hotp {
                counter: self.counter,
            },
            KindTag::Steam => Kind::Steam,
        }
    }

    /// Checks the record as strictly as a new account, without making one.
    fn validate(&self, id: &str) -> Result<(), RecordError> {
        let invalid = |reason: String| RecordError::Invalid {
            id: id.to_string(),
            reason,
        };
        OtpParams::check(
            &self.secret.value,
            self.algorithm.value,
            self.digits.value,
            self.otp_kind(),
        )
        .map_err(|e| invalid(e.to_string()))?;
        check_label("issuer", &self.issuer.value).map_err(invalid)?;
        check_label("account name", &self.account.value).map_err(invalid)?;
        self.sites().map(|_| ()).map_err(invalid)
    }

    /// The account this record describes, checked as strictly as a new account.
    pub fn to_account(&self, id: &str) -> Result<Account, RecordError> {
        self.validate(id)?;
        let sites = self.sites().unwrap_or_default();
        let params = OtpParams {
            secret: self.secret.value.clone(),
            algorithm: self.algorithm.value,
            digits: self.digits.value,
            kind: self.otp_kind(),
        };
        Ok(Account {
            id: id.to_string(),
            issuer: self.issuer.value.clone(),
            account: self.account.value.clone(),
            sites,
            params,
        })
    }

    /// Whether `a` already says what this record says (labels, sites and parameters), so
    /// applying the record would change nothing.
    pub fn describes(&self, a: &Account) -> bool {
        a.issuer == self.issuer.value
            && a.account == self.account.value
            && self.sites().is_ok_and(|sites| sites == a.sites)
            && a.params.secret == self.secret.value
            && a.params.algorithm == self.algorithm.value
            && a.params.digits == self.digits.value
            && a.params.kind == self.otp_kind()
    }

    /// Checks what a replica may carry beyond what [`Self::to_account`] checks: the extension
    /// fields' number and size.
    pub fn check(&self, id: &str) -> Result<(), RecordError> {
        let invalid = |reason: String| RecordError::Invalid {
            id: id.to_string(),
            reason,
        };
        if self.other.len() > MAX_OTHER {
            return Err(invalid(format!("more than {MAX_OTHER} extension fields")));
        }
        for (name, reg) in &self.other {
            let len = serde_json::to_vec(&reg.value).map_or(usize::MAX, |v| v.len());
            if name.len() > 64 || len > MAX_OTHER_LEN {
                return Err(invalid("an extension field is too large".into()));
            }
        }
        self.validate(id)
    }
}

fn split_kind(kind: Kind) -> (KindTag, u32, u64) {
    match kind {
        Kind::Totp { period } => (KindTag::Totp, period, 0),
        Kind::Hotp { counter } => (KindTag::Hotp, 0, counter),
        Kind::Steam => (KindTag::Steam, 0, 0),
    }
}

fn check_label(what: &str, s: &str) -> Result<(), String> {
    if s.len() > MAX_LABEL {
        return Err(format!("the {what} is longer than {MAX_LABEL} bytes"));
    }
    if s.chars().any(char::is_control) {
        return Err(format!("the {what} contains control characters"));
    }
    Ok(())
}

/// The record as a replica writes it: one stamp `at` for the fields written together, and
/// `stamps` only for the fields changed later (most records have none), which keeps a
/// 10,000-account replica small.
#[derive(Serialize)]
struct WireOut<'a> {
    kind: KindTag,
    at: Stamp,
    issuer: &'a str,
    account: &'a str,
    secret: &'a Secret,
    algorithm: Algorithm,
    digits: u8,
    period: u32,
    #[serde(skip_serializing_if = "is_zero")]
    counter: u64,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    stamps: BTreeMap<&'static str, Stamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    removed: Option<Stamp>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    other: &'a BTreeMap<String, Reg<serde_json::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireIn {
    kind: KindTag,
    at: Stamp,
    issuer: String,
    account: String,
    secret: Secret,
    algorithm: Algorithm,
    digits: u8,
    period: u32,
    #[serde(default)]
    counter: u64,
    #[serde(default)]
    stamps: BTreeMap<String, Stamp>,
    #[serde(default)]
    removed: Option<Stamp>,
    #[serde(default)]
    other: BTreeMap<String, Reg<serde_json::Value>>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

const FIELDS: [&str; 6] = [
    "issuer",
    "account",
    "secret",
    "algorithm",
    "digits",
    "period",
];

impl Serialize for Record {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let stamps = self.stamps();
        // The stamp most fields share (the earliest among the most frequent).
        let at = stamps
            .iter()
            .copied()
            .max_by_key(|s| {
                (
                    stamps.iter().filter(|t| *t == s).count(),
                    std::cmp::Reverse(*s),
                )
            })
            .unwrap_or(self.issuer.stamp);
        let later = FIELDS
            .iter()
            .zip(stamps)
            .filter(|(_, s)| *s != at)
            .map(|(f, s)| (*f, s))
            .collect();
        WireOut {
            kind: self.kind,
            at,
            issuer: &self.issuer.value,
            account: &self.account.value,
            secret: &self.secret.value,
            algorithm: self.algorithm.value,
            digits: self.digits.value,
            period: self.period.value,
            counter: self.counter,
            stamps: later,
            removed: self.removed,
            other: &self.other,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Record {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let w = WireIn::deserialize(d)?;
        for name in w.stamps.keys() {
            if !FIELDS.contains(&name.as_str()) {
                return Err(serde::de::Error::custom(
                    "a stamp for a field that is not a typed field",
                ));
            }
        }
        let at = |f: &str| w.stamps.get(f).copied().unwrap_or(w.at);
        Ok(Record {
            kind: w.kind,
            issuer: Reg::new(at("issuer"), w.issuer),
            account: Reg::new(at("account"), w.account),
            secret: Reg::new(at("secret"), w.secret),
            algorithm: Reg::new(at("algorithm"), w.algorithm),
            digits: Reg::new(at("digits"), w.digits),
            period: Reg::new(at("period"), w.period),
            counter: w.counter,
            removed: w.removed,
            other: w.other,
        })
    }
}
