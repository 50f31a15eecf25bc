//! `access list|revoke` and `activity`: remembered consent decisions and the activity log.

use super::print_json;
use crate::exit::CliError;
use latchkey_dbus::display::{IDENTITY_MAX, TITLE_MAX, claim};
use latchkey_dbus::{AccessProxy, ApprovalsProxy};

/// Lists remembered decisions.
pub async fn list(access: &AccessProxy<'_>, json: bool) -> Result<(), CliError> {
    let grants = access.list_grants().await?;
    if json {
        let v: Vec<serde_json::Value> = grants
            .iter()
            .map(|(identity, account, decision, time)| serde_json::json!({"identity": identity, "account_id": account, "decision": decision, "time": time}))
            .collect();
        print_json(&serde_json::Value::Array(v));
    } else if grants.is_empty() {
        println!("No remembered decisions: every other app is asked before it gets a code.");
    } else {
        for (identity, account, decision, _) in &grants {
            let what = if account == "**" {
                "every account and the list".to_string()
            } else if account == "*" {
                "the account list".to_string()
            } else {
                format!("account {}", claim(account, IDENTITY_MAX))
            };
            println!("{decision:5}  {}  {what}", claim(identity, IDENTITY_MAX));
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
    let lines = approvals.activity_log(limit).await?;
    if json {
        let v: Vec<serde_json::Value> = lines
            .iter()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        print_json(&serde_json::Value::Array(v));
        return Ok(());
    }
    if lines.is_empty() {
        println!("No activity yet.");
    }
    for line in &lines {
        let v: serde_json::Value = serde_json::from_str(line).unwrap_or_default();
        let field = |key: &str, max| claim(v[key].as_str().unwrap_or(""), max);
        println!(
            "{}  {:8} {:12} {}  (by {}; answered via {})",
            v["time"],
            field("event", TITLE_MAX),
            field("outcome", TITLE_MAX),
            field("title", TITLE_MAX),
            field("caller", IDENTITY_MAX),
            field("detail", TITLE_MAX)
        );
    }
    Ok(())
}
