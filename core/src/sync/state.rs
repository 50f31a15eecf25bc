//! This device's side of sync, kept in the vault body: its identity, its clock, the replicated
//! document, what it merged from each device, open invites, and whether it is still joining.
//!
//! [`State::import`] takes a replica file through every check (framing, membership, signature,
//! seal, replay, clocks, contents) before merging anything, so a refused file changes nothing;
//! [`State::export`] seals this device's replica for every current member.

use super::clock::{Clock, Stamp};
use super::device::{DeviceId, Identity, PublicKeys};
use super::doc::{Changes, Doc, DocError, Member, Undo};
use super::invite::{
    Code, Invite, InviteError, JoinError, LIFETIME_MS, MAX_OPEN, MAX_REFUSED, Request,
};
use super::record::Reg;
use super::seal::{self, SealError};
use crate::accounts::Accounts;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use zeroize::Zeroizing;

/// Version of the replica body (inside the seal).
const BODY_FORMAT: u32 = 1;
/// Most accounts (tombstones included) a replica may carry.
pub const MAX_ACCOUNTS: usize = 100_000;
/// Longest device name, in bytes.
pub const MAX_NAME: usize = 64;

/// What this device knows of another from its latest merged replica.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Peer {
    /// The replica's version (its writer's clock when it wrote it).
    pub version: Stamp,
    /// Which version of each device's replica that device had merged.
    pub seen: BTreeMap<DeviceId, Stamp>,
    /// When this device merged it (Unix milliseconds).
    pub merged_ms: u64,
}

/// A device that has sent a join request with a code and waits to see itself admitted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Joining {
    /// The first bytes of the inviting device's id.
    #[serde(with = "prefix_hex")]
    pub inviter: [u8; super::invite::PREFIX],
    /// When the request was made (Unix milliseconds; `None` in vaults from before it was kept).
    #[serde(default)]
    pub since_ms: Option<u64>,
    /// The inviting device said, in its replica, that it refused the request.
    #[serde(default)]
    pub refused: bool,
}

impl Joining {
    /// Why this join will not end in admission: the inviting device refused it, or the invite
    /// expired unanswered. `None` while it can still work.
    pub fn error(&self, now_ms: u64) -> Option<JoinError> {
        if self.refused {
            return Some(JoinError::Refused);
        }
        self.since_ms
            .is_some_and(|t| now_ms >= t.saturating_add(LIFETIME_MS))
            .then_some(JoinError::Expired)
    }
}

/// A join request this device refused, named in its replicas until `until_ms`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Refusal {
    pub device: DeviceId,
    pub until_ms: u64,
}

/// This device's sync state.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct State {
    identity: Identity,
    /// The folder the user picked (replicas go to its `Latchkey/` subfolder).
    pub folder: String,
    clock: Clock,
    pub doc: Doc,
    #[serde(default)]
    pub peers: BTreeMap<DeviceId, Peer>,
    #[serde(default)]
    invites: Vec<Invite>,
    #[serde(default)]
    pub joining: Option<Joining>,
    /// Join requests this device refused lately.
    #[serde(default)]
    refusals: Vec<Refusal>,
    /// The version of this device's last replica.
    #[serde(default)]
    pub written: Option<Stamp>,
}

/// The replica body, inside the seal.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    format: u32,
    seen: BTreeMap<DeviceId, Stamp>,
    doc: Doc,
}

/// Why a replica was refused; nothing of it was merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Seal(#[from] SealError),
    #[error("device {0} was forgotten; its files are ignored")]
    Forgotten(DeviceId),
    #[error("device {0} is not a member (yet)")]
    Unknown(DeviceId),
    #[error("the replica's contents are malformed: {0}")]
    Body(String),
    #[error("the replica's contents are refused: {0}")]
    Doc(#[from] DocError),
    #[error("device {device}'s {source}")]
    Ahead {
        device: DeviceId,
        source: super::clock::AheadError,
    },
    #[error("the replica holds more than {MAX_ACCOUNTS} accounts")]
    TooMany,
}

impl ImportError {
    /// Whether the file is evidence of tampering or of a forgotten device at work (a security
    /// event), rather than something that may simply not be ours to read yet.
    pub fn is_security(&self) -> bool {
        !matches!(
            self,
            ImportError::Seal(SealError::NotForUs | SealError::Random(_))
                | ImportError::Unknown(_)
                | ImportError::Ahead { .. }
        )
    }
}

