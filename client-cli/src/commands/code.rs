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

/// Whether `query` is written as an account id (a UUID), so it can be asked for directly.
fn looks_like_id(query: &str) -> bool {
    query.len() == 36
        && query.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Prints the current code of the account `query` names. An id is asked for at once, in one
/// round trip (a script calling `latchkey code ID` pays for little more than its process); a
/// name is looked up in the account list first.
pub async fn code(vault: &VaultProxy<'_>, c: CodeArgs) -> Result<(), CliError> {
    let id = if looks_like_id(&c.query) {
        c.query.clone()
    } else {
        let accounts = vault.list_accounts().await?;
        resolve(&accounts, &c.query)?.id.clone()
    };
    let (code, from, until) = match vault.get_code(&id).await {
        Ok(answer) => answer,
        Err(e) => {
            let e = latchkey_dbus::Error::from(e);
            if matches!(e, latchkey_dbus::Error::NotFound(_)) {
                return Err(CliError::new(
                    NOT_FOUND,
                    format!("no account matches {:?}", c.query),
                ));
            }
            return Err(e.into());
        }
    };
    // HOTP codes have no validity window: both times are 0.
    let hotp = until == 0;
    if c.json {
        let period = until.saturating_sub(from);
        let mut v = serde_json::json!({ "id": id, "code": code, "period": period });
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

#[cfg(test)]
mod id_tests {
    use super::looks_like_id;

    #[test]
    fn only_a_uuid_is_asked_for_directly() {
        assert!(looks_like_id("f1009b0b-b333-4c49-8714-d123fe10bf4a"));
        assert!(!looks_like_id("github"));
        assert!(!looks_like_id("f1009b0b-b333-4c49-8714-d123fe10bf4"));
        assert!(!looks_like_id("f1009b0b+b333-4c49-8714-d123fe10bf4a"));
    }
}
