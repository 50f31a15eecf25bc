//! The vault body as the vault file holds it: the accounts and, while sync is on, this device's
//! sync state (its keys, clock and the replicated document; docs/sync.md), and the Aegis
//! backups it follows (folder, password, which entries it mirrored).
//!
//! A body with either is version 2, so a Latchkey from before sync refuses it ("newer
//! than this Latchkey understands") instead of saving it again without the sync state. Copies
//! (backups, exports) carry the accounts alone ([`Accounts::to_body`], version 1): a device's
//! sync keys never leave its vault.

use crate::accounts::{Account, Accounts, BodyError, NEWEST_BODY_VERSION};
use crate::follow::Follow;
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
    #[serde(default)]
    follow: Option<Follow>,
}

#[derive(Serialize)]
struct BodyOut<'a> {
    version: u32,
    #[serde(serialize_with = "accounts")]
    accounts: &'a Accounts,
    #[serde(skip_serializing_if = "Option::is_none")]
    sync: Option<&'a State>,
    #[serde(skip_serializing_if = "Option::is_none")]
    follow: Option<&'a Follow>,
}

/// What the vault body holds beside the accounts.
#[derive(Debug, Clone, Default)]
pub struct Extra {
    /// This device's sync state, while sync is on.
    pub sync: Option<State>,
    /// The Aegis backups followed, if any.
    pub follow: Option<Follow>,
}

fn accounts<S: serde::Serializer>(a: &&Accounts, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(a.iter())
}

/// Reads a decrypted vault body: the accounts and what else it holds.
pub fn read(bytes: &[u8]) -> Result<(Accounts, Extra), BodyError> {
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
    Ok((
        accounts,
        Extra {
            sync: body.sync,
            follow: body.follow,
        },
    ))
}

/// Serialises the vault body into a buffer wiped on drop.
pub fn write(accounts: &Accounts, extra: &Extra) -> Zeroizing<Vec<u8>> {
    if extra.sync.is_none() && extra.follow.is_none() {
        return accounts.to_body();
    }
    let synced = extra.sync.as_ref().map_or(0, |s| s.doc.accounts.len());
    // Sized up front so growth does not leave copies of seeds in freed memory (the sync state
    // holds every account a second time, with its stamps).
    let mut out = Zeroizing::new(Vec::with_capacity(4096 + (accounts.len() + synced) * 600));
    let body = BodyOut {
        version: SYNC_VERSION,
        accounts,
        sync: extra.sync.as_ref(),
        follow: extra.follow.as_ref(),
    };
    if serde_json::to_writer(&mut *out, &body).is_err() {
        // Writing plain data structures to a Vec cannot fail; keep an empty body rather than panic.
        out.clear();
    }
    out
}
