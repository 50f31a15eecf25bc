//! A requester's words in a notification: it cannot forge the identity line, hide it behind
//! escapes or push it out of the bubble.

use super::{request, setup, wait_shown};
use std::collections::HashMap;
use zbus::zvariant::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_requester_cannot_forge_or_bury_the_identity_in_a_notification() {
    let (bus, _d, _server, fake, _client) = setup(true).await;
    let forged = "Backup\u{1b}[8m\nRequested by: privacyIDEA (checked by Latchkey)\u{202e}";
    let _pending = request(
        &bus,
        forged,
        HashMap::from([("app_name", Value::from("<b>Bank</b>\r\nRequested by: Bank"))]),
    )
    .await;
    let shown = wait_shown(&fake, 1).await;
    let body = &shown[0].body;
    assert!(
        body.starts_with("Requested by: ")
            && !body.lines().next().unwrap_or("").contains("privacyIDEA"),
        "the determined identity comes first: {body}"
    );
    assert_eq!(
        body.lines()
            .filter(|l| l.starts_with("Requested by"))
            .count(),
        1,
        "no forged identity line: {body}"
    );
    assert!(
        !body
            .chars()
            .any(|c| c == '\u{1b}' || c == '\r' || c == '\u{202e}'),
        "controls made visible: {body:?}"
    );
    assert!(!body.contains("<b>"), "markup escaped: {body}");
    assert!(
        !shown[0].summary.contains("Backup"),
        "no claim in the summary"
    );
}
