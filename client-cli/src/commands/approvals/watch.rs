//! `approvals watch`: each request as it arrives, answered from the terminal or stdin lines.

use super::details::print_request;
use crate::exit::CliError;
use futures_util::StreamExt;
use latchkey_dbus::ApprovalsProxy;
use latchkey_dbus::RequestDetails;
use std::io::Write;
use tokio::io::AsyncBufReadExt;
use zbus::zvariant::OwnedObjectPath;

/// Prints each request as it arrives and answers it from the terminal (or stdin lines).
pub async fn watch(approvals: &ApprovalsProxy<'_>) -> Result<(), CliError> {
    let mut added = approvals.receive_request_added().await?;
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    let mut queue: Vec<(OwnedObjectPath, RequestDetails)> = approvals.list_pending().await?;
    eprintln!("Watching for approval requests (Ctrl+C to stop).");
    // Answers come from stdin; only a person at the terminal may approve or allow through it.
    let person = crate::person::stdin_is_person();
    if !person {
        eprintln!(
            "stdin is not a terminal in the foreground: requests can be denied or skipped here, \
             but approving and allowing need a person (in the Latchkey app or at a terminal)."
        );
    }
    loop {
        if queue.is_empty() {
            let Some(signal) = added.next().await else {
                return Ok(());
            };
            // The broadcast names the request only; its details come from ListPending (it may
            // have ended meanwhile).
            let path = signal.args()?.request().clone();
            let pending = approvals.list_pending().await?;
            queue.extend(pending.into_iter().filter(|(p, _)| *p == path));
            continue;
        }
        let (path, details) = queue.remove(0);
        print_request(path.as_str(), &details);
        let c = details.choices();
        let prompt = if details.is_consent() {
            "    Allow [o]nce, [a]lways, [d]eny, or [s]kip? "
        } else if c.is_empty() {
            "    Approve? [y]es, [n]o, [s]kip: "
        } else if !details.labels().is_empty() {
            "    Type the answer shown on the sign-in page, [n] to deny, [s] to skip: "
        } else {
            "    Type the number shown by the requester, [n] to deny, [s] to skip: "
        };
        print!("{prompt}");
        let _ = std::io::stdout().flush();
        let Ok(Some(answer)) = lines.next_line().await else {
            return Ok(());
        };
        let answer = answer.trim().to_lowercase();
        let refusal = matches!(
            answer.as_str(),
            "s" | "skip" | "" | "n" | "no" | "d" | "deny"
        );
        if !person && !refusal {
            println!("    -> not applied: approving needs a person at a terminal");
            continue;
        }
        let result = match (details.kind.as_str(), answer.as_str()) {
            (_, "s" | "skip" | "") => continue,
            ("consent", "o" | "once") => approvals.answer_consent(&path.as_ref(), "once").await,
            ("consent", "a" | "always") => approvals.answer_consent(&path.as_ref(), "always").await,
            (_, "n" | "no" | "d" | "deny") => approvals
                .deny(&path.as_ref())
                .await
                .map(|()| "denied".to_string()),
            (_, "y" | "yes") if c.is_empty() => approvals.approve(&path.as_ref(), 0).await,
            (_, a) if details.choice_of(a).is_some() => {
                approvals
                    .approve(&path.as_ref(), details.choice_of(a).unwrap_or(0))
                    .await
            }
            (_, n) if !c.is_empty() && n.parse::<u32>().is_ok() => {
                approvals
                    .approve(&path.as_ref(), n.parse().unwrap_or(0))
                    .await
            }
            _ => {
                println!("    Not understood; skipped.");
                continue;
            }
        };
        match result {
            Ok(outcome) => println!("    -> {outcome}"),
            Err(e) => println!(
                "    -> not applied: {}",
                latchkey_dbus::Error::from(e).message()
            ),
        }
    }
}