/// What merging one replica did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Merged {
    pub from: Option<DeviceId>,
    /// An old version (a replay, a provider's history, a conflict copy): nothing merged.
    pub replay: bool,
    pub changes: Changes,
    /// Tombstones collected after the merge.
    pub collected: usize,
    /// This device was admitted (it was joining).
    pub admitted: bool,
    /// The inviting device refused this device's join request (it was joining).
    pub refused: bool,
    /// This device was forgotten by another.
    pub forgotten: bool,
    /// The document changed (merge or collection): this device's replica is out of date.
    pub changed: bool,
}

impl State {
    /// A new group of one: this device, named `name`, syncing through `folder`.
    pub fn new(identity: Identity, name: &str, folder: String, now_ms: u64) -> Self {
        let mut state = Self {
            identity,
            folder,
            clock: Clock::new(),
            doc: Doc::default(),
            peers: BTreeMap::new(),
            invites: Vec::new(),
            joining: None,
            refusals: Vec::new(),
            written: None,
        };
        let me = state.identity.id();
        let stamp = state.clock.tick(now_ms, me);
        state.doc.members.insert(
            me,
            Member {
                keys: state.identity.public(),
                name: Reg {
                    stamp,
                    value: clip(name),
                },
                added: stamp,
                removed: None,
            },
        );
        state
    }

    /// A device joining with `code`: a group of one until the inviting device admits it.
    pub fn joining(
        identity: Identity,
        name: &str,
        folder: String,
        code: &Code,
        now_ms: u64,
    ) -> (Self, Request) {
        let request = code.request(&identity.public());
        let mut state = Self::new(identity, name, folder, now_ms);
        state.joining = Some(Joining {
            inviter: code.inviter,
            since_ms: Some(now_ms),
            refused: false,
        });
        (state, request)
    }

    /// This device's id.
    pub fn id(&self) -> DeviceId {
        self.identity.id()
    }

    /// Whether another member has forgotten this device.
    pub fn forgotten(&self) -> bool {
        self.doc
            .members
            .get(&self.id())
            .is_some_and(|m| !m.current())
    }

    /// A stamp for a change made now.
    pub fn tick(&mut self, now_ms: u64) -> Stamp {
        let me = self.id();
        self.clock.tick(now_ms, me)
    }

    /// Records the vault's accounts as this device's changes (see [`Doc::observe`]).
    pub fn observe(&mut self, accounts: &Accounts, now_ms: u64) -> (Undo, Clock) {
        let me = self.id();
        let clock = self.clock;
        let c = &mut self.clock;
        let undo = self.doc.observe(accounts, || c.tick(now_ms, me));
        (undo, clock)
    }

    /// Undoes an [`Self::observe`] whose vault write failed.
    pub fn undo(&mut self, (undo, clock): (Undo, Clock)) {
        self.doc.undo(undo);
        self.clock = clock;
    }

    /// Seals this device's replica for every current member; returns its version and bytes.
    pub fn export(&mut self, now_ms: u64) -> Result<(Stamp, Vec<u8>), SealError> {
        let version = self.tick(now_ms);
        let mut seen: BTreeMap<DeviceId, Stamp> =
            self.peers.iter().map(|(d, p)| (*d, p.version)).collect();
        seen.insert(self.id(), version);
        let body = Body {
            format: BODY_FORMAT,
            seen,
            doc: self.doc.clone(),
        };
        let body = Zeroizing::new(
            serde_json::to_vec(&body).map_err(|e| SealError::Header(e.to_string()))?,
        );
        let recipients: Vec<(DeviceId, PublicKeys)> = self
            .doc
            .current_members()
            .map(|(id, m)| (*id, m.keys))
            .collect();
        let forgotten: Vec<DeviceId> = self
            .doc
            .members
            .iter()
            .filter(|(_, m)| !m.current())
            .map(|(id, _)| *id)
            .collect();
        let refused: Vec<DeviceId> = self
            .refusals
            .iter()
            .filter(|r| r.until_ms > now_ms && !self.doc.members.contains_key(&r.device))
            .map(|r| r.device)
            .collect();
        let notices = seal::Notices {
            forgotten: &forgotten,
            refused: &refused,
        };
        let bytes = seal::seal(&self.identity, version, &recipients, &notices, &body)?;
        self.written = Some(version);
        Ok((version, bytes))
    }

