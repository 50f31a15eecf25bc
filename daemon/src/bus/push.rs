//! Push tokens on the Vault interface: listed as approval-only accounts, enrolled by `AddUri`,
//! unregistered by `RemoveAccount`; they have no codes.

use crate::events::{Events, Security};
use crate::push::{Push, PushToken};
use latchkey_dbus::{AccountExtra, AccountInfo, AccountKind, Error};
use std::sync::Arc;

/// A push token as listed: kind `push`, issuer and serial, no digits or period.
pub fn info(t: &PushToken) -> AccountInfo {
    AccountInfo {
        id: t.id.clone(),
        issuer: t.issuer.clone(),
        account: t.serial.clone(),
        kind: AccountKind::Push,
        algorithm: String::new(),
        digits: 0,
        period: 0,
        extra: AccountExtra {
            serial: Some(t.serial.clone()),
            url: Some(t.url.clone()),
            approval_only: Some(true),
            ..AccountExtra::default()
        },
    }
}

/// The error `GetCode` gives for a push token.
pub fn no_codes(t: &PushToken) -> Error {
    Error::InvalidArgument(format!(
        "{} ({}) is a push token for sign-in approvals: it has no codes",
        t.issuer, t.serial
    ))
}

/// Unregisters a push token locally and tells every client to delete it on the server too.
pub async fn remove(
    push: &Arc<Push>,
    id: &str,
    conn: &zbus::Connection,
    events: &Events,
) -> Result<(), Error> {
    let token = push.remove(id).await?;
    push.cancel_requests(conn, id).await;
    let message = format!(
        "Push token {} ({}) was removed from Latchkey. Delete it on the privacyIDEA server too, or it stays enrolled there.",
        token.serial, token.issuer
    );
    events.security(
        Security::new("push-token-removed", message).with("serial", token.serial.as_str()),
    );
    Ok(())
}
