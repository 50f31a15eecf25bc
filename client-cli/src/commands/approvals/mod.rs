//! `approvals`, `approvals watch`, `approve`, `deny` and the requester side, `request-approval`.
//!
//! `details` reads and prints a request, `watch` answers requests as they come, `request` is the
//! requester side.

mod details;
mod request;
mod watch;

pub use request::{RequestArgs, request};
pub use watch::watch;

use super::print_json;
use crate::exit::CliError;
use details::{print_request, request_json, short, summary, to_path};
use latchkey_dbus::ApprovalsProxy;
use request::WRONG_NUMBER;

/// Lists pending requests.
pub async fn list(approvals: &ApprovalsProxy<'_>, json: bool) -> Result<(), CliError> {
    let pending = approvals.list_pending().await?;
    if json {
        print_json(&serde_json::Value::Array(
            pending
                .iter()
                .map(|(p, d)| request_json(p.as_str(), d))
                .collect(),
        ));
    } else if pending.is_empty() {
        println!("No pending requests.");
    } else {
        for (p, d) in &pending {
            print_request(p.as_str(), d);
        }
    }
    Ok(())
}

/// Approves (or, for consent requests, allows once or always).
pub async fn approve(
    approvals: &ApprovalsProxy<'_>,
    id: &str,
    number: Option<u32>,
    answer: Option<&str>,
    always: bool,
) -> Result<(), CliError> {
    let path = to_path(id)?;
    let pending = approvals.list_pending().await?;
    let details = pending
        .iter()
        .find(|(p, _)| p.as_str() == path.as_str())
        .map(|(_, d)| d);
    let consent = details.is_some_and(|d| d.is_consent());
    let number = match (answer, details) {
        (None, _) => number,
        (Some(a), Some(d)) => Some(d.choice_of(a).ok_or_else(|| {
            CliError::new(
                crate::exit::USAGE,
                format!(
                    "{a:?} is not one of the answers offered: {}",
                    d.labels().join(", ")
                ),
            )
        })?),
        (Some(_), None) => None,
    };
    let who = details.map_or_else(|| "an unknown requester".to_string(), summary);
    let question = if consent {
        let how = if always { "from now on" } else { "this once" };
        format!("Allow {who} to get what it asked for, {how}?")
    } else {
        format!("Approve the sign-in requested by {who}?")
    };
    crate::person::confirm(&question)?;
    let outcome = if consent {
        approvals
            .answer_consent(&path, if always { "always" } else { "once" })
            .await?
    } else {
        approvals.approve(&path, number.unwrap_or(0)).await?
    };
    if outcome == "wrong-number" {
        return Err(CliError::new(
            WRONG_NUMBER,
            "wrong number: the request was denied",
        ));
    }
    eprintln!("Request {} {outcome}.", short(path.as_str()));
    Ok(())
}

/// Denies.
pub async fn deny(approvals: &ApprovalsProxy<'_>, id: &str) -> Result<(), CliError> {
    let path = to_path(id)?;
    approvals.deny(&path).await?;
    eprintln!("Request {} denied.", short(path.as_str()));
    Ok(())
}