    /// Checks and merges one replica file, then makes `accounts` what the merged document says.
    /// On an error nothing changed.
    pub fn import(
        &mut self,
        bytes: &[u8],
        now_ms: u64,
        accounts: &mut Accounts,
    ) -> Result<Merged, ImportError> {
        let parsed = seal::parse(bytes)?;
        let claim = parsed.claim();
        let me = self.id();
        let trusted = match self.doc.members.get(&claim.device) {
            Some(m) if !m.current() => return Err(ImportError::Forgotten(claim.device)),
            Some(m) => m.keys,
            None => match &self.joining {
                // The inviting device is known by the code: its keys make an id that starts
                // with the code's bytes (checked by `parse`).
                Some(j) if claim.device.0[..j.inviter.len()] == j.inviter => claim.keys,
                _ => return Err(ImportError::Unknown(claim.device)),
            },
        };
        parsed.verify(&trusted)?;
        let mut merged = Merged {
            from: Some(claim.device),
            ..Merged::default()
        };
        if claim.device == me {
            // This device's own file: its next replica must be newer, even after a restart
            // from a vault saved before the file was written, or after the clock stepped back.
            Clock::check(&claim.version, now_ms)
                .map_err(|source| ImportError::Ahead { device: me, source })?;
            self.clock.observe(&claim.version);
            merged.replay = true;
            return Ok(merged);
        }
        if let Some(j) = self.joining.as_mut()
            && !self.doc.members.contains_key(&claim.device)
            && parsed.refused(&me)
        {
            // The inviting device (trusted by the code, not yet a member here) answers a join
            // request it refused in its signed header: it will never seal a replica for this one.
            if j.refused {
                merged.replay = true;
            } else {
                j.refused = true;
                merged.refused = true;
            }
            return Ok(merged);
        }
        if self
            .peers
            .get(&claim.device)
            .is_some_and(|p| claim.version <= p.version)
        {
            merged.replay = true;
            return Ok(merged);
        }
        if parsed.forgot(&me) {
            // A member forgot this device: it can read nothing more, and writes nothing more.
            Clock::check(&claim.version, now_ms).map_err(|source| ImportError::Ahead {
                device: claim.device,
                source,
            })?;
            if let Some(m) = self.doc.members.get_mut(&me)
                && m.current()
            {
                m.removed = Some(claim.version);
                merged.forgotten = true;
                merged.changed = true;
                return Ok(merged);
            }
            merged.replay = true;
            return Ok(merged);
        }
        let plain = parsed.open(&self.identity)?;
        let body: Body =
            serde_json::from_slice(&plain).map_err(|e| ImportError::Body(e.to_string()))?;
        drop(plain);
        if body.format != BODY_FORMAT {
            return Err(ImportError::Body(format!(
                "body format {} is not one this Latchkey reads",
                body.format
            )));
        }
        if body.doc.accounts.len() > MAX_ACCOUNTS {
            return Err(ImportError::TooMany);
        }
        body.doc.check()?;
        let latest = latest_stamp(&body.doc, &body.seen).max(claim.version);
        Clock::check(&latest, now_ms).map_err(|source| ImportError::Ahead {
            device: claim.device,
            source,
        })?;
        let admitted_by_another = body.doc.members.contains_key(&me);
        merged.changed = self.doc.merge(body.doc)?;
        self.clock.observe(&latest);
        self.peers.insert(
            claim.device,
            Peer {
                version: claim.version,
                seen: body.seen,
                merged_ms: now_ms,
            },
        );
        if self.joining.is_some() && self.doc.members.get(&me).is_some_and(|m| m.current()) {
            // Someone else's replica lists this device: it was admitted.
            if admitted_by_another {
                self.joining = None;
                merged.admitted = true;
            }
        }
        merged.forgotten = self.forgotten();
        merged.changes = self.doc.apply(accounts);
        merged.collected = self.collect();
        merged.changed |= merged.collected > 0;
        Ok(merged)
    }

    /// Drops tombstones every current member has (see docs/sync.md, "Tombstones").
    pub fn collect(&mut self) -> usize {
        let me = self.id();
        let members: Vec<DeviceId> = self.doc.current_members().map(|(id, _)| *id).collect();
        let peers = &self.peers;
        self.doc.collect(|t| {
            members.iter().all(|m| {
                *m == me
                    || peers
                        .get(m)
                        .and_then(|p| p.seen.get(&t.device))
                        .is_some_and(|v| v >= t)
            })
        })
    }

    /// Opens an invite; returns the one-time code to give the new device.
    pub fn invite(&mut self, now_ms: u64) -> Result<Zeroizing<String>, std::io::Error> {
        self.invites.retain(|i| i.expires_ms > now_ms);
        if self.invites.len() >= MAX_OPEN {
            self.invites.remove(0);
        }
        let (invite, code) = Invite::new(self.id(), now_ms)?;
        self.invites.push(invite);
        Ok(code)
    }

