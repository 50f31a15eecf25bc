//! Steam Guard secrets: a Steam Desktop Authenticator `.maFile` (one account), or the Steam
//! app's own file (`files/Steamguard-STEAMID` of `com.valvesoftware.android.steam.community`,
//! older versions, from a rooted phone), which keeps accounts under `accounts`.
//!
//! Each account has a base64 `shared_secret` and `account_name`; codes are Steam Guard's
//! (SHA-1, 5 characters, 30 s). Revocation codes and the confirmation `identity_secret` are not
//! kept: Latchkey makes codes, it does not confirm trades. SDA's encrypted maFiles (base64, not
//! JSON) are refused: decrypt them in SDA first.

use super::fields::Fields;
use super::{Entries, EntryFault, ImportError, MAX_ENTRIES};
use crate::otp::Secret;
use serde::Deserialize;
use std::collections::BTreeMap;

const APP: &str = "Steam";

#[derive(Deserialize)]
struct File {
    accounts: Option<BTreeMap<String, Account>>,
    #[serde(flatten)]
    single: Option<Account>,
}

#[derive(Deserialize)]
struct Account {
    shared_secret: Option<super::fields::SecretText>,
    #[serde(default)]
    account_name: String,
}

/// Reads a maFile or the app's Steamguard file.
pub fn parse(bytes: &[u8]) -> Result<Entries, ImportError> {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ImportError::malformed(
            APP,
            "not a maFile (an encrypted one must be decrypted in Steam Desktop Authenticator first)",
        ));
    }
    let file: File = serde_json::from_slice(bytes)
        .map_err(|e| ImportError::malformed(APP, format!("not a Steam Guard file ({e})")))?;
    let accounts: Vec<Account> = match (file.accounts, file.single) {
        (Some(map), _) => map.into_values().collect(),
        (None, Some(one)) if one.shared_secret.is_some() => vec![one],
        _ => return Err(ImportError::malformed(APP, "the file has no shared_secret")),
    };
    if accounts.len() > MAX_ENTRIES {
        return Err(ImportError::TooManyEntries);
    }
    let entries = accounts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let secret = match &a.shared_secret {
                Some(s) => super::base64(APP, &s.0, "shared_secret")
                    .map(|b| Secret::from_bytes(b.to_vec()))
                    .map_err(|_| EntryFault::Encoding("base64")),
                None => Err(EntryFault::MissingSecret),
            };
            Fields {
                issuer: APP.into(),
                account: a.account_name.clone(),
                kind: "STEAM",
                algorithm: None,
                digits: None,
                period: None,
                counter: None,
            }
            .build(i + 1, secret)
        })
        .collect();
    Ok((entries, vec![]))
}
