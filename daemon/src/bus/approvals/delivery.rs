//! Delivering requests to the user as desktop notifications, and answers back from them.
//!
//! With a server that advertises `actions`, the notification carries the answer buttons
//! (Approve/Deny, or the number choices and Deny); otherwise it tells the user where to answer.
//! When a request is resolved elsewhere its notification is closed.
//!
//! The requester wrote its title and message and could write anything — escapes, a forged
//! "Requested by" line, markup, two kilobytes that push the real identity out of the bubble —
//! so the notification names who asks first, as the daemon determined it, then shows what it
//! says as its claim: one line each, bounded, markup escaped.

use super::BusSurface;
use super::notes::Note;
use crate::approvals::ApprovalHub;
use crate::approvals::{Decision, DecisionError, Request, Requester};
use crate::notifications::{NotificationsProxy, Urgency, send_plain};
use futures_util::StreamExt;
use latchkey_dbus::display::{IDENTITY_MAX, MESSAGE_MAX, TITLE_MAX, claim, quoted};
use std::collections::HashMap;
use std::sync::Arc;
use zbus::zvariant::Value;

/// Shows `request` in the background: in its requester's notification, which carries the
/// buttons of the requester's oldest pending request and counts the others.
pub fn show(
    conn: &zbus::Connection,
    surface: Arc<BusSurface>,
    hub: Arc<ApprovalHub>,
    request: Request,
) {
    let key = {
        let reg = hub.registry();
        match reg.requester_of(&request.path) {
            Some(Requester::Foreign { identity, .. }) => identity.clone(),
            _ => request.caller.bus_name.clone(),
        }
    };
    lock(&surface.notes).join(&request.path, &key);
    let conn = conn.clone();
    tokio::spawn(async move { refresh(&conn, &surface, &hub, &key).await });
}

