//! Approval requests end to end: the real daemon, requester and answering clients on a private
//! bus, and a notification-server double with and without the `actions` capability.

mod common;

use common::daemon::{bin, connect};
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

async fn wait_shown(fake: &common::FakeNotifications, n: usize) -> Vec<common::Shown> {
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
    common::FakeNotifications,
    zbus::Connection,
) {
    let bus = TestBus::start(bin()).expect("bus");
    let (server, fake) = common::serve_notifications(bus.address(), with_actions).await;
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
    let exe = String::try_from(details["caller_exe"].try_clone().expect("clone")).expect("exe");
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
    common::click(&server, shown[0].id, "approve").await;
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
    common::click(&server, shown[1].id, &format!("n:{}", nm.number)).await;
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
    common::click(&server, shown[2].id, &decoy).await;
    assert_eq!(response(&mut wrong).await, "wrong-number");
    let ev = tokio::time::timeout(Duration::from_secs(5), events.next())
        .await
        .expect("event")
        .expect("event");
    assert_eq!(ev.args().expect("args").event(), "approval-wrong-number");
    // Deny through the notification's button.
    let mut denied = request(&bus, "Unexpected sign-in", HashMap::new()).await;
    let shown = wait_shown(&fake, 4).await;
    common::click(&server, shown[3].id, "deny").await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_over_dbus_policy_timeout_and_disconnect() {
    let (bus, _d, _server, fake, client) = setup(false).await;
    let approvals = ApprovalsProxy::new(&client).await.expect("proxy");
    let vault = VaultProxy::new(&client).await.expect("vault");

    // Without `actions`, the notification says where to answer.
    let mut r = request(
        &bus,
        "No buttons",
        HashMap::from([("number_matching", Value::from(true))]),
    )
    .await;
    let shown = wait_shown(&fake, 1).await;
    assert!(shown[0].actions.is_empty());
    assert!(
        shown[0].body.contains("latchkey approvals"),
        "{}",
        shown[0].body
    );
    // The requester cannot answer its own request.
    let own = ApprovalsProxy::new(&r.conn).await.expect("proxy");
    assert!(
        own.approve(&r.path.as_ref(), r.number).await.is_err(),
        "requester approved itself"
    );
    // Locked vault: approving is refused (the request stays), denying is allowed.
    vault.lock().await.expect("lock");
    let e = latchkey_dbus::Error::from(
        approvals
            .approve(&r.path.as_ref(), r.number)
            .await
            .expect_err("locked"),
    );
    assert!(matches!(e, latchkey_dbus::Error::Locked(_)), "{e:?}");
    vault.unlock("pw").await.expect("unlock");
    let e = latchkey_dbus::Error::from(
        approvals
            .approve(&r.path.as_ref(), 0)
            .await
            .expect_err("number required"),
    );
    assert!(
        matches!(e, latchkey_dbus::Error::InvalidArgument(_)),
        "{e:?}"
    );
    assert_eq!(
        approvals
            .approve(&r.path.as_ref(), r.number)
            .await
            .expect("approve"),
        "approved"
    );
    assert_eq!(response(&mut r).await, "approved");
    let e = latchkey_dbus::Error::from(
        approvals
            .approve(&r.path.as_ref(), r.number)
            .await
            .expect_err("decided once"),
    );
    assert!(matches!(e, latchkey_dbus::Error::NotFound(_)), "{e:?}");

    let mut d = request(&bus, "Deny me", HashMap::new()).await;
    vault.lock().await.expect("lock");
    approvals
        .deny(&d.path.as_ref())
        .await
        .expect("deny while locked");
    assert_eq!(response(&mut d).await, "denied");
    vault.unlock("pw").await.expect("unlock");

    // Timeout.
    let mut t = request(
        &bus,
        "Too slow",
        HashMap::from([("timeout", Value::from(1u32))]),
    )
    .await;
    assert_eq!(response(&mut t).await, "expired");
    assert!(
        approvals.approve(&t.path.as_ref(), 0).await.is_err(),
        "expired request approved"
    );

    // Bad arguments get clear errors.
    let bad = ApprovalsProxy::new(&client).await.expect("proxy");
    for (opts, word) in [
        (HashMap::from([("timeout", Value::from(301u32))]), "timeout"),
        (HashMap::from([("choices", Value::from(12u32))]), "choices"),
        (
            HashMap::from([("bogus", Value::from(1u32))]),
            "unknown option",
        ),
        (HashMap::from([("timeout", Value::from("soon"))]), "uint32"),
    ] {
        let e = bad
            .request_approval("t", "m", opts)
            .await
            .expect_err("refused");
        assert!(e.to_string().contains(word), "{e}");
    }

    // Cancel by the requester, and cancellation when the requester leaves the bus.
    let mut resolved = approvals
        .receive_request_resolved()
        .await
        .expect("resolved stream");
    let mut c = request(&bus, "Cancel me", HashMap::new()).await;
    RequestProxy::builder(&c.conn)
        .path(c.path.clone())
        .expect("path")
        .build()
        .await
        .expect("proxy")
        .cancel()
        .await
        .expect("cancel");
    assert_eq!(response(&mut c).await, "cancelled");
    let gone = request(&bus, "Requester crashes", HashMap::new()).await;
    let gone_path = gone.path.clone();
    drop(gone);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let sig = tokio::time::timeout(deadline - Instant::now(), resolved.next())
            .await
            .expect("resolved in time")
            .expect("signal");
        let args = sig.args().expect("args");
        if *args.request() == gone_path {
            assert_eq!(args.result(), "cancelled");
            break;
        }
    }
    assert_eq!(approvals.pending_count().await.expect("count"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_requests_each_resolved_exactly_once() {
    let (bus, _d, _server, _fake, client) = setup(false).await;
    let approvals = ApprovalsProxy::new(&client).await.expect("proxy");
    let mut pending = Vec::new();
    for i in 0..50 {
        pending.push(request(&bus, &format!("Request {i}"), HashMap::new()).await);
    }
    assert_eq!(approvals.pending_count().await.expect("count"), 50);
    // Two answering clients race on every request: exactly one decision wins.
    let other = connect(&bus).await;
    let other = ApprovalsProxy::new(&other).await.expect("proxy");
    let mut tasks = Vec::new();
    for (i, p) in pending.iter().enumerate() {
        let (a, b, path) = (approvals.clone(), other.clone(), p.path.clone());
        tasks.push(tokio::spawn(async move {
            let (x, y) = if i % 2 == 0 {
                tokio::join!(
                    async { a.approve(&path.as_ref(), 0).await.is_ok() },
                    async { b.deny(&path.as_ref()).await.is_ok() }
                )
            } else {
                tokio::join!(async { a.deny(&path.as_ref()).await.is_ok() }, async {
                    b.approve(&path.as_ref(), 0).await.is_ok()
                })
            };
            u32::from(x) + u32::from(y)
        }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("task"), 1, "exactly one answer accepted");
    }
    for p in &mut pending {
        let result = response(p).await;
        assert!(result == "approved" || result == "denied", "{result}");
        let extra = tokio::time::timeout(Duration::from_millis(50), p.responses.next()).await;
        assert!(extra.is_err(), "a second Response for {}", p.path);
    }
    assert_eq!(approvals.pending_count().await.expect("count"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn third_party_code_requests_need_consent() {
    let bus = TestBus::start(bin()).expect("bus");
    let (server, fake) = common::serve_notifications(bus.address(), true).await;
    // This test process is not one of Latchkey's clients: consent applies to it.
    let _daemon = bus
        .spawn_daemon_with(bin(), &[("LATCHKEY_TEST_TRUST_ALL_CALLERS", "0")])
        .expect("daemon");
    let cli = latchkey_dbus::testing::target_bin("latchkey");
    let run = |args: &[&str], stdin: &str| {
        use std::io::Write;
        let mut child = bus
            .command(&cli)
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("cli");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("write");
        let out = child.wait_with_output().expect("cli");
        assert!(out.status.success(), "latchkey {args:?}");
        String::from_utf8(out.stdout).expect("utf-8")
    };
    // Our own CLI is trusted: no consent needed.
    run(&["init", "--passphrase-stdin"], "pw\n");
    let id = run(
        &["add", "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP"],
        "",
    )
    .trim()
    .to_string();
    run(&["code", &id], "");
    assert!(
        fake.shown.lock().expect("shown").is_empty(),
        "the CLI was asked for consent"
    );

    let app = connect(&bus).await;
    let vault = VaultProxy::new(&app).await.expect("vault");
    // Allow once: this call gets its code, the next one asks again.
    let (app_code, ()) = tokio::join!(vault.get_code(&id), async {
        let shown = wait_shown(&fake, 1).await;
        assert!(
            shown[0]
                .summary
                .contains("wants the code for GitHub (alice)"),
            "{}",
            shown[0].summary
        );
        assert_eq!(
            shown[0].actions.iter().step_by(2).collect::<Vec<_>>(),
            ["once", "always", "deny"]
        );
        common::click(&server, shown[0].id, "once").await;
    });
    assert_eq!(app_code.expect("code after allow once").0.len(), 6);
    // Deny is remembered.
    let (denied, _) = tokio::join!(vault.list_accounts(), async {
        let shown = wait_shown(&fake, 2).await;
        assert!(shown[1].summary.contains("the list of your accounts"));
        common::click(&server, shown[1].id, "deny").await;
    });
    assert!(matches!(
        latchkey_dbus::Error::from(denied.expect_err("denied")),
        latchkey_dbus::Error::AccessDenied(_)
    ));
    assert!(vault.list_accounts().await.is_err(), "remembered deny");
    assert_eq!(
        fake.shown.lock().expect("shown").len(),
        2,
        "a remembered decision asks nobody"
    );
    // Always allow, answered through the D-Bus method as a client would.
    let answering = ApprovalsProxy::new(&connect(&bus).await)
        .await
        .expect("proxy");
    let (code, _) = tokio::join!(vault.get_code(&id), async {
        wait_shown(&fake, 3).await;
        let pending = answering.list_pending().await.expect("pending");
        let (path, details) = pending.first().expect("consent pending");
        assert_eq!(
            String::try_from(details["kind"].try_clone().expect("clone")).expect("kind"),
            "consent"
        );
        assert_eq!(
            answering
                .answer_consent(&path.as_ref(), "always")
                .await
                .expect("answer"),
            "approved"
        );
    });
    code.expect("code after always");
    vault.get_code(&id).await.expect("always is remembered");
    assert_eq!(fake.shown.lock().expect("shown").len(), 3);
    // `latchkey access list|revoke` through the Access interface.
    let listed = run(&["access", "list", "--json"], "");
    assert!(
        listed.contains("\"allow\"") && listed.contains("\"deny\""),
        "{listed}"
    );
    let exe = std::env::current_exe().expect("exe").display().to_string();
    run(&["access", "revoke", &format!("exe:{exe}")], "");
    assert!(!run(&["access", "list", "--json"], "").contains(&exe));
    // Allowed ahead of time: no prompt at all.
    let before = fake.shown.lock().expect("shown").len();
    run(&["access", "allow", &format!("exe:{exe}")], "");
    vault.get_code(&id).await.expect("pre-authorised code");
    vault.list_accounts().await.expect("pre-authorised list");
    run(&["access", "revoke", &format!("exe:{exe}")], "");
    // Consent turned off by the user: every same-user caller is trusted.
    run(&["config", "set", "require_app_consent", "false"], "");
    vault.get_code(&id).await.expect("consent off");
    assert_eq!(
        fake.shown.lock().expect("shown").len(),
        before,
        "nobody was asked"
    );
    let log = run(&["activity", "--json"], "");
    assert!(log.contains("consent"), "{log}");
}
