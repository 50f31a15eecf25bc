//! Sync's changes to the vault: turning it on or off, pairing, forgetting a device, and merging
//! a replica — each one write of the vault body, which holds the sync state, undone in memory
//! if the write fails.
//!
//! Merging goes through the same write as every other change, so what a replica brings is
//! saved before it is announced, and a crash leaves either the old vault or the merged one.

use super::{StateError, VaultState};
use crate::events::{Event, Security, Urgency};
use latchkey_core::sync::{
    Changes, Code, DeviceId, Identity, ImportError, Joining, Merged, Request, State,
};

/// What the bus and the CLI show of sync (no keys).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncInfo {
    pub folder: String,
    pub device: String,
    pub name: String,
    /// Waiting for the inviting device to admit this one (and since when, and whether it refused).
    pub joining: Option<Joining>,
    /// Another member forgot this device: its replicas are ignored.
    pub forgotten: bool,
    pub devices: Vec<DeviceInfo>,
    pub tombstones: u32,
    pub open_invites: u32,
}

/// One member device.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceInfo {
    pub id: String,
    pub name: String,
    pub this_device: bool,
    /// Unix seconds of its latest replica this device merged (0: none yet).
    pub last_seen: u64,
    pub forgotten: bool,
}

/// A join made: the request to write, and the earlier join it replaced (its device and folder).
#[derive(Debug)]
pub struct Joined {
    pub request: Request,
    pub replaced: Option<(DeviceId, String)>,
}

/// What this device did with another's join request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinAnswer {
    /// One of this device's open invites made it: the device is a member now.
    Admitted(DeviceId),
    /// None did: this device's replicas say so, and the joining device stops waiting.
    Refused(DeviceId),
    /// Nothing to do (a member already, refused already, or this device is joining itself).
    Nothing,
}

/// What merging one replica did to the vault.
#[derive(Debug, Clone, Default)]
pub struct SyncOutcome {
    pub merged: Merged,
    /// The device's name, for the status line.
    pub from_name: String,
}

impl SyncOutcome {
    /// The accounts that changed.
    pub fn changes(&self) -> &Changes {
        &self.merged.changes
    }
}

impl VaultState {
    fn sync_state(&self) -> Result<&State, StateError> {
        let u = self.unlocked.as_ref().ok_or(StateError::Locked)?;
        u.extra.sync.as_ref().ok_or(StateError::SyncOff)
    }

    /// The sync state's public side, or `None` when sync is off.
    pub fn sync_info(&self) -> Result<Option<SyncInfo>, StateError> {
        let u = self.unlocked.as_ref().ok_or(StateError::Locked)?;
        let Some(s) = &u.extra.sync else {
            return Ok(None);
        };
        let me = s.id();
        let devices = s
            .doc
            .members
            .iter()
            .map(|(id, m)| DeviceInfo {
                id: id.to_hex(),
                name: m.name.value.clone(),
                this_device: *id == me,
                last_seen: s.peers.get(id).map_or(0, |p| p.version.time / 1000),
                forgotten: !m.current(),
            })
            .collect();
        let name = s
            .doc
            .members
            .get(&me)
            .map(|m| m.name.value.clone())
            .unwrap_or_default();
        Ok(Some(SyncInfo {
            folder: s.folder.clone(),
            device: me.to_hex(),
            name,
            joining: s.joining.clone(),
            forgotten: s.forgotten(),
            devices,
            tombstones: u32::try_from(s.doc.tombstones()).unwrap_or(u32::MAX),
            open_invites: u32::try_from(s.open_invites(crate::clock::unix_now_ms()))
                .unwrap_or(u32::MAX),
        }))
    }

    /// Turns sync on as the first device of a group; returns this device's id.
    pub fn sync_enable(&mut self, folder: String, name: &str) -> Result<String, StateError> {
        if self.sync_state().is_ok() {
            return Err(StateError::SyncOn);
        }
        let identity = Identity::generate().map_err(|e| StateError::Internal(e.to_string()))?;
        let now = crate::clock::unix_now_ms();
        let state = State::new(identity, name, folder, now);
        let id = state.id().to_hex();
        self.set_sync(Some(state))?;
        Ok(id)
    }

