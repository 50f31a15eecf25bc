//! What the bus sees of requests: the details dictionary clients show, the little a broadcast
//! announces, and the named error for a refused decision.

use crate::approvals::{DecisionError, Request};
use latchkey_dbus::Error;
use std::collections::HashMap;
use zbus::zvariant::{OwnedValue, Value};

/// Everything a client shows about a request.
pub fn details(r: &Request) -> HashMap<String, OwnedValue> {
    let mut d: HashMap<String, OwnedValue> = HashMap::new();
    let mut put = |k: &str, v: Value<'_>| {
        if let Ok(v) = OwnedValue::try_from(v) {
            d.insert(k.to_string(), v);
        }
    };
    put("kind", Value::from(r.kind.as_str()));
    put("title", Value::from(r.claims.title.as_str()));
    put("message", Value::from(r.claims.message.as_str()));
    put("account_id", Value::from(r.claims.account_id.as_str()));
    put("app_name", Value::from(r.claims.app_name.as_str()));
    put("location", Value::from(r.claims.location.as_str()));
    put("ip_address", Value::from(r.claims.ip_address.as_str()));
    put("caller", Value::from(r.caller.label()));
    put("caller_exe", Value::from(r.caller.exe.as_str()));
    put("caller_pid", Value::from(r.caller.pid));
    put("caller_uid", Value::from(r.caller.uid));
    put("caller_flatpak", Value::from(r.caller.flatpak_app.as_str()));
    put("created", Value::from(r.created));
    put("expires", Value::from(r.expires));
    if let Some(m) = &r.number {
        put("choices", Value::from(m.choices.clone()));
        if !m.labels.is_empty() {
            put("choice_labels", Value::from(m.labels.clone()));
        }
    }
    d
}

/// What the broadcast RequestAdded signal carries: every app on the bus receives it, so it says
/// only that a request of this kind is waiting, never whose or for what (clients ask
/// ListPending, which shows an app only its own requests).
pub fn announcement(r: &Request) -> HashMap<String, OwnedValue> {
    let mut d = details(r);
    d.retain(|k, _| matches!(k.as_str(), "kind" | "created" | "expires"));
    d
}

/// The named D-Bus error for a refused decision.
pub fn decision_error(e: DecisionError) -> Error {
    match e {
        DecisionError::NotFound(_) => Error::NotFound(e.to_string()),
        DecisionError::Locked => Error::Locked(e.to_string()),
        DecisionError::Expired => Error::Expired(e.to_string()),
        DecisionError::NumberRequired => Error::InvalidArgument(e.to_string()),
    }
}
