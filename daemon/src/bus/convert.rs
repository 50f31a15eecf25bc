//! Conversions between the daemon's types and the bus types of the contract.

use crate::accounts::{Account, algorithm_name};
use crate::otp::Kind;
use crate::push::PushToken;
use crate::state::AccountEdit;
use latchkey_dbus::{AccountExtra, AccountInfo, AccountKind, Error};
use std::collections::HashMap;
use zbus::zvariant::OwnedValue;

/// A push token as listed: kind `push`, issuer and serial, no digits or period.
pub fn token_info(t: &PushToken) -> AccountInfo {
    AccountInfo {
        id: t.id.clone(),
        issuer: t.issuer.clone(),
        account: t.serial.clone(),
        kind: AccountKind::Push,
        algorithm: String::new(),
        digits: 0,
        period: 0,
        extra: AccountExtra {
            serial: Some(t.serial.clone()),
            url: Some(t.url.clone()),
            approval_only: Some(true),
            ..AccountExtra::default()
        },
    }
}

/// Account metadata as listed on the bus (never the secret).
pub fn info(a: &Account) -> AccountInfo {
    let (kind, counter) = match a.params.kind {
        Kind::Totp { .. } => (AccountKind::Totp, None),
        Kind::Hotp { counter } => (AccountKind::Hotp, Some(counter)),
        Kind::Steam => (AccountKind::Steam, None),
    };
    AccountInfo {
        id: a.id.clone(),
        issuer: a.issuer.clone(),
        account: a.account.clone(),
        kind,
        algorithm: algorithm_name(a.params.algorithm).to_string(),
        digits: u32::from(a.params.digits),
        period: a.params.period().unwrap_or(0),
        extra: AccountExtra {
            counter,
            sites: (!a.sites.is_empty()).then(|| a.sites.clone()),
            ..AccountExtra::default()
        },
    }
}

/// Validated edits from an `UpdateAccount` dictionary.
pub fn edit_from(changes: HashMap<String, OwnedValue>) -> Result<AccountEdit, Error> {
    let mut edit = AccountEdit::default();
    for (key, value) in changes {
        let bad = |want: &str| Error::InvalidArgument(format!("{key} must be {want}"));
        match key.as_str() {
            "issuer" => edit.issuer = Some(String::try_from(value).map_err(|_| bad("a string"))?),
            "account" => edit.account = Some(String::try_from(value).map_err(|_| bad("a string"))?),
            "algorithm" => {
                edit.algorithm = Some(String::try_from(value).map_err(|_| bad("a string"))?)
            }
            "digits" => edit.digits = Some(u32::try_from(value).map_err(|_| bad("a uint32"))?),
            "period" => edit.period = Some(u32::try_from(value).map_err(|_| bad("a uint32"))?),
            "sites" => {
                edit.sites =
                    Some(Vec::<String>::try_from(value).map_err(|_| bad("an array of strings"))?)
            }
            other => {
                return Err(Error::InvalidArgument(format!(
                    "unknown field {other:?} (editable: issuer, account, algorithm, digits, \
                     period, sites)"
                )));
            }
        }
    }
    Ok(edit)
}