    /// Turns sync on as a device joining with `code`; returns the join request to write, and
    /// the earlier join it replaces (a device still waiting to be admitted may join again, with
    /// a new code, without turning sync off first).
    pub fn sync_join(
        &mut self,
        folder: String,
        name: &str,
        code: &Code,
    ) -> Result<Joined, StateError> {
        let replaced = match self.sync_state() {
            Ok(s) if s.joining.is_some() => Some((s.id(), s.folder.clone())),
            Ok(_) => return Err(StateError::SyncOn),
            Err(_) => None,
        };
        let identity = Identity::generate().map_err(|e| StateError::Internal(e.to_string()))?;
        let now = crate::clock::unix_now_ms();
        let (state, request) = State::joining(identity, name, folder, code, now);
        self.set_sync(Some(state))?;
        Ok(Joined { request, replaced })
    }

    /// Turns sync off: the device's keys and the sync state leave the vault.
    pub fn sync_disable(&mut self) -> Result<(), StateError> {
        self.sync_state()?;
        self.set_sync(None)
    }

    /// Replaces the sync state and writes the vault (the accounts are observed into a new state
    /// so they are this device's changes).
    fn set_sync(&mut self, sync: Option<State>) -> Result<(), StateError> {
        let store = self.store.clone();
        let u = self.unlocked_mut()?;
        let previous = std::mem::replace(&mut u.extra.sync, sync);
        if let Some(s) = u.extra.sync.as_mut() {
            let _ = s.observe(&u.accounts, crate::clock::unix_now_ms());
        }
        let count = u.accounts.len() as u32;
        let body = u.body();
        if let Err(e) = store.save(&mut u.session, &body, count) {
            u.extra.sync = previous;
            return Err(e.into());
        }
        Ok(())
    }

    /// Changes the sync state with `change` and writes the vault; restores it if the write fails.
    fn change_sync<T>(
        &mut self,
        change: impl FnOnce(&mut State) -> Result<T, StateError>,
    ) -> Result<T, StateError> {
        let store = self.store.clone();
        let u = self.unlocked_mut()?;
        let s = u.extra.sync.as_mut().ok_or(StateError::SyncOff)?;
        let before = s.clone();
        let value = change(s)?;
        let count = u.accounts.len() as u32;
        let body = u.body();
        if let Err(e) = store.save(&mut u.session, &body, count) {
            u.extra.sync = Some(before);
            return Err(e.into());
        }
        Ok(value)
    }

    /// Opens an invite; returns its one-time code.
    pub fn sync_invite(&mut self) -> Result<zeroize::Zeroizing<String>, StateError> {
        self.change_sync(|s| {
            if s.joining.is_some() {
                return Err(StateError::InvalidArgument(
                    "this device has not been admitted yet; invite from a device already syncing"
                        .into(),
                ));
            }
            s.invite(crate::clock::unix_now_ms())
                .map_err(|e| StateError::Internal(e.to_string()))
        })
    }

    /// Forgets the member `device` (its id, or a unique prefix of it, or its name).
    pub fn sync_forget(&mut self, device: &str) -> Result<String, StateError> {
        let id = self.find_device(device)?;
        self.change_sync(|s| {
            if id == s.id() {
                return Err(StateError::InvalidArgument(
                    "this is this device; to stop syncing here, disable sync".into(),
                ));
            }
            if s.forget(id, crate::clock::unix_now_ms()) {
                Ok(id.to_hex())
            } else {
                Err(StateError::NotFound(format!(
                    "device {id} (already forgotten)"
                )))
            }
        })
    }

    fn find_device(&self, device: &str) -> Result<DeviceId, StateError> {
        let s = self.sync_state()?;
        let wanted = device.trim().to_ascii_lowercase();
        let found: Vec<DeviceId> = s
            .doc
            .members
            .iter()
            .filter(|(id, m)| {
                (!wanted.is_empty() && id.to_hex().starts_with(&wanted))
                    || m.name.value.eq_ignore_ascii_case(device.trim())
            })
            .map(|(id, _)| *id)
            .collect();
        match found.as_slice() {
            [one] => Ok(*one),
            [] => Err(StateError::NotFound(format!("device {device:?}"))),
            _ => Err(StateError::InvalidArgument(format!(
                "{device:?} names more than one device; give more of its id"
            ))),
        }
    }

