//! The daemon's vault state machine: absent, locked or unlocked, and every operation on it.
//!
//! Knows nothing of D-Bus. Each mutation is written to disk before it is acknowledged, and is
//! undone in memory if the write fails, so memory and disk never disagree.

use crate::accounts::{Account, Accounts, BodyError, parse_algorithm};
use crate::lock::LockReason;
use crate::lock::idle::Activity;
use crate::otp::{Code, Kind, OtpParams, ParamError, Secret, SecretError, UriError, parse_uri};
use crate::throttle::Throttle;
use crate::vault::{KdfParams, Session, Store, VaultError};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Why an operation was refused; the bus layer maps each to a named D-Bus error.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("the vault is locked")]
    Locked,
    #[error("there is no vault yet; create one with `latchkey init`")]
    NotInitialized,
    #[error("a vault already exists; it is never overwritten")]
    AlreadyInitialized,
    #[error("the vault is already unlocked")]
    AlreadyUnlocked,
    #[error("no account with id {0}")]
    NotFound(String),
    #[error("invalid otpauth URI: {0}")]
    InvalidUri(#[from] UriError),
    #[error("{0}")]
    InvalidArgument(String),
    #[error("wrong passphrase")]
    BadPassphrase,
    #[error("too many wrong passphrases: try again in {0} s")]
    RateLimited(u64),
    #[error("{0}")]
    Keyring(String),
    #[error(transparent)]
    Vault(VaultError),
    #[error(transparent)]
    Body(#[from] BodyError),
}

impl From<VaultError> for StateError {
    fn from(e: VaultError) -> Self {
        match e {
            VaultError::BadPassphrase => StateError::BadPassphrase,
            VaultError::AlreadyExists(_) => StateError::AlreadyInitialized,
            e @ (VaultError::KeyringKeyRejected | VaultError::NoKeyringSlot) => {
                StateError::Keyring(e.to_string())
            }
            other => StateError::Vault(other),
        }
    }
}

impl From<ParamError> for StateError {
    fn from(e: ParamError) -> Self {
        StateError::InvalidArgument(e.to_string())
    }
}

impl From<SecretError> for StateError {
    fn from(e: SecretError) -> Self {
        StateError::InvalidArgument(e.to_string())
    }
}

/// An account's fields as a client supplies them (the secret is base32 and is wiped on drop).
pub struct NewAccount<'a> {
    pub issuer: &'a str,
    pub account: &'a str,
    pub secret: &'a str,
    pub kind: &'a str,
    pub algorithm: &'a str,
    pub digits: u32,
    pub period: u32,
    pub counter: u64,
}

/// Edits to an account; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct AccountEdit {
    pub issuer: Option<String>,
    pub account: Option<String>,
    pub algorithm: Option<String>,
    pub digits: Option<u32>,
    pub period: Option<u32>,
}

struct Unlocked {
    session: Session,
    accounts: Accounts,
}

/// The vault as the daemon holds it.
pub struct VaultState {
    store: Store,
    kdf: KdfParams,
    initialized: bool,
    account_count: u32,
    unlocked: Option<Unlocked>,
    lock_reason: LockReason,
    locked_since: u64,
    has_keyring_slot: bool,
    pending_requests: usize,
    throttle: Throttle,
    activity: Arc<Activity>,
    /// Automatic backups after every change; none until the service sets them up.
    backups: Option<Arc<crate::backup::Backups>>,
}

/// Longest issuer or account label accepted, in bytes.
const MAX_LABEL: usize = 512;

impl VaultState {
    /// Reads the vault header (if any) so status is known before the first unlock.
    pub fn open(store: Store, kdf: KdfParams, activity: Arc<Activity>) -> Result<Self, StateError> {
        let mut state = Self::unreadable(store, kdf, activity);
        if state.store.exists() {
            let header = state.store.inspect()?;
            state.account_count = header.account_count;
            state.has_keyring_slot = header.has_keyring_slot;
        } else {
            state.initialized = false;
        }
        Ok(state)
    }

