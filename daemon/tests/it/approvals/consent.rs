//! Third-party code requests need the user's consent.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn third_party_code_requests_need_consent() {
    let bus = TestBus::start(bin()).expect("bus");
    let (server, fake) = crate::common::serve_notifications(bus.address(), true).await;
    // This test process is not one of Latchkey's clients: consent applies to it.
    let _daemon = bus
        .spawn_daemon_with(bin(), &[("LATCHKEY_TEST_TRUST_ALL_CALLERS", "0")])
        .expect("daemon");
    let run = |args: &[&str], stdin: &str| crate::common::daemon::cli_ok(&bus, args, stdin);
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
        crate::common::click(&server, shown[0].id, "once").await;
    });
    assert_eq!(app_code.expect("code after allow once").0.len(), 6);
    // Deny is remembered.
    let (denied, _) = tokio::join!(vault.list_accounts(), async {
        let shown = wait_shown(&fake, 2).await;
        assert!(shown[1].summary.contains("the list of your accounts"));
        crate::common::click(&server, shown[1].id, "deny").await;
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
    // The app cannot answer its own consent request from a second connection: only Latchkey's
    // clients speak for the user. The user then allows it always, through the CLI.
    let answering = ApprovalsProxy::new(&connect(&bus).await)
        .await
        .expect("proxy");
    let (code, _) = tokio::join!(vault.get_code(&id), async {
        wait_shown(&fake, 3).await;
        // Only the app that asked sees its request listed.
        assert!(answering.list_pending().await.expect("pending").is_empty());
        let pending = ApprovalsProxy::new(&app)
            .await
            .expect("proxy")
            .list_pending()
            .await
            .expect("pending");
        let (path, details) = pending.first().expect("consent pending");
        assert_eq!(details.kind, "consent");
        let refused = answering
            .answer_consent(&path.as_ref(), "always")
            .await
            .expect_err("a foreign app answered consent");
        assert!(
            matches!(
                latchkey_dbus::Error::from(refused),
                latchkey_dbus::Error::AccessDenied(_)
            ),
            "foreign answer not refused as AccessDenied"
        );
        tokio::task::block_in_place(|| run(&["approve", path.as_str(), "--always"], ""));
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
    let shown = fake.shown.lock().expect("shown").clone();
    assert_eq!(
        shown.len(),
        before + 1,
        "nobody was asked; the user was told consent is off: {shown:?}"
    );
    assert!(
        shown[before]
            .summary
            .contains("protection was switched off"),
        "{shown:?}"
    );
    let log = run(&["activity", "--json"], "");
    assert!(log.contains("consent"), "{log}");
    // Codes handed out without asking are in the log too, with the reason.
    assert!(
        log.contains("\"detail\":\"remembered\"") && log.contains("\"detail\":\"consent-off\""),
        "{log}"
    );
}
