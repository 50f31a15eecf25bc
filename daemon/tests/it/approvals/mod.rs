//! Approval requests end to end: the real daemon, requester and answering clients on a private
//! bus, and a notification-server double with and without the `actions` capability.
//!
//! Here: answers through notification actions. [`answers`]: answers over D-Bus, policy,
//! timeout, disconnects and concurrency. [`consent`]: third-party code requests.

mod answers;
mod attacker;
mod consent;
mod display;
mod flooding;
mod floods;
mod foreign;
mod hardening;
mod huge;
mod identity;
mod passphrase;

use crate::common::daemon::{bin, connect};
use futures_util::StreamExt;
use latchkey_dbus::testing::TestBus;
use latchkey_dbus::{ApprovalsProxy, RequestProxy, VaultProxy};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use zbus::zvariant::{OwnedObjectPath, Value};

/// A requester: its own connection, a request, and a stream of its Response.
struct Pending {
    conn: zbus::Connection,
    path: OwnedObjectPath,
    number: u32,
    responses: latchkey_dbus::proxy::ResponseStream,
}

async fn request(bus: &TestBus, title: &str, options: HashMap<&str, Value<'_>>) -> Pending {
    let conn = connect(bus).await;
    let approvals = ApprovalsProxy::new(&conn).await.expect("proxy");
    let (path, number) = approvals
        .request_approval(title, "Sign in to example.com", options)
        .await
        .expect("request");
    let req: RequestProxy<'static> = RequestProxy::builder(&conn)
        .path(path.clone())
        .expect("path")
        .build()
        .await
        .expect("request proxy");
    let responses = req.receive_response().await.expect("subscribe");
    Pending {
        conn,
        path,
        number,
        responses,
    }
}

async fn response(p: &mut Pending) -> String {
    let signal = tokio::time::timeout(Duration::from_secs(5), p.responses.next())
        .await
        .expect("response in time")
        .expect("response");
    signal.args().expect("args").result().clone()
}

async fn wait_shown(
    fake: &crate::common::FakeNotifications,
    n: usize,
) -> Vec<crate::common::Shown> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let shown = fake.shown.lock().expect("shown").clone();
        if shown.len() >= n {
            return shown;
        }
        assert!(
            Instant::now() < deadline,
            "expected {n} notifications, got {shown:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn setup(
    with_actions: bool,
) -> (
    TestBus,
    latchkey_dbus::testing::DaemonProcess,
    zbus::Connection,
    crate::common::FakeNotifications,
    zbus::Connection,
) {
    let bus = TestBus::start(bin()).expect("bus");
    let (server, fake) = crate::common::serve_notifications(bus.address(), with_actions).await;
    let daemon = bus.spawn_daemon(bin()).expect("daemon");
    let client = connect(&bus).await;
    VaultProxy::new(&client)
        .await
        .expect("vault")
        .create("pw")
        .await
        .expect("create");
    (bus, daemon, server, fake, client)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approve_and_number_matching_through_notification_actions() {
    let (bus, _d, server, fake, client) = setup(true).await;
    let approvals = ApprovalsProxy::new(&client).await.expect("proxy");

    let mut plain = request(
        &bus,
        "Plain sign-in",
        HashMap::from([
            ("app_name", Value::from("Example SSO")),
            ("location", Value::from("Paris")),
        ]),
    )
    .await;
    assert_eq!(plain.number, 0);
    let shown = wait_shown(&fake, 1).await;
    assert_eq!(shown[0].actions, ["approve", "Approve", "deny", "Deny"]);
    assert_eq!(shown[0].urgency, 2, "critical urgency");
    assert!(shown[0].body.contains("Example SSO") && shown[0].body.contains("Paris"));
    assert!(
        shown[0].body.contains("Requested by:"),
        "daemon-determined identity shown: {}",
        shown[0].body
    );
    let pending = approvals.list_pending().await.expect("list");
    let (_, details) = pending
        .iter()
        .find(|(p, _)| *p == plain.path)
        .expect("listed");
    let exe = details.caller_exe.clone();
    assert!(
        exe.ends_with(
            std::env::current_exe()
                .expect("exe")
                .file_name()
                .and_then(|n| n.to_str())
                .expect("name")
        ),
        "caller exe is this test: {exe}"
    );
    crate::common::click(&server, shown[0].id, "approve").await;
    assert_eq!(response(&mut plain).await, "approved");

    // Number matching: the choices are the buttons; the right one approves.
    let mut nm = request(
        &bus,
        "Matched sign-in",
        HashMap::from([
            ("number_matching", Value::from(true)),
            ("choices", Value::from(4u32)),
        ]),
    )
    .await;
    assert!((10..100).contains(&nm.number));
    let shown = wait_shown(&fake, 2).await;
    let buttons: Vec<&String> = shown[1].actions.iter().step_by(2).collect();
    assert_eq!(buttons.len(), 5, "4 numbers + deny: {:?}", shown[1].actions);
    assert!(buttons.contains(&&format!("n:{}", nm.number)));
    crate::common::click(&server, shown[1].id, &format!("n:{}", nm.number)).await;
    assert_eq!(response(&mut nm).await, "approved");

    // A wrong number is a denial, reported as wrong-number, and a security event.
    let vault = VaultProxy::new(&client).await.expect("vault");
    let mut events = vault.receive_security_event().await.expect("events");
    let mut wrong = request(
        &bus,
        "Phished sign-in",
        HashMap::from([("number_matching", Value::from(true))]),
    )
    .await;
    let shown = wait_shown(&fake, 3).await;
    let decoy = shown[2]
        .actions
        .iter()
        .step_by(2)
        .find(|k| k.starts_with("n:") && **k != format!("n:{}", wrong.number))
        .expect("decoy")
        .clone();
    crate::common::click(&server, shown[2].id, &decoy).await;
    assert_eq!(response(&mut wrong).await, "wrong-number");
    let ev = tokio::time::timeout(Duration::from_secs(5), events.next())
        .await
        .expect("event")
        .expect("event");
    let args = ev.args().expect("args");
    assert_eq!(args.event(), "approval-wrong-number");
    // Every app receives it: it says what happened, not what the request was for.
    assert!(
        !args.message().contains("Phished") && !format!("{:?}", args.details()).contains("Phished"),
        "the broadcast names the request: {}",
        args.message()
    );
    // Deny through the notification's button.
    let mut denied = request(&bus, "Unexpected sign-in", HashMap::new()).await;
    let shown = wait_shown(&fake, 4).await;
    crate::common::click(&server, shown[3].id, "deny").await;
    assert_eq!(response(&mut denied).await, "denied");
    // Resolved requests' notifications are closed.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(fake.closed.lock().expect("closed").len() >= 4);
    let log = approvals.activity_log(10).await.expect("activity");
    assert_eq!(log.len(), 4, "{log:?}");
    assert!(log[2].contains("wrong-number") && log[2].contains("Phished sign-in"));
    assert!(
        log[3].contains("denied") && log[3].contains("notification"),
        "{}",
        log[3]
    );
}
