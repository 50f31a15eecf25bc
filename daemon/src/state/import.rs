//! Adding parsed entries to the vault: duplicates skipped, all or nothing, one write.

use super::{StateError, VaultState, check_labels};
use crate::accounts::Account;
use crate::import::{EntryError, EntryFault, Imported, echo};
use std::collections::HashMap;

/// An entry that would be (or was) added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    /// The new account's id; empty on a dry run or when nothing was added.
    pub id: String,
    pub position: usize,
    pub issuer: String,
    pub account: String,
}

/// An entry skipped because the vault or an earlier entry already has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub position: usize,
    pub issuer: String,
    pub account: String,
    /// The id of the account in the vault, or `entry N` for an earlier entry of the file.
    pub duplicate_of: String,
}

/// What an import did (or, on a dry run or after a failure, would do).
#[derive(Debug, Default)]
pub struct ImportReport {
    /// Added entries; empty when any entry failed (nothing is added then).
    pub added: Vec<Added>,
    pub skipped: Vec<Skipped>,
    pub failed: Vec<EntryError>,
}

impl VaultState {
    /// Adds every new entry in one write, or nothing if any entry failed; `dry_run` never writes.
    pub fn import(
        &mut self,
        entries: Vec<Result<Imported, EntryError>>,
        dry_run: bool,
    ) -> Result<ImportReport, StateError> {
        let mut report = ImportReport::default();
        let mut new: Vec<(usize, Imported)> = Vec::new();
        {
            // Indexed by labels so a large import against a large vault stays linear.
            let mut existing: HashMap<(&str, &str), Vec<&Account>> = HashMap::new();
            for a in self.accounts()? {
                existing.entry((&a.issuer, &a.account)).or_default().push(a);
            }
            for (index, entry) in entries.into_iter().enumerate() {
                let position = index + 1;
                let imported = match entry {
                    Ok(i) => i,
                    Err(e) => {
                        report.failed.push(e);
                        continue;
                    }
                };
                if let Err(e) = check_labels(&imported.issuer, &imported.account) {
                    report.failed.push(EntryError {
                        position,
                        issuer: echo(&imported.issuer),
                        account: echo(&imported.account),
                        fault: EntryFault::Label(e.to_string()),
                    });
                    continue;
                }
                let same = |issuer: &str, account: &str, params: &crate::otp::OtpParams| {
                    issuer == imported.issuer
                        && account == imported.account
                        && params.secret == imported.params.secret
                };
                let duplicate_of = existing
                    .get(&(imported.issuer.as_str(), imported.account.as_str()))
                    .and_then(|list| list.iter().find(|a| same(&a.issuer, &a.account, &a.params)))
                    .map(|a| a.id.clone())
                    .or_else(|| {
                        new.iter()
                            .find(|(_, n)| same(&n.issuer, &n.account, &n.params))
                            .map(|(p, _)| format!("entry {p}"))
                    });
                match duplicate_of {
                    Some(duplicate_of) => report.skipped.push(Skipped {
                        position,
                        issuer: echo(&imported.issuer),
                        account: echo(&imported.account),
                        duplicate_of,
                    }),
                    None => new.push((position, imported)),
                }
            }
        }
        if !report.failed.is_empty() {
            return Ok(report);
        }
        let mut accounts = Vec::with_capacity(new.len());
        for (position, i) in new {
            let id = if dry_run {
                String::new()
            } else {
                uuid::Uuid::new_v4().to_string()
            };
            report.added.push(Added {
                id: id.clone(),
                position,
                issuer: echo(&i.issuer),
                account: echo(&i.account),
            });
            accounts.push(Account {
                id,
                issuer: i.issuer,
                account: i.account,
                sites: i.sites,
                params: i.params,
            });
        }
        if !dry_run && !accounts.is_empty() {
            self.append_all(accounts)?;
        }
        Ok(report)
    }
}
