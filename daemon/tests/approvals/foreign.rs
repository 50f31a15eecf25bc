//! Apps other than Latchkey's own clients cannot open the consent gate themselves: they may
//! not answer requests, change settings, grant access or import.

use super::*;
use latchkey_dbus::{AccessProxy, Error, SettingsProxy};

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
    let mut pending = request(&bus, "Sign in?", HashMap::new()).await;
    let answering = ApprovalsProxy::new(&app).await.expect("proxy");
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
    assert_eq!(
        answering.list_pending().await.expect("pending").len(),
        1,
        "the request is still open"
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
    assert!(access.list_grants().await.expect("list").is_empty());

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
}