    /// A vault whose header cannot be read: it counts as existing (so it is never overwritten)
    /// and every unlock reports why it cannot be read.
    pub fn unreadable(store: Store, kdf: KdfParams, activity: Arc<Activity>) -> Self {
        let throttle = Throttle::load(Throttle::path_for(store.path()));
        Self {
            store,
            kdf,
            initialized: true,
            account_count: 0,
            unlocked: None,
            lock_reason: LockReason::Startup,
            locked_since: unix_now(),
            has_keyring_slot: false,
            pending_requests: 0,
            throttle,
            activity,
            backups: None,
        }
    }

    /// Why the vault is locked (meaningful while locked).
    pub fn lock_reason(&self) -> LockReason {
        self.lock_reason
    }

    /// Unix time the vault was last locked (or the daemon started).
    pub fn locked_since(&self) -> u64 {
        self.locked_since
    }

    /// The brute-force counter, for status.
    pub fn throttle(&self) -> &Throttle {
        &self.throttle
    }

    /// Turns on automatic backups after every change (the service does, tests of the core need not).
    pub fn set_backups(&mut self, backups: Arc<crate::backup::Backups>) {
        self.backups = Some(backups);
    }

    /// The unlocked session, for exports and backups.
    pub fn session(&self) -> Result<&Session, StateError> {
        Ok(&self.unlocked.as_ref().ok_or(StateError::Locked)?.session)
    }

    /// Runs `f` on the session and the serialised accounts (for copies: exports, backups).
    pub fn with_body<T>(&self, f: impl FnOnce(&Session, &[u8], u32) -> T) -> Result<T, StateError> {
        let u = self.unlocked.as_ref().ok_or(StateError::Locked)?;
        Ok(f(
            &u.session,
            &u.accounts.to_body(),
            u.accounts.len() as u32,
        ))
    }

    /// A restored file became the vault: from now on the vault exists. (A backup has no keyring
    /// slot, but a plain copy of a vault file may.)
    pub(crate) fn mark_initialized(&mut self) {
        self.initialized = true;
        self.has_keyring_slot = self.store.inspect().is_ok_and(|h| h.has_keyring_slot);
    }

    /// Records client activity for the inactivity timer.
    pub fn touch(&self) {
        self.activity.touch();
    }

    /// The store, so slow work (the KDF) can run without holding the state.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Whether a vault file exists.
    pub fn initialized(&self) -> bool {
        self.initialized
    }

    /// Whether the vault is locked.
    pub fn locked(&self) -> bool {
        self.unlocked.is_none()
    }

    /// Account count, known from the header while locked.
    pub fn account_count(&self) -> u32 {
        self.account_count
    }

    /// One line for `systemctl status` and diagnostics: lock state and account count.
    pub fn status_line(&self) -> String {
        if !self.initialized {
            return "No vault yet: run `latchkey init`".into();
        }
        let state = if self.locked() {
            format!("Locked ({})", self.lock_reason.as_str())
        } else {
            "Unlocked".into()
        };
        let n = self.account_count;
        let mut line = format!("{state}, {n} account{}", if n == 1 { "" } else { "s" });
        if self.pending_requests > 0 {
            line.push_str(&format!(
                ", {} request(s) awaiting an answer",
                self.pending_requests
            ));
        }
        line
    }

    /// Records how many approval requests are pending, for the status line.
    pub fn set_pending_requests(&mut self, n: usize) {
        self.pending_requests = n;
    }

    /// Creates the vault and leaves it unlocked (runs the KDF: call from a blocking context).
    pub fn create(&mut self, passphrase: &[u8]) -> Result<(), StateError> {
        if self.initialized || self.store.exists() {
            return Err(StateError::AlreadyInitialized);
        }
        let accounts = Accounts::default();
        let session = self
            .store
            .create(passphrase, self.kdf, &accounts.to_body(), 0)?;
        self.initialized = true;
        self.account_count = 0;
        self.unlocked = Some(Unlocked { session, accounts });
        self.activity.set_unlocked(true);
        Ok(())
    }

