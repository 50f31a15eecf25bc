//! Reading, adding, editing and removing accounts, the checks their fields pass first, and
//! their codes (an HOTP code advances and persists its counter before it is returned).

use super::{StateError, VaultState};
use crate::accounts::{Account, Accounts, parse_algorithm};
use crate::clock::unix_now;
use crate::otp::Code;
use crate::otp::{Kind, OtpParams, Secret, parse_uri};
use crate::sites::{self, Match, Page};

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
    /// The whole list of sites (read by [`crate::sites::normalize_all`]); empty clears it.
    pub sites: Option<Vec<String>>,
}

/// Longest issuer or account label accepted, in bytes.
const MAX_LABEL: usize = 512;

impl VaultState {
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

    /// The accounts that belong to `page` (by their sites, or the issuer guess), in display
    /// order, with how each matched.
    pub fn belonging_to(&self, page: &Page) -> Result<Vec<(&Account, Match)>, StateError> {
        Ok(self
            .accounts()?
            .filter_map(|a| sites::matches(&a.sites, &a.issuer, page).map(|m| (a, m)))
            .collect())
    }

    /// Adds `site` to account `id`'s sites (a guessed site the user confirmed).
    pub fn add_site(&mut self, id: &str, site: &str) -> Result<(), StateError> {
        let mut sites = self.account(id)?.sites.clone();
        if sites.iter().any(|s| s == site) {
            return Ok(());
        }
        sites.push(site.to_string());
        self.update(
            id,
            AccountEdit {
                sites: Some(sites),
                ..AccountEdit::default()
            },
        )
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
        if let Some(sites) = edit.sites {
            updated.sites = crate::sites::normalize_all(sites.iter().map(String::as_str))
                .map_err(|e| StateError::InvalidArgument(e.to_string()))?;
        }
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
        // The same account twice is one account: a retry, or an app adding it again and again.
        if let Some(existing) = self.accounts()?.find(|a| {
            a.issuer == issuer && a.account == account && a.params.secret == params.secret
        }) {
            return Err(StateError::AlreadyExists(existing.id.clone()));
        }
        let id = uuid::Uuid::new_v4().to_string();
        let new = Account {
            id: id.clone(),
            issuer,
            account,
            sites: Vec::new(),
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

impl VaultState {
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
}

fn set_counter(accounts: &mut Accounts, id: &str, counter: u64) {
    if let Some(a) = accounts.get_mut(id) {
        a.params.kind = Kind::Hotp { counter };
    }
}
