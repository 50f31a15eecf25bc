//! Answers over D-Bus, the policy, timeouts and disconnects, and fifty concurrent requests.

use super::*;

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
        shown[0].body.contains("Answer in Latchkey"),
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
