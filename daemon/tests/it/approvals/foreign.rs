//! Apps other than Latchkey's own clients cannot open the consent gate themselves or undo the
//! user's work: they may not answer requests, change settings, grant access, import, edit or
//! remove accounts, switch keyring unlock, enroll push tokens or force backups.

use super::*;
use latchkey_dbus::{AccessProxy, BackupProxy, Error, SettingsProxy};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_apps_cannot_speak_for_the_user() {
    let bus = TestBus::start(bin()).expect("bus");
    // This test process is not one of Latchkey's clients.
    let _daemon = bus
        .spawn_daemon_with(bin(), &[("LATCHKEY_TEST_TRUST_ALL_CALLERS", "0")])
        .expect("daemon");
    let app = connect(&bus).await;
    let vault = VaultProxy::new(&app).await.expect("vault");
    vault.create("pw").await.expect("create");
    let denied = |e: zbus::Error, what: &str| {
        let text = e.to_string();
        assert!(
            matches!(Error::from(e), Error::AccessDenied(_)) || text.contains("AccessDenied"),
            "{what}: {text}"
        );
        assert!(text.contains("own clients"), "{what}: {text}");
    };

    // A sign-in request from one connection cannot be approved or denied from another.
    let answering = ApprovalsProxy::new(&app).await.expect("proxy");
    let mut added = answering.receive_request_added().await.expect("subscribe");
    let mut pending = request(
        &bus,
        "Sign in?",
        HashMap::from([("account_id", Value::from("alice@example.com"))]),
    )
    .await;
    // The broadcast every app receives says that a request waits, not whose or for what.
    let signal = tokio::time::timeout(Duration::from_secs(5), added.next())
        .await
        .expect("RequestAdded in time")
        .expect("RequestAdded");
    let args = signal.args().expect("args");
    let mut keys: Vec<&str> = args.details().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["created", "expires", "kind"],
        "RequestAdded carries more"
    );
    denied(
        answering
            .approve(&pending.path.as_ref(), 0)
            .await
            .expect_err("approved"),
        "Approve",
    );
    denied(
        answering
            .deny(&pending.path.as_ref())
            .await
            .expect_err("denied"),
        "Deny",
    );
    // Another app's requests are not listed to it (they name accounts and apps); its own are.
    assert!(
        answering.list_pending().await.expect("pending").is_empty(),
        "another app's request was listed"
    );
    let own = ApprovalsProxy::new(&pending.conn).await.expect("proxy");
    let listed = own.list_pending().await.expect("pending");
    assert_eq!(listed.len(), 1, "the request is still open");
    assert_eq!(listed[0].0, pending.path);
    // The activity log is for Latchkey's own clients.
    denied(
        answering.activity_log(10).await.expect_err("log read"),
        "ActivityLog",
    );
    RequestProxy::builder(&pending.conn)
        .path(pending.path.clone())
        .expect("path")
        .build()
        .await
        .expect("request proxy")
        .cancel()
        .await
        .expect("the requester may cancel");
    assert_eq!(response(&mut pending).await, "cancelled");

    // Settings: consent cannot be switched off, and the value stays.
    let settings = SettingsProxy::builder(&app)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .expect("settings");
    denied(
        settings
            .set_require_app_consent(false)
            .await
            .expect_err("set"),
        "RequireAppConsent",
    );
    denied(
        settings.set_backup_keep(1).await.expect_err("set"),
        "BackupKeep",
    );
    assert!(settings.require_app_consent().await.expect("read"));
    assert_eq!(settings.backup_keep().await.expect("read"), 10);

    // Access: no self-granted permission, no clearing of the user's decisions.
    let access = AccessProxy::new(&app).await.expect("access");
    let me = format!("exe:{}", std::env::current_exe().expect("exe").display());
    denied(access.grant(&me, "").await.expect_err("grant"), "Grant");
    denied(access.revoke(&me, "").await.expect_err("revoke"), "Revoke");
    denied(access.list_grants().await.expect_err("list"), "ListGrants");

    // Import: refused before the data is read; nothing is added.
    let uris = b"otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP\n";
    denied(
        vault
            .import(uris, "uris", "", false)
            .await
            .expect_err("import"),
        "Import",
    );
    assert_eq!(vault.account_count().await.expect("count"), 0);

    // Adding one account stays open to apps; changing or removing it is not.
    let id = vault
        .add_uri("otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP")
        .await
        .expect("an app may add an account");
    let rename = HashMap::from([("issuer", Value::from("Evil"))]);
    denied(
        vault.update_account(&id, rename).await.expect_err("update"),
        "UpdateAccount",
    );
    // A change longer than any label is refused by its length before anything else, unechoed.
    let huge = "E".repeat(10_000);
    let rename = HashMap::from([("issuer", Value::from(huge.as_str()))]);
    let e = Error::from(vault.update_account(&id, rename).await.expect_err("huge"));
    assert!(
        matches!(&e, Error::InvalidArgument(m) if m.contains("longer than 1024 bytes") && m.len() < 200),
        "{e:?}"
    );
    denied(
        vault.remove_account(&id).await.expect_err("remove"),
        "RemoveAccount",
    );
    denied(
        vault.enable_keyring().await.expect_err("keyring"),
        "EnableKeyring",
    );
    denied(
        vault.disable_keyring().await.expect_err("keyring"),
        "DisableKeyring",
    );
    let push = "otpauth://pipush/PIPU0001?url=http://127.0.0.1:9/ttype/push&ttl=10&issuer=privacyIDEA&enrollment_credential=abc&v=1&serial=PIPU0001&sslverify=1&poll_only=True";
    denied(
        vault.add_uri(push).await.expect_err("enroll"),
        "AddUri (push)",
    );
    let backup = BackupProxy::new(&app).await.expect("backup");
    denied(backup.backup_now().await.expect_err("backup"), "BackupNow");
    let uncached = VaultProxy::builder(&app)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .expect("vault");
    assert_eq!(uncached.account_count().await.expect("count"), 1);
    assert!(!uncached.keyring_unlock().await.expect("keyring"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_button_press_forged_by_another_app_is_ignored() {
    let (bus, _d, server, fake, _client) = super::setup(true).await;
    let mut pending = request(&bus, "Sign in?", HashMap::new()).await;
    let shown = super::wait_shown(&fake, 1).await;
    // Any app may emit ActionInvoked with a guessed id; only the notification server's count.
    let forger = connect(&bus).await;
    crate::common::click(&forger, shown[0].id, "approve").await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    let own = ApprovalsProxy::new(&pending.conn).await.expect("proxy");
    assert_eq!(
        own.list_pending().await.expect("pending").len(),
        1,
        "a forged press approved the request"
    );
    // The server's own press still answers it.
    crate::common::click(&server, shown[0].id, "deny").await;
    assert_eq!(response(&mut pending).await, "denied");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_refused_often_is_answered_late_but_its_files_are_not_held() {
    let bus = TestBus::start(bin()).expect("bus");
    let _daemon = bus
        .spawn_daemon_with(bin(), &[("LATCHKEY_TEST_TRUST_ALL_CALLERS", "0")])
        .expect("daemon");
    let app = connect(&bus).await;
    let vault = VaultProxy::new(&app).await.expect("vault");
    vault.create("pw").await.expect("create");
    let access = AccessProxy::new(&app).await.expect("access");
    // 100 refused calls at once earn the app a pause before its next refusal...
    let calls = (0..100).map(|_| access.grant("exe:/usr/bin/true", ""));
    let refused = futures_util::future::join_all(calls).await;
    assert!(refused.iter().all(Result::is_err));
    let t = Instant::now();
    access
        .grant("exe:/usr/bin/true", "")
        .await
        .expect_err("grant");
    let paused = t.elapsed();
    assert!(
        paused > Duration::from_millis(250),
        "not slowed: {paused:?}"
    );
    // ... but a call carrying a file is refused at once, so the daemon does not hold the file
    // through the pause.
    let file = vec![b'x'; 64 << 10];
    let t = Instant::now();
    let e = vault
        .import(&file, "uris", "", false)
        .await
        .expect_err("import");
    let at_once = t.elapsed();
    assert!(e.to_string().contains("own clients"), "{e}");
    assert!(at_once < paused / 2, "held {at_once:?} (pause {paused:?})");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_retrying_keyring_unlock_is_slowed_and_logged_once() {
    let bus = TestBus::start(bin()).expect("bus");
    // This test process is not one of Latchkey's clients; there is no keyring slot to use.
    let daemon = bus
        .spawn_daemon_with(bin(), &[("LATCHKEY_TEST_TRUST_ALL_CALLERS", "0")])
        .expect("daemon");
    let app = connect(&bus).await;
    let vault = VaultProxy::new(&app).await.expect("vault");
    vault.create("pw").await.expect("create");
    vault.lock().await.expect("lock");
    let started = std::time::Instant::now();
    for _ in 0..20 {
        let e = Error::from(vault.unlock_with_keyring().await.expect_err("no slot"));
        assert!(matches!(e, Error::Keyring(_)), "{e:?}");
    }
    let took = started.elapsed();
    let (_, log) = daemon.stop().expect("stop");
    assert!(
        // Each refusal of the same app waits 5 ms longer than the last: 1.05 s for 20.
        took >= Duration::from_millis(800),
        "the retries were not slowed: {took:?}"
    );
    assert_eq!(
        log.matches("keyring-unlock-failed").count(),
        1,
        "one line for the run of refusals: {log}"
    );
}
