//! `code`: find one account by id or name and print its current code.

use super::print_json;
use crate::args::CodeArgs;
use crate::exit::{AMBIGUOUS, CliError, NOT_FOUND};
use latchkey_dbus::{AccountInfo, AccountKind, VaultProxy};

/// Picks the one account `query` means: an exact id, else a case-insensitive substring of
/// `issuer`, `account` or `issuer:account` that matches exactly one account.
pub fn resolve<'a>(accounts: &'a [AccountInfo], query: &str) -> Result<&'a AccountInfo, CliError> {
    if let Some(a) = accounts.iter().find(|a| a.id == query) {
        return Ok(a);
    }
    let q = query.to_lowercase();
    let matches: Vec<&AccountInfo> = accounts
        .iter()
        // Push tokens have no codes: a search never picks one (an exact id still does).
        .filter(|a| a.kind != AccountKind::Push)
        .filter(|a| {
            format!("{}:{}", a.issuer, a.account)
                .to_lowercase()
                .contains(&q)
        })
        .collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(CliError::new(
            NOT_FOUND,
            format!("no account matches {query:?}"),
        )),
        many => {
            let list: Vec<String> = many
                .iter()
                .map(|a| format!("  {}  {}  {}", a.id, a.issuer, a.account))
                .collect();
            Err(CliError::new(
                AMBIGUOUS,
                format!(
                    "{query:?} matches {} accounts; use an id or a longer query:\n{}",
                    many.len(),
                    list.join("\n")
                ),
            ))
        }
    }
}

/// Prints the current code of the account `query` names.
pub async fn code(vault: &VaultProxy<'_>, c: CodeArgs) -> Result<(), CliError> {
    let accounts = vault.list_accounts().await?;
    let account = resolve(&accounts, &c.query)?;
    let (code, _from, until) = vault.get_code(&account.id).await?;
    let hotp = account.kind == AccountKind::Hotp;
    if c.json {
        let mut v = serde_json::json!({ "id": account.id, "code": code, "period": account.period });
        if !hotp {
            v["valid_until"] = until.into();
        }
        print_json(&v);
    } else if c.quiet {
        println!("{code}");
    } else if hotp {
        println!("{code}  (HOTP; the counter has advanced)");
    } else {
        let left = until.saturating_sub(crate::clock::unix_now());
        println!("{code}  ({left} s left)");
    }
    Ok(())
}
