//! Duo Mobile's third-party accounts (`files/duokit/accounts.json` of
//! `com.duosecurity.duomobile`, from a rooted phone): a JSON array of accounts with `name` and
//! `otpGenerator` (`otpSecret` in base32, and `counter` for HOTP accounts). Codes are SHA-1, 6
//! digits, 30 seconds. Duo Push accounts (no `otpSecret`) are passed over with a note: their
//! approvals only work in Duo Mobile.

use super::fields::Fields;
use super::{Entries, ImportError, MAX_ENTRIES};
use serde::Deserialize;

const APP: &str = "Duo Mobile";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Account {
    #[serde(default)]
    name: String,
    otp_generator: Option<Generator>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Generator {
    otp_secret: Option<super::fields::SecretText>,
    counter: Option<i64>,
}

/// Reads Duo Mobile's account list.
pub fn parse(bytes: &[u8]) -> Result<Entries, ImportError> {
    let list: Vec<Account> = serde_json::from_slice(bytes)
        .map_err(|e| ImportError::malformed(APP, format!("not Duo's account list ({e})")))?;
    if list.len() > MAX_ENTRIES {
        return Err(ImportError::TooManyEntries);
    }
    let mut entries = Vec::new();
    let mut push = 0;
    for a in &list {
        let Some(generator) = a.otp_generator.as_ref().filter(|g| g.otp_secret.is_some()) else {
            push += 1;
            continue;
        };
        let kind = if generator.counter.is_some() {
            "HOTP"
        } else {
            "TOTP"
        };
        entries.push(
            Fields {
                issuer: String::new(),
                account: a.name.clone(),
                kind,
                algorithm: None,
                digits: None,
                period: None,
                counter: generator.counter,
            }
            .build(
                entries.len() + 1,
                super::fields::SecretText::decode(generator.otp_secret.as_ref()),
            ),
        );
    }
    let notes = if push > 0 {
        vec![format!(
            "{push} Duo account(s) without a code secret (Duo Push) passed over"
        )]
    } else {
        vec![]
    };
    Ok((entries, notes))
}
