//! Codes: the current one (an HOTP code advances and persists its counter first) and the next.

use super::{StateError, VaultState};
use crate::accounts::Accounts;
use crate::clock::unix_now;
use crate::otp::{Code, Kind};

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
