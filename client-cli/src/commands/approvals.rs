//! `approvals`, `approvals watch`, `approve`, `deny` and the requester side, `request-approval`.

use super::print_json;
use crate::exit::CliError;
use futures_util::StreamExt;
use latchkey_dbus::ApprovalsProxy;
use std::collections::HashMap;
use std::io::Write;
use tokio::io::AsyncBufReadExt;
use zbus::zvariant::{ObjectPath, OwnedObjectPath, OwnedValue, Value};

/// Exit code of `request-approval` when the user denied.
pub const DENIED: u8 = 10;
/// … when the user picked the wrong number.
pub const WRONG_NUMBER: u8 = 11;
/// … when nobody answered in time.
pub const EXPIRED: u8 = 12;
/// … when the request was cancelled.
pub const CANCELLED: u8 = 13;

const REQUEST_PREFIX: &str = "/org/latchkey/Latchkey1/request/";

/// The short id people type (`7`) for a request path.
fn short(path: &str) -> &str {
    path.strip_prefix(REQUEST_PREFIX).unwrap_or(path)
}

/// Accepts `7` or the full object path.
fn to_path(id: &str) -> Result<ObjectPath<'static>, CliError> {
    let full = if id.starts_with('/') {
        id.to_string()
    } else {
        format!("{REQUEST_PREFIX}{id}")
    };
    ObjectPath::try_from(full)
        .map_err(|_| CliError::new(crate::exit::USAGE, format!("{id:?} is not a request id")))
}

fn text(d: &HashMap<String, OwnedValue>, key: &str) -> String {
    d.get(key)
        .and_then(|v| v.try_clone().ok())
        .and_then(|v| String::try_from(v).ok())
        .unwrap_or_default()
}

fn number(d: &HashMap<String, OwnedValue>, key: &str) -> u64 {
    d.get(key)
        .and_then(|v| {
            u64::try_from(v)
                .ok()
                .or_else(|| u32::try_from(v).ok().map(u64::from))
        })
        .unwrap_or(0)
}

fn choices(d: &HashMap<String, OwnedValue>) -> Vec<u32> {
    d.get("choices")
        .and_then(|v| v.try_clone().ok())
        .and_then(|v| Vec::<u32>::try_from(v).ok())
        .unwrap_or_default()
}

/// The server's presence options of a push request (empty for local number matching).
fn labels(d: &HashMap<String, OwnedValue>) -> Vec<String> {
    d.get("choice_labels")
        .and_then(|v| v.try_clone().ok())
        .and_then(|v| Vec::<String>::try_from(v).ok())
        .unwrap_or_default()
}

/// The choice number of a presence option the user typed (case-insensitive).
fn choice_of(d: &HashMap<String, OwnedValue>, answer: &str) -> Option<u32> {
    let i = labels(d)
        .iter()
        .position(|l| l.eq_ignore_ascii_case(answer.trim()))?;
    choices(d).get(i).copied()
}

/// JSON for one pending request.
fn request_json(path: &str, d: &HashMap<String, OwnedValue>) -> serde_json::Value {
    let mut v = serde_json::json!({ "id": short(path), "path": path });
    for key in [
        "kind",
        "title",
        "message",
        "account_id",
        "app_name",
        "location",
        "ip_address",
        "caller",
        "caller_exe",
        "caller_flatpak",
    ] {
        v[key] = text(d, key).into();
    }
    for key in ["caller_pid", "caller_uid", "created", "expires"] {
        v[key] = number(d, key).into();
    }
    let c = choices(d);
    if !c.is_empty() {
        v["choices"] = c.into();
    }
    let l = labels(d);
    if !l.is_empty() {
        v["choice_labels"] = l.into();
    }
    v
}

/// Prints one request for a person.
fn print_request(path: &str, d: &HashMap<String, OwnedValue>) {
    let kind = if text(d, "kind") == "consent" {
        "Access request"
    } else {
        "Sign-in approval"
    };
    println!("[{}] {kind}: {}", short(path), text(d, "title"));
    let message = text(d, "message");
    if !message.is_empty() {
        println!("    {message}");
    }
    for (label, key) in [
        ("App (as stated)", "app_name"),
        ("Location (as stated)", "location"),
        ("IP address (as stated)", "ip_address"),
    ] {
        let value = text(d, key);
        if !value.is_empty() {
            println!("    {label}: {value}");
        }
    }
    println!("    Requested by: {}", text(d, "caller"));
    let left = number(d, "expires").saturating_sub(crate::clock::unix_now());
    println!("    Expires in {left} s");
    let c = choices(d);
    let l = labels(d);
    if !l.is_empty() {
        println!(
            "    Presence check: pick the answer shown on the sign-in page (--answer): {}",
            l.join("  ")
        );
    } else if !c.is_empty() {
        let list: Vec<String> = c.iter().map(u32::to_string).collect();
        println!(
            "    Number matching: pick the number the requester shows: {}",
            list.join("  ")
        );
    }
}

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
    let consent = details.is_some_and(|d| text(d, "kind") == "consent");
    let number = match (answer, details) {
        (None, _) => number,
        (Some(a), Some(d)) => Some(choice_of(d, a).ok_or_else(|| {
            CliError::new(
                crate::exit::USAGE,
                format!(
                    "{a:?} is not one of the answers offered: {}",
                    labels(d).join(", ")
                ),
            )
        })?),
        (Some(_), None) => None,
    };
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

