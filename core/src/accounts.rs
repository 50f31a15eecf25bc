//! The accounts inside an unlocked vault and their (de)serialisation as the vault body.

use crate::otp::{Algorithm, Kind, OtpParams};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use zeroize::Zeroizing;

/// Version of the body JSON, independent of the file format version. Version 2 adds this
/// device's sync state ([`crate::body`]), which a copy's reader ignores.
const BODY_VERSION: u32 = 1;
/// The newest body version read.
pub(crate) const NEWEST_BODY_VERSION: u32 = 2;

/// One account: labels plus the OTP parameters (which hold the seed).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    pub issuer: String,
    pub account: String,
    /// The sites the account's codes are typed into (host names, see [`crate::sites`]), for
    /// browser fill; empty for accounts made before it existed and where nobody said.
    #[serde(default)]
    pub sites: Vec<String>,
    #[serde(flatten)]
    pub params: OtpParams,
}

impl Account {
    /// The account as a person names it: `Issuer (account)`, or whichever of the two it has.
    pub fn label(&self) -> String {
        match (self.issuer.is_empty(), self.account.is_empty()) {
            (false, false) => format!("{} ({})", self.issuer, self.account),
            (true, _) => self.account.clone(),
            (false, true) => self.issuer.clone(),
        }
    }

    /// `totp`, `hotp` or `steam`, as the bus and CLI name kinds.
    pub fn kind_name(&self) -> &'static str {
        match self.params.kind {
            Kind::Totp { .. } => "totp",
            Kind::Hotp { .. } => "hotp",
            Kind::Steam => "steam",
        }
    }
}

/// `sha1`, `sha256` or `sha512`, as the bus and CLI name algorithms.
pub fn algorithm_name(a: Algorithm) -> &'static str {
    match a {
        Algorithm::Sha1 => "sha1",
        Algorithm::Sha256 => "sha256",
        Algorithm::Sha512 => "sha512",
    }
}

/// Parses an algorithm name as the CLI and bus accept it (case-insensitive, `SHA-256` too).
pub fn parse_algorithm(name: &str) -> Option<Algorithm> {
    match name.to_ascii_lowercase().replace('-', "").as_str() {
        "sha1" => Some(Algorithm::Sha1),
        "sha256" => Some(Algorithm::Sha256),
        "sha512" => Some(Algorithm::Sha512),
        _ => None,
    }
}

/// Why a decrypted body could not be read (it authenticated, so this means a bug or a newer writer).
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("the vault contents are not in a format this Latchkey understands: {0}")]
    Format(String),
    #[error("the vault contents have version {0}, newer than this Latchkey understands")]
    Version(u32),
}

#[derive(Serialize, Deserialize)]
struct Body {
    version: u32,
    accounts: Vec<Account>,
}

/// Accounts in display order, with an index by id for code requests.
#[derive(Debug, Default, Clone)]
pub struct Accounts {
    list: Vec<Account>,
    index: HashMap<String, usize>,
}

impl Accounts {
    /// Reads the decrypted vault body.
    pub fn from_body(bytes: &[u8]) -> Result<Self, BodyError> {
        // serde_json's errors carry positions, never the input text.
        let body: Body =
            serde_json::from_slice(bytes).map_err(|e| BodyError::Format(e.to_string()))?;
        if body.version > NEWEST_BODY_VERSION {
            return Err(BodyError::Version(body.version));
        }
        let mut accounts = Self::default();
        for account in body.accounts {
            accounts.push(account);
        }
        Ok(accounts)
    }

    /// Serialises into a buffer that is wiped when dropped.
    pub fn to_body(&self) -> Zeroizing<Vec<u8>> {
        // Size the buffer up front so growth does not leave copies of seeds in freed memory.
        let mut out = Zeroizing::new(Vec::with_capacity(256 + self.list.len() * 320));
        let body = BodyRef {
            version: BODY_VERSION,
            accounts: &self.list,
        };
        if serde_json::to_writer(&mut *out, &body).is_err() {
            // Writing plain data structures to a Vec cannot fail; keep an empty body rather than panic.
            out.clear();
        }
        out
    }

    /// Number of accounts.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Accounts in display order.
    pub fn iter(&self) -> impl Iterator<Item = &Account> {
        self.list.iter()
    }

    /// The account with this id.
    pub fn get(&self, id: &str) -> Option<&Account> {
        self.index.get(id).map(|&i| &self.list[i])
    }

    /// The account with this id, for edits.
    pub fn get_mut(&mut self, id: &str) -> Option<&mut Account> {
        self.index.get(id).map(|&i| &mut self.list[i])
    }

    /// Appends an account (its id must be new).
    pub fn push(&mut self, account: Account) {
        self.index.insert(account.id.clone(), self.list.len());
        self.list.push(account);
    }

    /// Removes the account with this id, returning it and where it stood.
    pub fn remove(&mut self, id: &str) -> Option<(usize, Account)> {
        let i = self.index.remove(id)?;
        let removed = self.list.remove(i);
        self.reindex_from(i);
        Some((i, removed))
    }

    /// Puts an account back where it stood (undoing a removal).
    pub fn insert_at(&mut self, position: usize, account: Account) {
        let i = position.min(self.list.len());
        self.list.insert(i, account);
        self.reindex_from(i);
    }

    fn reindex_from(&mut self, start: usize) {
        for (j, a) in self.list.iter().enumerate().skip(start) {
            self.index.insert(a.id.clone(), j);
        }
    }
}

#[derive(Serialize)]
struct BodyRef<'a> {
    version: u32,
    accounts: &'a [Account],
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body as Latchkey 0.2 wrote it, before accounts had sites.
    const OLD_BODY: &str = r#"{"version":1,"accounts":[{"id":"a1","issuer":"GitHub","account":"alice","secret":"JBSWY3DPEHPK3PXP","algorithm":"sha1","digits":6,"type":"totp","period":30}]}"#;

    #[test]
    fn a_body_without_sites_opens_and_sites_survive_a_round_trip() {
        let mut accounts = match Accounts::from_body(OLD_BODY.as_bytes()) {
            Ok(a) => a,
            // The fixture must follow OtpParams' field names; say which part failed.
            Err(e) => panic!("an older body must open: {e}"),
        };
        let a = accounts.get_mut("a1").expect("account");
        assert!(a.sites.is_empty());
        a.sites = vec!["github.com".into()];
        let again = Accounts::from_body(&accounts.to_body()).expect("reads back");
        assert_eq!(again.get("a1").expect("account").sites, ["github.com"]);
    }
}
