//! `access list|revoke` and `activity`: remembered consent decisions and the activity log.

use super::print_json;
use crate::exit::CliError;
use latchkey_dbus::display::{IDENTITY_MAX, TITLE_MAX, claim};
use latchkey_dbus::{AccessProxy, ActivityEntry, ApprovalsProxy, Grant};

/// Lists remembered decisions.
pub async fn list(access: &AccessProxy<'_>, json: bool) -> Result<(), CliError> {
    let grants = access.list_grants().await?;
    if json {
        print_json(&serde_json::to_value(&grants).unwrap_or_default());
    } else if grants.is_empty() {
        println!("No remembered decisions: every other app is asked before it gets a code.");
    } else {
        for g in &grants {
            let what = match g.account_id.as_str() {
                Grant::ALL => "every account and the list".to_string(),
                Grant::LIST => "the account list".to_string(),
                account => format!("account {}", claim(account, IDENTITY_MAX)),
            };
            println!(
                "{:5}  {}  {what}",
                g.decision,
                claim(&g.identity, IDENTITY_MAX)
            );
        }
    }
    Ok(())
}

/// Allows an identity ahead of time.
pub async fn allow(
    access: &AccessProxy<'_>,
    identity: &str,
    account: Option<&str>,
) -> Result<(), CliError> {
    let what = account
        .map(|a| format!("account {a}"))
        .unwrap_or_else(|| "every account and the list".into());
    crate::person::confirm(&format!(
        "Let {identity} get codes for {what} without asking you?"
    ))?;
    access.grant(identity, account.unwrap_or("")).await?;
    eprintln!("{identity} may now get codes for {what} without asking.");
    Ok(())
}

/// Forgets decisions for an identity.
pub async fn revoke(
    access: &AccessProxy<'_>,
    identity: &str,
    account: Option<&str>,
) -> Result<(), CliError> {
    let n = access.revoke(identity, account.unwrap_or("")).await?;
    eprintln!("Forgot {n} decision(s) for {identity}; it will be asked again.");
    Ok(())
}

/// Prints the activity log.
pub async fn activity(
    approvals: &ApprovalsProxy<'_>,
    limit: u32,
    json: bool,
) -> Result<(), CliError> {
    let entries: Vec<ActivityEntry> = approvals
        .activity_log(limit)
        .await?
        .iter()
        .filter_map(|l| ActivityEntry::parse(l))
        .collect();
    if json {
        print_json(&serde_json::to_value(&entries).unwrap_or_default());
        return Ok(());
    }
    if entries.is_empty() {
        println!("No activity yet.");
    }
    for e in &entries {
        println!(
            "{}  {:8} {:12} {}  (by {}; answered via {})",
            e.time,
            claim(&e.event, TITLE_MAX),
            claim(&e.outcome, TITLE_MAX),
            claim(&e.title, TITLE_MAX),
            claim(&e.caller, IDENTITY_MAX),
            claim(&e.detail, TITLE_MAX)
        );
    }
    Ok(())
}