    /// Answers a join request: admits its device when one of this device's open invites made
    /// it, refuses it otherwise (recorded so the replica says so).
    pub fn sync_answer(&mut self, request: &Request) -> Result<JoinAnswer, StateError> {
        let now = crate::clock::unix_now_ms();
        let s = self.sync_state()?;
        if s.can_admit(request, now) {
            return self.change_sync(|s| {
                s.admit(request, now)
                    .map_err(|e| StateError::InvalidArgument(e.to_string()))
                    .map(|a| a.map_or(JoinAnswer::Nothing, JoinAnswer::Admitted))
            });
        }
        if s.can_refuse(request, now) {
            return self.change_sync(|s| {
                s.refuse(request, now);
                Ok(JoinAnswer::Refused(request.device))
            });
        }
        Ok(JoinAnswer::Nothing)
    }

    /// This device's replica, sealed for every member; `None` when sync is off or this device
    /// was forgotten. Not written to the vault: the clock catches up with the file at the next
    /// merge of this device's own replica.
    pub fn sync_export(&mut self) -> Result<Option<(DeviceId, Vec<u8>)>, StateError> {
        let u = self.unlocked_mut()?;
        let Some(s) = u.extra.sync.as_mut() else {
            return Ok(None);
        };
        if s.forgotten() {
            return Ok(None);
        }
        let (_, bytes) = s
            .export(crate::clock::unix_now_ms())
            .map_err(|e| StateError::Internal(e.to_string()))?;
        Ok(Some((s.id(), bytes)))
    }

    /// Merges a replica file: checked whole first, then merged and applied to the accounts in
    /// one vault write. A refused file changes nothing.
    pub fn sync_merge(&mut self, bytes: &[u8]) -> Result<SyncOutcome, SyncMergeError> {
        let store = self.store.clone();
        let u = self.unlocked_mut()?;
        let s = u.extra.sync.as_mut().ok_or(StateError::SyncOff)?;
        let now = crate::clock::unix_now_ms();
        let _ = s.observe(&u.accounts, now);
        let (before_sync, before_accounts) = (s.clone(), u.accounts.clone());
        let merged = s.import(bytes, now, &mut u.accounts)?;
        let from_name = merged
            .from
            .and_then(|d| s.doc.members.get(&d))
            .map(|m| m.name.value.clone())
            .unwrap_or_default();
        if merged.replay {
            return Ok(SyncOutcome { merged, from_name });
        }
        let count = u.accounts.len() as u32;
        let body = u.body();
        if let Err(e) = store.save(&mut u.session, &body, count) {
            u.extra.sync = Some(before_sync);
            u.accounts = before_accounts;
            return Err(StateError::from(e).into());
        }
        self.account_count = count;
        Ok(SyncOutcome { merged, from_name })
    }
}