    /// Installs the result of [`Store::unlock`], which the caller ran outside the state lock.
    pub fn finish_unlock(
        &mut self,
        session: Session,
        body: &[u8],
        by_passphrase: bool,
    ) -> Result<(), StateError> {
        let accounts = Accounts::from_body(body)?;
        // Still locked, so no write of ours is under way, and the bus name makes this daemon the
        // only writer: temp files next to the vault are what a crash mid-write left. Each is a
        // whole older copy of the vault (old seeds, old passphrase slot): do not let them pile up.
        match self.store.remove_leftovers() {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                event = "leftovers-removed",
                count = n,
                "removed {n} temp file(s) left by an interrupted write"
            ),
            Err(e) => tracing::warn!("cannot remove temp files left by an interrupted write: {e}"),
        }
        self.account_count = accounts.len() as u32;
        self.unlocked = Some(Unlocked { session, accounts });
        // Only the passphrase proves the passphrase: a keyring unlock leaves the counter alone.
        if by_passphrase {
            self.throttle.record_success();
        }
        self.activity.set_unlocked(true);
        Ok(())
    }

    /// Checks that an unlock makes sense, and is not too early, before the slow KDF runs.
    pub fn check_can_unlock(&self) -> Result<(), StateError> {
        if !self.initialized {
            return Err(StateError::NotInitialized);
        }
        if self.unlocked.is_some() {
            return Err(StateError::AlreadyUnlocked);
        }
        self.throttle
            .check(unix_now())
            .map_err(StateError::RateLimited)
    }

    /// Checks that a keyring unlock makes sense (it is not subject to the passphrase delay).
    pub fn check_can_unlock_with_keyring(&self) -> Result<(), StateError> {
        if !self.initialized {
            return Err(StateError::NotInitialized);
        }
        if self.unlocked.is_some() {
            return Err(StateError::AlreadyUnlocked);
        }
        if !self.has_keyring_slot {
            return Err(StateError::Keyring(
                "keyring unlock is not enabled (latchkey keyring enable)".into(),
            ));
        }
        Ok(())
    }

    /// Whether the vault has a keyring slot.
    pub fn has_keyring_slot(&self) -> bool {
        self.has_keyring_slot
    }

    /// Adds (or replaces) the keyring slot wrapping the master key with `key`.
    pub fn enable_keyring(&mut self, key: &[u8; 32]) -> Result<(), StateError> {
        let store = self.store.clone();
        let u = self.unlocked_mut()?;
        let body = u.accounts.to_body();
        let count = u.accounts.len() as u32;
        store.add_keyring_slot(&mut u.session, key, &body, count)?;
        self.has_keyring_slot = true;
        Ok(())
    }

    /// Removes the keyring slot.
    pub fn disable_keyring(&mut self) -> Result<(), StateError> {
        let store = self.store.clone();
        let u = self.unlocked_mut()?;
        let body = u.accounts.to_body();
        let count = u.accounts.len() as u32;
        match store.remove_keyring_slot(&mut u.session, &body, count) {
            Ok(()) | Err(VaultError::NoKeyringSlot) => {}
            Err(e) => return Err(e.into()),
        }
        self.has_keyring_slot = false;
        Ok(())
    }

    /// Counts a wrong passphrase (persisted, so restarts do not reset the delay).
    pub fn record_bad_passphrase(&mut self) {
        self.throttle.record_failure(unix_now());
    }

    /// Drops the session and every account; their key and seed buffers zeroize on drop.
    /// Returns whether the vault was unlocked.
    pub fn lock(&mut self, reason: LockReason) -> bool {
        let was_unlocked = self.unlocked.take().is_some();
        if was_unlocked {
            self.lock_reason = reason;
            self.locked_since = unix_now();
            self.activity.set_unlocked(false);
        }
        was_unlocked
    }

    /// Changes the passphrase (runs the KDF twice; call from a blocking context).
    pub fn change_passphrase(&mut self, old: &[u8], new: &[u8]) -> Result<(), StateError> {
        let kdf = self.kdf;
        let store = self.store.clone();
        let backups = self.backups.clone();
        let u = self.unlocked_mut()?;
        let body = u.accounts.to_body();
        let count = u.accounts.len() as u32;
        store.change_passphrase(&mut u.session, old, new, kdf, &body, count)?;
        // Backups made from now on open with the new passphrase only.
        if let Some(b) = backups {
            b.after_change(&u.session, &body, count);
        }
        Ok(())
    }

    /// Accounts in display order.
    pub fn accounts(&self) -> Result<impl Iterator<Item = &Account>, StateError> {
        Ok(self
            .unlocked
            .as_ref()
            .ok_or(StateError::Locked)?
            .accounts
            .iter())
    }

    /// The account with this id.
    pub fn account(&self, id: &str) -> Result<&Account, StateError> {
        let u = self.unlocked.as_ref().ok_or(StateError::Locked)?;
        u.accounts
            .get(id)
            .ok_or_else(|| StateError::NotFound(id.to_string()))
    }

    /// The current code; HOTP advances and persists the counter before the code is returned.
    pub fn code(&mut self, id: &str) -> Result<Code, StateError> {
        let account = self.account(id)?;
        match account.params.kind {
            Kind::Totp { .. } | Kind::Steam => account
                .params
                .time_code(unix_now())
                .map_err(|e| StateError::InvalidArgument(e.to_string())),
            Kind::Hotp { counter } => {
                let next = counter.checked_add(1).ok_or_else(|| {
                    StateError::InvalidArgument("the HOTP counter is exhausted".into())
                })?;
                let id_owned = id.to_string();
                self.mutate(|accounts| {
                    set_counter(accounts, &id_owned, next);
                    Box::new(move |accounts| set_counter(accounts, &id_owned, counter))
                })?;
                self.account(id)?
                    .params
                    .counter_code(counter)
                    .map_err(|e| StateError::InvalidArgument(e.to_string()))
            }
        }
    }

    /// The code of the time window after the current one (TOTP and Steam only).
    pub fn next_code(&self, id: &str) -> Result<Code, StateError> {
        let params = &self.account(id)?.params;
        let period = u64::from(params.period().ok_or_else(|| {
            StateError::InvalidArgument("a counter-based account has no next code".into())
        })?);
        let now = unix_now();
        params
            .time_code(now - now % period + period)
            .map_err(|e| StateError::InvalidArgument(e.to_string()))
    }

    /// Adds an account from an otpauth URI; returns its new id.
    pub fn add_uri(&mut self, uri: &str) -> Result<String, StateError> {
        self.unlocked_mut()?;
        let parsed = parse_uri(uri)?;
        self.insert(parsed.issuer, parsed.account, parsed.params)
    }

    /// Adds an account from fields; returns its new id.
    pub fn add_fields(&mut self, new: &NewAccount<'_>) -> Result<String, StateError> {
        self.unlocked_mut()?;
        let algorithm = parse_algorithm(new.algorithm).ok_or_else(|| {
            StateError::InvalidArgument(format!(
                "unknown algorithm {:?} (use sha1, sha256 or sha512)",
                new.algorithm
            ))
        })?;
        let kind = match new.kind.to_ascii_lowercase().as_str() {
            "totp" => Kind::Totp { period: new.period },
            "hotp" => Kind::Hotp {
                counter: new.counter,
            },
            "steam" => Kind::Steam,
            other => {
                return Err(StateError::InvalidArgument(format!(
                    "unknown kind {other:?} (use totp, hotp or steam)"
                )));
            }
        };
        let digits = if matches!(kind, Kind::Steam) {
            5
        } else {
            to_digits(new.digits)?
        };
        let secret = Secret::from_base32(new.secret)?;
        let params = OtpParams::new(secret, algorithm, digits, kind)?;
        self.insert(new.issuer.to_string(), new.account.to_string(), params)
    }

    /// Applies edits after validating them all.
    pub fn update(&mut self, id: &str, edit: AccountEdit) -> Result<(), StateError> {
        let current = self.account(id)?.clone();
        let mut updated = current.clone();
        if let Some(issuer) = edit.issuer {
            updated.issuer = issuer;
        }
        if let Some(account) = edit.account {
            updated.account = account;
        }
        check_labels(&updated.issuer, &updated.account)?;
        let p = &current.params;
        let algorithm = match edit.algorithm {
            Some(a) => parse_algorithm(&a).ok_or_else(|| {
                StateError::InvalidArgument(format!(
                    "unknown algorithm {a:?} (use sha1, sha256 or sha512)"
                ))
            })?,
            None => p.algorithm,
        };
        let digits = match edit.digits {
            Some(d) => to_digits(d)?,
            None => p.digits,
        };
        let kind = match (p.kind, edit.period) {
            (Kind::Totp { .. }, Some(period)) => Kind::Totp { period },
            (_, Some(_)) => {
                return Err(StateError::InvalidArgument(
                    "only TOTP accounts have a period".into(),
                ));
            }
            (k, None) => k,
        };
        updated.params = OtpParams::new(p.secret.clone(), algorithm, digits, kind)?;
        self.mutate(|accounts| {
            replace(accounts, updated);
            Box::new(move |accounts| replace(accounts, current))
        })
    }

    /// Removes an account.
    pub fn remove(&mut self, id: &str) -> Result<(), StateError> {
        self.account(id)?;
        self.mutate(|accounts| {
            let removed = accounts.remove(id);
            Box::new(move |accounts| {
                if let Some((position, a)) = removed {
                    accounts.insert_at(position, a);
                }
            })
        })
    }

    fn insert(
        &mut self,
        issuer: String,
        account: String,
        params: OtpParams,
    ) -> Result<String, StateError> {
        check_labels(&issuer, &account)?;
        let id = uuid::Uuid::new_v4().to_string();
        let new = Account {
            id: id.clone(),
            issuer,
            account,
            params,
        };
        let undo_id = id.clone();
        self.mutate(|accounts| {
            accounts.push(new);
            Box::new(move |accounts| {
                accounts.remove(&undo_id);
            })
        })?;
        Ok(id)
    }

    /// Appends accounts (new ids) in one write, so an import is all or nothing.
    pub(crate) fn append_all(&mut self, new: Vec<Account>) -> Result<(), StateError> {
        let ids: Vec<String> = new.iter().map(|a| a.id.clone()).collect();
        self.mutate(|accounts| {
            new.into_iter().for_each(|a| accounts.push(a));
            Box::new(move |accounts| ids.iter().for_each(|id| drop(accounts.remove(id))))
        })
    }

    fn unlocked_mut(&mut self) -> Result<&mut Unlocked, StateError> {
        self.unlocked.as_mut().ok_or(StateError::Locked)
    }

    /// Applies `change`, writes the vault, and runs the undo `change` returned if the write fails.
    fn mutate(&mut self, change: impl FnOnce(&mut Accounts) -> Undo) -> Result<(), StateError> {
        // Adding, editing and removing accounts is use, like a code request.
        self.activity.touch();
        let store = self.store.clone();
        let backups = self.backups.clone();
        let u = self.unlocked_mut()?;
        let undo = change(&mut u.accounts);
        let count = u.accounts.len() as u32;
        let body = u.accounts.to_body();
        if let Err(e) = store.save(&mut u.session, &body, count) {
            undo(&mut u.accounts);
            return Err(e.into());
        }
        if let Some(b) = backups {
            b.after_change(&u.session, &body, count);
        }
        self.account_count = count;
        Ok(())
    }
}

