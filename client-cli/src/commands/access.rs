//! `access list|revoke` and `activity`: remembered consent decisions and the activity log.

use super::print_json;
use crate::exit::CliError;
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
                format!("account {account}")
            };
            println!("{decision:5}  {identity}  {what}");
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
    access.grant(identity, account.unwrap_or("")).await?;
    let what = account
        .map(|a| format!("account {a}"))
        .unwrap_or_else(|| "every account and the list".into());
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
        println!(
            "{}  {:8} {:12} {}  (by {}; answered via {})",
            v["time"],
            v["event"].as_str().unwrap_or(""),
            v["outcome"].as_str().unwrap_or(""),
            v["title"].as_str().unwrap_or(""),
            v["caller"].as_str().unwrap_or(""),
            v["detail"].as_str().unwrap_or("")
        );
    }
    Ok(())
}