/// Why a replica was not merged.
#[derive(Debug, thiserror::Error)]
pub enum SyncMergeError {
    /// The file was refused (named by the core); nothing changed.
    #[error(transparent)]
    Refused(#[from] ImportError),
    #[error(transparent)]
    State(#[from] StateError),
}

impl super::Service {
    /// Sync's public status, or `None` when it is off.
    pub fn sync_info(&self) -> Result<Option<SyncInfo>, StateError> {
        super::lock_state(self.state()).sync_info()
    }

    /// Turns sync on as the first device of a group.
    pub async fn sync_enable(
        &self,
        folder: String,
        name: String,
        who: &str,
    ) -> Result<String, StateError> {
        let id = self.blocking(move |s| s.sync_enable(folder, &name)).await?;
        tracing::info!(event = "sync-enabled", device = %id, caller = %who, "sync turned on");
        self.sync_noticed(
            "sync-enabled",
            "Sync turned on: this machine's accounts go to the sync folder, encrypted".into(),
        );
        Ok(id)
    }

    /// Turns sync on as a device joining with an invite code; returns the join request.
    pub async fn sync_join(
        &self,
        folder: String,
        name: String,
        code: Code,
        who: &str,
    ) -> Result<Joined, StateError> {
        let joined = self
            .blocking(move |s| s.sync_join(folder, &name, &code))
            .await?;
        tracing::info!(event = "sync-joined", device = %joined.request.device, caller = %who, "joining a sync group");
        self.sync_noticed(
            "sync-joined",
            "Sync: this machine asked to join; it syncs once the inviting machine admits it".into(),
        );
        Ok(joined)
    }

    /// Opens an invite and returns its code.
    pub async fn sync_invite(&self, who: &str) -> Result<zeroize::Zeroizing<String>, StateError> {
        let code = self.blocking(|s| s.sync_invite()).await?;
        tracing::info!(event = "sync-invite", caller = %who, "sync invite opened");
        self.sync_noticed(
            "sync-invite",
            "Sync: an invite code was made; whoever types it in the next 24 hours joins".into(),
        );
        Ok(code)
    }

    /// Forgets a member device.
    pub async fn sync_forget(&self, device: String, who: &str) -> Result<String, StateError> {
        let id = self.blocking(move |s| s.sync_forget(&device)).await?;
        tracing::info!(event = "sync-forgot", device = %id, caller = %who, "sync device forgotten");
        self.sync_noticed(
            "sync-forgot",
            format!("Sync: device {id} was forgotten; its later files are ignored"),
        );
        self.events().publish(Event::Stored);
        Ok(id)
    }

    /// Turns sync off.
    pub async fn sync_disable(&self, who: &str) -> Result<(), StateError> {
        self.blocking(|s| s.sync_disable()).await?;
        tracing::info!(event = "sync-disabled", caller = %who, "sync turned off");
        self.sync_noticed(
            "sync-disabled",
            "Sync turned off; this machine's keys for it were deleted".into(),
        );
        Ok(())
    }

    /// Answers another device's join request (admits or refuses it).
    pub async fn sync_answer(&self, request: Request) -> Result<JoinAnswer, StateError> {
        let answer = self.blocking(move |s| s.sync_answer(&request)).await?;
        match answer {
            JoinAnswer::Admitted(id) => {
                tracing::info!(event = "sync-admitted", device = %id, "a device joined with an invite code");
                self.sync_noticed(
                    "sync-admitted",
                    format!("Sync: device {id} joined with an invite code"),
                );
            }
            JoinAnswer::Refused(id) => {
                tracing::warn!(event = "sync-join-refused", device = %id, "a join request matched no open invite");
                let message = format!(
                    "Sync: device {id} asked to join with a code that matches no open invite here; it was refused"
                );
                // A desktop notification while the person is pairing (an invite is open); at
                // other times (someone with the folder writing requests) the event alone.
                let pairing = self
                    .sync_info()
                    .ok()
                    .flatten()
                    .is_some_and(|i| i.open_invites > 0);
                if pairing {
                    self.sync_noticed("sync-join-refused", message);
                } else {
                    self.events()
                        .security(Security::new("sync-join-refused", message));
                    self.events().publish(Event::SyncChanged);
                }
            }
            JoinAnswer::Nothing => {}
        }
        Ok(answer)
    }

    /// Seals this device's replica (off the async workers).
    pub async fn sync_export(&self) -> Result<Option<(DeviceId, Vec<u8>)>, StateError> {
        self.blocking(|s| s.sync_export()).await
    }

    /// Merges a replica file and publishes what it changed as ordinary changes.
    pub async fn sync_merge(&self, bytes: Vec<u8>) -> Result<SyncOutcome, SyncMergeError> {
        let wanted = self.wants_copies();
        let (outcome, sealed) = self
            .blocking(move |s| {
                let outcome = s.sync_merge(&bytes);
                let wrote = matches!(&outcome, Ok(o) if !o.merged.replay);
                Ok((outcome, (wrote && wanted).then(|| s.sealed())))
            })
            .await?;
        let outcome = outcome?;
        if outcome.merged.replay {
            return Ok(outcome);
        }
        self.saved(sealed);
        if outcome.merged.refused {
            tracing::warn!(
                event = "sync-join-refused",
                "the inviting device refused this device's join request"
            );
            self.sync_noticed(
                "sync-join-refused",
                format!("Sync: {}", latchkey_core::sync::JoinError::Refused),
            );
        }
        let c = outcome.changes();
        if !c.is_empty() {
            tracing::info!(
                event = "sync-merged",
                from = %outcome.merged.from.map(|d| d.to_hex()).unwrap_or_default(),
                added = c.added.len(),
                removed = c.removed.len(),
                updated = c.updated.len(),
                "merged another device's changes"
            );
            self.events().publish(Event::AccountsChanged {
                added: c.added.clone(),
                removed: c.removed.clone(),
                updated: c.updated.clone(),
            });
        }
        self.events().publish(Event::SyncChanged);
        Ok(outcome)
    }

    /// Publishes a sync change as a security event with a desktop notification.
    fn sync_noticed(&self, kind: &'static str, message: String) {
        self.events()
            .security(Security::new(kind, message.clone()).notify(
                "Latchkey sync",
                message,
                Urgency::Normal,
            ));
        self.events().publish(Event::SyncChanged);
    }
}
