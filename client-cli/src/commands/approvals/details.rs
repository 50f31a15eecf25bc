//! A request as the daemon describes it: ids and paths, the details dictionary's fields, and how
//! a request is printed for people and as JSON.

use crate::exit::CliError;
use latchkey_dbus::display::{IDENTITY_MAX, MESSAGE_MAX, TITLE_MAX, claim, quoted};
use std::collections::HashMap;
use zbus::zvariant::{ObjectPath, OwnedValue};

/// Where the daemon serves requests; ids are what follows.
const REQUEST_PREFIX: &str = "/org/latchkey/Latchkey1/request/";

/// The short id people type (`7`) for a request path.
pub(super) fn short(path: &str) -> &str {
    path.strip_prefix(REQUEST_PREFIX).unwrap_or(path)
}

/// Accepts `7` or the full object path.
pub(super) fn to_path(id: &str) -> Result<ObjectPath<'static>, CliError> {
    let full = if id.starts_with('/') {
        id.to_string()
    } else {
        format!("{REQUEST_PREFIX}{id}")
    };
    ObjectPath::try_from(full)
        .map_err(|_| CliError::new(crate::exit::USAGE, format!("{id:?} is not a request id")))
}

/// A string field of a request's details (empty if absent).
pub(super) fn text(d: &HashMap<String, OwnedValue>, key: &str) -> String {
    d.get(key)
        .and_then(|v| v.try_clone().ok())
        .and_then(|v| String::try_from(v).ok())
        .unwrap_or_default()
}

/// A numeric field of a request's details (0 if absent).
pub(super) fn number(d: &HashMap<String, OwnedValue>, key: &str) -> u64 {
    d.get(key)
        .and_then(|v| {
            u64::try_from(v)
                .ok()
                .or_else(|| u32::try_from(v).ok().map(u64::from))
        })
        .unwrap_or(0)
}

/// The numbers offered for number matching (empty without it).
pub(super) fn choices(d: &HashMap<String, OwnedValue>) -> Vec<u32> {
    d.get("choices")
        .and_then(|v| v.try_clone().ok())
        .and_then(|v| Vec::<u32>::try_from(v).ok())
        .unwrap_or_default()
}

/// The server's presence options of a push request (empty for local number matching).
pub(super) fn labels(d: &HashMap<String, OwnedValue>) -> Vec<String> {
    d.get("choice_labels")
        .and_then(|v| v.try_clone().ok())
        .and_then(|v| Vec::<String>::try_from(v).ok())
        .unwrap_or_default()
}

/// The choice number of a presence option the user typed (case-insensitive).
pub(super) fn choice_of(d: &HashMap<String, OwnedValue>, answer: &str) -> Option<u32> {
    let i = labels(d)
        .iter()
        .position(|l| l.eq_ignore_ascii_case(answer.trim()))?;
    choices(d).get(i).copied()
}

/// JSON for one pending request.
pub(super) fn request_json(path: &str, d: &HashMap<String, OwnedValue>) -> serde_json::Value {
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

/// Prints one request for a person. Who asks comes first, as Latchkey determined it; what the
/// requester says about itself follows, marked as its claim, on one line each and bounded.
pub(super) fn print_request(path: &str, d: &HashMap<String, OwnedValue>) {
    let kind = if text(d, "kind") == "consent" {
        "Access request"
    } else {
        "Sign-in approval"
    };
    println!("[{}] {kind}", short(path));
    println!(
        "    Requested by: {} (determined by Latchkey)",
        claim(&text(d, "caller"), IDENTITY_MAX)
    );
    println!(
        "    Title (it says): {}",
        quoted(&text(d, "title"), TITLE_MAX)
    );
    let message = text(d, "message");
    if !message.is_empty() {
        println!("    Message (it says): {}", quoted(&message, MESSAGE_MAX));
    }
    for (label, key) in [
        ("App (it says)", "app_name"),
        ("Location (it says)", "location"),
        ("IP address (it says)", "ip_address"),
    ] {
        let value = text(d, key);
        if !value.is_empty() {
            println!("    {label}: {}", quoted(&value, TITLE_MAX));
        }
    }
    let left = number(d, "expires").saturating_sub(crate::clock::unix_now());
    println!("    Expires in {left} s");
    let c = choices(d);
    let l: Vec<String> = labels(d).iter().map(|l| quoted(l, TITLE_MAX)).collect();
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

/// One line naming a request for a confirmation question: who asks (determined) and its title
/// (claimed).
pub(super) fn summary(d: &HashMap<String, OwnedValue>) -> String {
    format!(
        "{} (determined by Latchkey), which says {}",
        claim(&text(d, "caller"), IDENTITY_MAX),
        quoted(&text(d, "title"), TITLE_MAX)
    )
}
