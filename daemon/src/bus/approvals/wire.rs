//! What the bus sees of requests: the details dictionary clients show, the little a broadcast
//! announces.

use crate::approvals::Request;
use latchkey_dbus::RequestDetails;
use std::collections::HashMap;
use zbus::zvariant::{OwnedValue, Value};

/// Everything a client shows about a request.
pub fn details(r: &Request) -> RequestDetails {
    let number = r.number.as_ref();
    RequestDetails {
        kind: r.kind.clone(),
        title: r.claims.title.clone(),
        message: r.claims.message.clone(),
        account_id: r.claims.account_id.clone(),
        app_name: r.claims.app_name.clone(),
        location: r.claims.location.clone(),
        ip_address: r.claims.ip_address.clone(),
        caller: r.caller.label(),
        caller_exe: r.caller.exe.clone(),
        caller_pid: r.caller.pid,
        caller_uid: r.caller.uid,
        caller_flatpak: r.caller.flatpak_app.clone(),
        created: r.created,
        expires: r.expires,
        choices: number.map(|m| m.choices.clone()),
        choice_labels: number
            .filter(|m| !m.labels.is_empty())
            .map(|m| m.labels.clone()),
    }
}

/// What the broadcast RequestAdded signal carries: every app on the bus receives it, so it says
/// only that a request of this kind is waiting, never whose or for what (clients ask
/// ListPending, which shows an app only its own requests).
pub fn announcement(r: &Request) -> HashMap<String, OwnedValue> {
    let mut d = HashMap::new();
    let mut put = |k: &str, v: Value<'_>| {
        if let Ok(v) = OwnedValue::try_from(v) {
            d.insert(k.to_string(), v);
        }
    };
    put("kind", Value::from(r.kind.as_str()));
    put("created", Value::from(r.created));
    put("expires", Value::from(r.expires));
    d
}
