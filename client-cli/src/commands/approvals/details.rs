//! A request as the daemon describes it: ids and paths, and how a request is printed for people
//! and as JSON.

use crate::exit::CliError;
use latchkey_dbus::RequestDetails;
use latchkey_dbus::display::{IDENTITY_MAX, MESSAGE_MAX, TITLE_MAX, claim, quoted};
use zbus::zvariant::ObjectPath;

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

/// JSON for one pending request.
pub(super) fn request_json(path: &str, d: &RequestDetails) -> serde_json::Value {
    let mut v = serde_json::json!({
        "id": short(path),
        "path": path,
        "kind": d.kind,
        "title": d.title,
        "message": d.message,
        "account_id": d.account_id,
        "app_name": d.app_name,
        "location": d.location,
        "ip_address": d.ip_address,
        "caller": d.caller,
        "caller_exe": d.caller_exe,
        "caller_flatpak": d.caller_flatpak,
        "caller_pid": d.caller_pid,
        "caller_uid": d.caller_uid,
        "created": d.created,
        "expires": d.expires,
    });
    if !d.choices().is_empty() {
        v["choices"] = d.choices().into();
    }
    if !d.labels().is_empty() {
        v["choice_labels"] = d.labels().into();
    }
    v
}

/// Prints one request for a person. Who asks comes first, as Latchkey determined it; what the
/// requester says about itself follows, marked as its claim, on one line each and bounded.
pub(super) fn print_request(path: &str, d: &RequestDetails) {
    let kind = if d.is_consent() {
        "Access request"
    } else {
        "Sign-in approval"
    };
    println!("[{}] {kind}", short(path));
    println!(
        "    Requested by: {} (determined by Latchkey)",
        claim(&d.caller, IDENTITY_MAX)
    );
    println!("    Title (it says): {}", quoted(&d.title, TITLE_MAX));
    if !d.message.is_empty() {
        println!("    Message (it says): {}", quoted(&d.message, MESSAGE_MAX));
    }
    for (label, value) in [
        ("App (it says)", &d.app_name),
        ("Location (it says)", &d.location),
        ("IP address (it says)", &d.ip_address),
    ] {
        if !value.is_empty() {
            println!("    {label}: {}", quoted(value, TITLE_MAX));
        }
    }
    let left = d.expires.saturating_sub(crate::clock::unix_now());
    println!("    Expires in {left} s");
    let c = d.choices();
    let l: Vec<String> = d.labels().iter().map(|l| quoted(l, TITLE_MAX)).collect();
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
pub(super) fn summary(d: &RequestDetails) -> String {
    format!(
        "{} (determined by Latchkey), which says {}",
        claim(&d.caller, IDENTITY_MAX),
        quoted(&d.title, TITLE_MAX)
    )
}