    /// Whether [`Self::admit`] would admit the device of `request` (a new device, an open invite).
    pub fn can_admit(&self, request: &Request, now_ms: u64) -> bool {
        self.joining.is_none()
            && !self.doc.members.contains_key(&request.device)
            && self
                .invites
                .iter()
                .any(|i| i.expires_ms > now_ms && i.admits(request))
    }

    /// Whether [`Self::refuse`] would record the device of `request`: a request no open invite of
    /// this device made, from a device that is not a member and not refused already. A device
    /// still joining answers nothing.
    pub fn can_refuse(&self, request: &Request, now_ms: u64) -> bool {
        self.joining.is_none()
            && !self.can_admit(request, now_ms)
            && !self.doc.members.contains_key(&request.device)
            && !self
                .refusals
                .iter()
                .any(|r| r.device == request.device && r.until_ms > now_ms)
    }

    /// Records that this device refused the join request of `request`'s device, so its replicas
    /// say so for an invite's lifetime (the newest [`MAX_REFUSED`] are kept). Every member may
    /// refuse a request; the joining device listens only to the device its code names.
    pub fn refuse(&mut self, request: &Request, now_ms: u64) {
        self.refusals.retain(|r| r.until_ms > now_ms);
        if self.refusals.len() >= MAX_REFUSED {
            self.refusals.remove(0);
        }
        self.refusals.push(Refusal {
            device: request.device,
            until_ms: now_ms.saturating_add(LIFETIME_MS),
        });
    }

    /// Admits the device of a join request made with an open invite (used up by it). Returns
    /// `Ok(None)` when the device is already a member.
    pub fn admit(
        &mut self,
        request: &Request,
        now_ms: u64,
    ) -> Result<Option<DeviceId>, InviteError> {
        if let Some(m) = self.doc.members.get(&request.device) {
            return if m.current() {
                Ok(None)
            } else {
                Err(InviteError::NoInvite)
            };
        }
        self.invites.retain(|i| i.expires_ms > now_ms);
        let i = self
            .invites
            .iter()
            .position(|i| i.admits(request))
            .ok_or(InviteError::NoInvite)?;
        self.invites.remove(i);
        let stamp = self.tick(now_ms);
        self.doc.members.insert(
            request.device,
            Member {
                keys: request.keys,
                name: Reg {
                    stamp: Stamp::zero(request.device),
                    value: String::new(),
                },
                added: stamp,
                removed: None,
            },
        );
        Ok(Some(request.device))
    }

    /// Forgets a member: its later files are ignored and no replica is sealed for it again.
    pub fn forget(&mut self, device: DeviceId, now_ms: u64) -> bool {
        if device == self.id() {
            return false;
        }
        let stamp = self.tick(now_ms);
        match self.doc.members.get_mut(&device) {
            Some(m) if m.current() => {
                m.removed = Some(stamp);
                true
            }
            _ => false,
        }
    }

    /// Renames this device.
    pub fn rename(&mut self, name: &str, now_ms: u64) {
        let stamp = self.tick(now_ms);
        let me = self.id();
        if let Some(m) = self.doc.members.get_mut(&me) {
            m.name = Reg {
                stamp,
                value: clip(name),
            };
        }
    }

    /// Open invites (not expired at `now_ms`).
    pub fn open_invites(&self, now_ms: u64) -> usize {
        self.invites
            .iter()
            .filter(|i| i.expires_ms > now_ms)
            .count()
    }
}

/// The latest stamp anywhere in a replica's body.
fn latest_stamp(doc: &Doc, seen: &BTreeMap<DeviceId, Stamp>) -> Stamp {
    let zero = Stamp::zero(DeviceId([0; 16]));
    let mut latest = seen.values().copied().max().unwrap_or(zero);
    for r in doc.accounts.values() {
        latest = latest.max(r.latest());
        if let Some(t) = r.removed {
            latest = latest.max(t);
        }
    }
    for m in doc.members.values() {
        latest = latest.max(m.name.stamp).max(m.added);
        if let Some(t) = m.removed {
            latest = latest.max(t);
        }
    }
    latest
}

fn clip(name: &str) -> String {
    let mut out: String = name.chars().filter(|c| !c.is_control()).collect();
    while out.len() > MAX_NAME {
        out.pop();
    }
    out
}

mod prefix_hex {
    use data_encoding::HEXLOWER;
    use serde::{Deserialize, Deserializer, Serializer, de};
    const N: usize = super::super::invite::PREFIX;
    pub fn serialize<S: Serializer>(v: &[u8; N], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&HEXLOWER.encode(v))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; N], D::Error> {
        let text = String::deserialize(d)?;
        HEXLOWER
            .decode(text.as_bytes())
            .ok()
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| de::Error::custom("an inviter prefix is 20 hex digits"))
    }
}