/// Reverts an in-memory change whose write to disk failed.
type Undo = Box<dyn FnOnce(&mut Accounts)>;

fn set_counter(accounts: &mut Accounts, id: &str, counter: u64) {
    if let Some(a) = accounts.get_mut(id) {
        a.params.kind = Kind::Hotp { counter };
    }
}

fn replace(accounts: &mut Accounts, account: Account) {
    if let Some(a) = accounts.get_mut(&account.id) {
        *a = account;
    }
}

fn to_digits(d: u32) -> Result<u8, StateError> {
    u8::try_from(d).map_err(|_| {
        StateError::InvalidArgument(format!("digits must be between 6 and 10, got {d}"))
    })
}

/// Refuses empty, over-long or control-character labels (also for imported entries).
pub(crate) fn check_labels(issuer: &str, account: &str) -> Result<(), StateError> {
    if account.trim().is_empty() && issuer.trim().is_empty() {
        return Err(StateError::InvalidArgument(
            "an account needs an issuer or an account name".into(),
        ));
    }
    for (what, s) in [("issuer", issuer), ("account name", account)] {
        if s.len() > MAX_LABEL {
            return Err(StateError::InvalidArgument(format!(
                "the {what} is longer than {MAX_LABEL} bytes"
            )));
        }
        if s.chars().any(char::is_control) {
            return Err(StateError::InvalidArgument(format!(
                "the {what} contains control characters"
            )));
        }
    }
    Ok(())
}

/// Seconds since the epoch (0 if the clock is before 1970, which codes will then show).
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
