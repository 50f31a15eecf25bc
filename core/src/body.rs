//! The vault body as the vault file holds it: the accounts and, while sync is on, this device's
//! sync state (its keys, clock and the replicated document; docs/sync.md).
//!
//! A body with a sync state is version 2, so a Latchkey from before sync refuses it ("newer
//! than this Latchkey understands") instead of saving it again without the sync state. Copies
//! (backups, exports) carry the accounts alone ([`Accounts::to_body`], version 1): a device's
//! sync keys never leave its vault.

use crate::accounts::{Account, Accounts, BodyError, NEWEST_BODY_VERSION};
use crate::sync::State;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// The version of a body with a sync state.
const SYNC_VERSION: u32 = 2;

#[derive(Deserialize)]
struct BodyIn {
    version: u32,
    accounts: Vec<Account>,
    #[serde(default)]
    sync: Option<State>,
}

#[derive(Serialize)]
struct BodyOut<'a> {
    version: u32,
    #[serde(serialize_with = "accounts")]
    accounts: &'a Accounts,
    sync: &'a State,
}

fn accounts<S: serde::Serializer>(a: &&Accounts, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(a.iter())
}

/// Reads a decrypted vault body: the accounts and, if sync is on, this device's sync state.
pub fn read(bytes: &[u8]) -> Result<(Accounts, Option<State>), BodyError> {
    // serde_json's errors carry positions, never the input text.
    let body: BodyIn =
        serde_json::from_slice(bytes).map_err(|e| BodyError::Format(e.to_string()))?;
    if body.version > NEWEST_BODY_VERSION {
        return Err(BodyError::Version(body.version));
    }
    let mut accounts = Accounts::default();
    for account in body.accounts {
        accounts.push(account);
    }
    Ok((accounts, body.sync))
}

/// Serialises the vault body into a buffer wiped on drop.
pub fn write(accounts: &Accounts, sync: Option<&State>) -> Zeroizing<Vec<u8>> {
    let Some(sync) = sync else {
        return accounts.to_body();
    };
    // Sized up front so growth does not leave copies of seeds in freed memory (the sync state
    // holds every account a second time, with its stamps).
    let mut out = Zeroizing::new(Vec::with_capacity(
        4096 + (accounts.len() + sync.doc.accounts.len()) * 600,
    ));
    let body = BodyOut {
        version: SYNC_VERSION,
        accounts,
        sync,
    };
    if serde_json::to_writer(&mut *out, &body).is_err() {
        // Writing plain data structures to a Vec cannot fail; keep an empty body rather than panic.
        out.clear();
    }
    out
}