/// Prints each request as it arrives and answers it from the terminal (or stdin lines).
pub async fn watch(approvals: &ApprovalsProxy<'_>) -> Result<(), CliError> {
    let mut added = approvals.receive_request_added().await?;
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    let mut queue: Vec<(OwnedObjectPath, HashMap<String, OwnedValue>)> =
        approvals.list_pending().await?;
    eprintln!("Watching for approval requests (Ctrl+C to stop).");
    loop {
        if queue.is_empty() {
            let Some(signal) = added.next().await else {
                return Ok(());
            };
            let args = signal.args()?;
            queue.push((args.request().clone(), args.details().clone()));
        }
        let (path, details) = queue.remove(0);
        print_request(path.as_str(), &details);
        let c = choices(&details);
        let prompt = if text(&details, "kind") == "consent" {
            "    Allow [o]nce, [a]lways, [d]eny, or [s]kip? "
        } else if c.is_empty() {
            "    Approve? [y]es, [n]o, [s]kip: "
        } else if !labels(&details).is_empty() {
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
        let result = match (text(&details, "kind").as_str(), answer.as_str()) {
            (_, "s" | "skip" | "") => continue,
            ("consent", "o" | "once") => approvals.answer_consent(&path.as_ref(), "once").await,
            ("consent", "a" | "always") => approvals.answer_consent(&path.as_ref(), "always").await,
            (_, "n" | "no" | "d" | "deny") => approvals
                .deny(&path.as_ref())
                .await
                .map(|()| "denied".to_string()),
            (_, "y" | "yes") if c.is_empty() => approvals.approve(&path.as_ref(), 0).await,
            (_, a) if choice_of(&details, a).is_some() => {
                approvals
                    .approve(&path.as_ref(), choice_of(&details, a).unwrap_or(0))
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

/// Options of `request-approval`.
pub struct RequestArgs<'a> {
    pub title: &'a str,
    pub message: &'a str,
    pub number_matching: bool,
    pub timeout: Option<u32>,
    pub app_name: Option<&'a str>,
}

/// The requester side: asks, prints the number to show, waits, and exits with the outcome.
pub async fn request(approvals: &ApprovalsProxy<'_>, a: RequestArgs<'_>) -> Result<(), CliError> {
    // Subscribe first: the outcome cannot arrive before we listen.
    let mut resolved = approvals.receive_request_resolved().await?;
    let mut options: HashMap<&str, Value<'_>> = HashMap::new();
    if a.number_matching {
        options.insert("number_matching", Value::from(true));
    }
    if let Some(t) = a.timeout {
        options.insert("timeout", Value::from(t));
    }
    if let Some(app) = a.app_name {
        options.insert("app_name", Value::from(app));
    }
    let (path, number) = approvals
        .request_approval(a.title, a.message, options)
        .await?;
    if number != 0 {
        println!("{number}");
        eprintln!("Number to show: {number} — the user must pick it in Latchkey.");
    }
    eprintln!(
        "Waiting for the answer to request {} …",
        short(path.as_str())
    );
    while let Some(signal) = resolved.next().await {
        let args = signal.args()?;
        if *args.request() != path {
            continue;
        }
        return match args.result().as_str() {
            "approved" => {
                eprintln!("Approved.");
                Ok(())
            }
            "denied" => Err(CliError::new(DENIED, "denied")),
            "wrong-number" => Err(CliError::new(
                WRONG_NUMBER,
                "denied: the wrong number was picked",
            )),
            "expired" => Err(CliError::new(EXPIRED, "expired: nobody answered in time")),
            "cancelled" => Err(CliError::new(CANCELLED, "cancelled")),
            other => Err(CliError::other(format!("unexpected outcome {other:?}"))),
        };
    }
    Err(CliError::new(
        crate::exit::UNREACHABLE,
        "the daemon went away before answering",
    ))
}
