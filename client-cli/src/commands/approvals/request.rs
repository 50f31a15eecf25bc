//! The requester side, `request-approval`: ask, print the number to show, wait, exit with the
//! outcome.

use super::details::short;
use crate::exit::CliError;
use futures_util::StreamExt;
use latchkey_dbus::ApprovalsProxy;
use std::collections::HashMap;
use zbus::zvariant::Value;

/// Exit code of `request-approval` when the user denied.
pub const DENIED: u8 = 10;
/// … when the user picked the wrong number.
pub const WRONG_NUMBER: u8 = 11;
/// … when nobody answered in time.
pub const EXPIRED: u8 = 12;
/// … when the request was cancelled.
pub const CANCELLED: u8 = 13;

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