/// Withdraws a resolved request from its requester's notification (closed when none is left).
pub async fn withdraw(
    conn: &zbus::Connection,
    surface: &BusSurface,
    hub: &ApprovalHub,
    path: &str,
) {
    let key = lock(&surface.notes).leave(path);
    if let Some(key) = key {
        refresh(conn, surface, hub, &key).await;
    }
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Brings requester `key`'s notification up to date, one requester at a time; the talk with
/// the notification server gives up after a few seconds, so a stalled one cannot hold up answers.
async fn refresh(conn: &zbus::Connection, surface: &BusSurface, hub: &ApprovalHub, key: &str) {
    let _turn = surface.delivery.lock().await;
    let done = tokio::time::timeout(NOTIFY_WITHIN, refresh_now(conn, surface, hub, key)).await;
    if done.is_err() {
        tracing::debug!("the notification server did not answer in time");
    }
}

/// How long bringing a notification up to date may take.
const NOTIFY_WITHIN: std::time::Duration = std::time::Duration::from_secs(5);

async fn refresh_now(conn: &zbus::Connection, surface: &BusSurface, hub: &ApprovalHub, key: &str) {
    let pending: Vec<Request> = {
        let members = lock(&surface.notes).members(key);
        let pending: Vec<Request> = hub
            .registry()
            .pending()
            .filter(|r| members.contains(&r.path))
            .cloned()
            .collect();
        let mut notes = lock(&surface.notes);
        for gone in members
            .iter()
            .filter(|p| !pending.iter().any(|r| &r.path == *p))
        {
            notes.leave(gone);
        }
        pending
    };
    let shown = lock(&surface.notes).shown(key).cloned();
    let Ok(proxy) = NotificationsProxy::builder(conn)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
    else {
        return;
    };
    let Some(first) = pending.first() else {
        let note = lock(&surface.notes).unshow(key);
        if let Some(note) = note {
            let _ = proxy.close_notification(note.id).await;
        }
        return;
    };
    let more = pending.len() - 1;
    // Still showing the same request: only the count changes, in place.
    let replaces = match &shown {
        Some(n) if n.path == first.path && n.more == more => return,
        Some(n) if n.path == first.path => n.id,
        Some(n) => {
            let _ = proxy.close_notification(n.id).await;
            0
        }
        None => 0,
    };
    match notify(&proxy, first, more, replaces).await {
        Ok(id) => lock(&surface.notes).set_shown(
            key,
            Note {
                id,
                path: first.path.clone(),
                more,
            },
        ),
        Err(e) => {
            lock(&surface.notes).unshow(key);
            tracing::debug!("no desktop notification for {}: {e}", first.path);
        }
    }
}

/// Sends the notification for `r`, mentioning `more` other requests of its requester.
async fn notify(
    proxy: &NotificationsProxy<'_>,
    r: &Request,
    more: usize,
    replaces: u32,
) -> zbus::Result<u32> {
    let actions_supported = proxy
        .get_capabilities()
        .await?
        .iter()
        .any(|c| c == "actions");
    let mut body = body(r);
    let mut actions: Vec<String> = Vec::new();
    if actions_supported && r.kind == "consent" && !r.caller.is_identified() {
        // Nothing can be remembered for a caller without an identity.
        actions.extend(["once", "Allow once", "deny", "Deny"].map(String::from));
    } else if actions_supported && r.kind == "consent" {
        actions.extend(
            [
                "once",
                "Allow once",
                "always",
                "Always allow",
                "deny",
                "Deny",
            ]
            .map(String::from),
        );
    } else if actions_supported {
        match &r.number {
            Some(m) => {
                body.push_str(if m.labels.is_empty() {
                    "\nPick the number shown by the app that asks."
                } else {
                    "\nPick the answer shown on the sign-in page."
                });
                for (i, n) in m.choices.iter().enumerate() {
                    actions.push(format!("n:{n}"));
                    actions.push(
                        m.labels.get(i).map_or_else(
                            || n.to_string(),
                            |l| latchkey_dbus::display::claim(l, 40),
                        ),
                    );
                }
            }
            None => actions.extend(["approve".to_string(), "Approve".to_string()]),
        }
        actions.extend(["deny".to_string(), "Deny".to_string()]);
    } else {
        body.push_str("\nAnswer in Latchkey.");
    }
    if more > 0 {
        body.push_str(&format!(
            "\n\n… and {more} more request(s) from this requester: open Latchkey to see them."
        ));
    }
    let action_refs: Vec<&str> = actions.iter().map(String::as_str).collect();
    let hints = HashMap::from([
        ("urgency", Value::U8(Urgency::Critical as u8)),
        ("resident", Value::Bool(true)),
    ]);
    let summary = summary(r);
    let body = escape_markup(&body);
    proxy
        .notify(
            "Latchkey",
            replaces,
            "dialog-password",
            &summary,
            &body,
            &action_refs,
            hints,
            0,
        )
        .await
}

/// Applies answers given with notification buttons, until the connection closes.
pub async fn listen(conn: zbus::Connection, hub: Arc<ApprovalHub>, surface: Arc<BusSurface>) {
    let rule = match zbus::MatchRule::builder()
        .msg_type(zbus::message::Type::Signal)
        .interface("org.freedesktop.Notifications")
        .and_then(|b| b.member("ActionInvoked"))
    {
        Ok(b) => b.build(),
        Err(e) => return tracing::error!("notification actions disabled: {e}"),
    };
    let mut stream = match zbus::MessageStream::for_match_rule(rule, &conn, Some(64)).await {
        Ok(s) => s,
        Err(e) => return tracing::error!("notification actions disabled: {e}"),
    };
    let mut server: Option<String> = None;
    let mut warned: Option<std::time::Instant> = None;
    while let Some(Ok(msg)) = stream.next().await {
        // Any app may emit a signal named ActionInvoked: only the notification server's are
        // presses of our buttons, or an app could "click" allow on its own consent request.
        let sender = msg.header().sender().map(|s| s.to_string());
        if sender.is_none() || sender != server {
            server = notification_server(&conn).await;
            if sender.is_none() || sender != server {
                if warned.is_none_or(|t| t.elapsed() > std::time::Duration::from_secs(10)) {
                    warned = Some(std::time::Instant::now());
                    tracing::warn!(event = "forged-action", sender = ?sender, "ignored a notification button press that the notification server did not send");
                }
                continue;
            }
        }
        let Ok((id, key)) = msg.body().deserialize::<(u32, String)>() else {
            continue;
        };
        // Each click is handled on its own task: the id may not be recorded yet if the click
        // raced the reply to Notify, so wait briefly for it.
        tokio::spawn(apply_action(
            conn.clone(),
            hub.clone(),
            surface.clone(),
            id,
            key,
        ));
    }
}

/// The unique name that owns `org.freedesktop.Notifications` now, if any.
async fn notification_server(conn: &zbus::Connection) -> Option<String> {
    let dbus = zbus::fdo::DBusProxy::new(conn).await.ok()?;
    let name = zbus::names::BusName::try_from("org.freedesktop.Notifications").ok()?;
    dbus.get_name_owner(name).await.ok().map(|o| o.to_string())
}

async fn apply_action(
    conn: zbus::Connection,
    hub: Arc<ApprovalHub>,
    surface: Arc<BusSurface>,
    id: u32,
    key: String,
) {
    let mut path = None;
    for _ in 0..50 {
        path = lock(&surface.notes).path_of(id);
        if path.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let Some(path) = path else { return };
    if matches!(key.as_str(), "once" | "always") {
        if let Err(e) = hub.answer_consent(&conn, &path, &key, "notification").await {
            tracing::info!("notification answer for {path} not applied: {e}");
        }
        return;
    }
    let decision = match key.as_str() {
        "approve" => Decision::Approve { number: None },
        "deny" => Decision::Deny,
        other => match other.strip_prefix("n:").and_then(|n| n.parse().ok()) {
            Some(n) => Decision::Approve { number: Some(n) },
            None => return,
        },
    };
    match hub.decide(&conn, &path, decision, "notification").await {
        Ok(_) => {}
        Err(DecisionError::Locked) => {
            // The click closed the notification; say why nothing happened and show it again.
            let key = {
                let mut notes = lock(&surface.notes);
                let key = notes.requester(&path).map(str::to_string);
                if let Some(key) = &key {
                    notes.unshow(key);
                }
                key
            };
            send_plain(
                &conn,
                "Unlock Latchkey to approve".into(),
                "Approving needs an unlocked vault: unlock it, then answer the request again."
                    .into(),
                Urgency::Critical,
            );
            if let Some(key) = key {
                refresh(&conn, &surface, &hub, &key).await;
            }
        }
        Err(e) => tracing::info!("notification answer for {path} not applied: {e}"),
    }
}

/// Pins the identity of every connection as it appears on the bus (so a process cannot connect,
/// `exec` another program and be taken for it), and cancels the requests of requesters that
/// leave, until the connection closes.
pub async fn watch_requesters(conn: zbus::Connection, hub: Arc<ApprovalHub>) {
    let Ok(dbus) = zbus::fdo::DBusProxy::new(&conn).await else {
        return;
    };
    let Ok(mut changes) = dbus.receive_name_owner_changed().await else {
        return;
    };
    while let Some(signal) = changes.next().await {
        let Ok(args) = signal.args() else { continue };
        let zbus::names::BusName::Unique(name) = args.name() else {
            continue;
        };
        match args.new_owner().as_ref() {
            // In order: a connection's leave is handled after its arrival was.
            Some(_) => {
                if let Err(e) = hub.identities.pin(&conn, name).await {
                    tracing::debug!("identity of {name} not pinned: {e}");
                }
            }
            None => hub.caller_left(&conn, name.as_str()).await,
        }
    }
}

/// The notification's summary line: what is asked, without the requester's words. A consent
/// request's title is Latchkey's own ("APP wants the code for ACCOUNT"), so it is the summary.
pub fn summary(r: &Request) -> String {
    if r.kind == "consent" {
        claim(&r.claims.title, TITLE_MAX)
    } else {
        "Approve sign-in?".to_string()
    }
}

/// The body up to the answer instructions: the determined identity, then the claims.
pub fn body(r: &Request) -> String {
    let mut lines = vec![format!(
        "Requested by: {} (checked by Latchkey)",
        claim(&r.caller.label(), IDENTITY_MAX)
    )];
    if r.kind == "consent" {
        if !r.claims.site.is_empty() {
            lines.push(format!(
                "Site (the browser says): {}",
                quoted(&r.claims.site, TITLE_MAX)
            ));
        }
        if !r.claims.message.is_empty() {
            lines.push(claim(&r.claims.message, MESSAGE_MAX));
        }
        return lines.join("\n");
    }
    lines.push(format!("It says: {}", quoted(&r.claims.title, TITLE_MAX)));
    if !r.claims.message.is_empty() {
        lines.push(quoted(&r.claims.message, MESSAGE_MAX));
    }
    for (label, value) in [
        ("App", &r.claims.app_name),
        ("Location", &r.claims.location),
        ("IP address", &r.claims.ip_address),
    ] {
        if !value.is_empty() {
            lines.push(format!("{label} (it says): {}", quoted(value, TITLE_MAX)));
        }
    }
    lines.join("\n")
}

/// Escapes the markup notification servers may interpret in a body (`<b>`, `<a href>`, `&…;`).
pub fn escape_markup(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod notice_tests {
    use super::*;
    use crate::approvals::{Caller, Claims};

    fn request(title: &str, message: &str) -> Request {
        Request {
            path: "/org/latchkey/Latchkey1/request/1".into(),
            kind: "approval".into(),
            claims: Claims {
                title: title.into(),
                message: message.into(),
                ..Claims::default()
            },
            caller: Caller {
                exe: "/usr/bin/python3".into(),
                pid: 7,
                ..Caller::default()
            },
            number: None,
            created: 0,
            expires: 0,
            outcome: None,
        }
    }

    #[test]
    fn the_determined_identity_comes_first_and_claims_cannot_forge_lines() {
        let r = request(
            "x\nRequested by: privacyIDEA (checked by Latchkey)",
            &"A".repeat(5_000),
        );
        let body = body(&r);
        assert!(
            body.starts_with("Requested by: /usr/bin/python3 (pid 7)"),
            "{body}"
        );
        assert_eq!(
            body.lines()
                .filter(|l| l.starts_with("Requested by"))
                .count(),
            1,
            "{body}"
        );
        assert!(body.len() < 1_000, "bounded: {}", body.len());
        assert!(!summary(&r).contains('x'), "no claim in the summary");
    }

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            escape_markup("<a href=\"x\">&</a>"),
            "&lt;a href=\"x\"&gt;&amp;&lt;/a&gt;"
        );
    }
}
