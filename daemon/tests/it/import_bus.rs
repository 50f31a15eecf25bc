//! `Vault.Import` over a private bus: AccountsChanged carries the new ids, errors are named,
//! and the journal line counts entries without naming secrets.

use crate::common::daemon::{bin, connect, vault_proxy};
use futures_util::StreamExt;
use latchkey_dbus::testing::TestBus;
use std::time::Duration;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../core/tests/data/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(path).expect("fixture")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_signals_ids_and_names_its_errors() {
    let bus = TestBus::start(bin()).expect("bus");
    let daemon = bus.spawn_daemon(bin()).expect("daemon");
    let conn = connect(&bus).await;
    let vault = vault_proxy(&conn).await;
    let locked = vault
        .import(&fixture("uris.txt"), "auto", "", false)
        .await
        .expect_err("locked");
    assert!(matches!(
        latchkey_dbus::Error::from(locked),
        latchkey_dbus::Error::NotInitialized(_) | latchkey_dbus::Error::Locked(_)
    ));
    vault.create("vault pass").await.expect("create");
    let mut changes = vault.receive_accounts_changed().await.expect("subscribe");

    let (added, skipped, failed, notes) = vault
        .import(&fixture("uris.txt"), "uris", "", false)
        .await
        .expect("import");
    assert_eq!((added.len(), skipped.len(), failed.len()), (3, 0, 0));
    assert!(notes.is_empty());
    let ids: Vec<String> = added.iter().map(|d| d.id.clone().expect("id")).collect();
    let signal = tokio::time::timeout(Duration::from_secs(5), changes.next())
        .await
        .expect("AccountsChanged in time")
        .expect("signal");
    assert_eq!(signal.args().expect("args").added, ids);
    assert_eq!(vault.account_count().await.expect("count"), 3);
    let listed: Vec<String> = vault
        .list_accounts()
        .await
        .expect("list")
        .into_iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(listed, ids);

    let err = vault
        .import(&fixture("aegis-encrypted-v2.json"), "auto", "nope", false)
        .await
        .expect_err("wrong passphrase");
    assert!(matches!(
        latchkey_dbus::Error::from(err),
        latchkey_dbus::Error::BadPassphrase(_)
    ));
    let err = vault
        .import(b"{\"version\": 1", "aegis", "", true)
        .await
        .expect_err("truncated");
    match latchkey_dbus::Error::from(err) {
        latchkey_dbus::Error::InvalidArgument(m) => assert!(m.starts_with("Aegis: "), "{m}"),
        other => panic!("{other:?}"),
    }
    let err = vault
        .import(b"x", "lastpass", "", true)
        .await
        .expect_err("unknown format");
    assert!(matches!(
        latchkey_dbus::Error::from(err),
        latchkey_dbus::Error::InvalidArgument(_)
    ));

    let (_, log) = daemon.stop().expect("stop");
    let line = log
        .lines()
        .find(|l| l.contains("event=\"import\""))
        .unwrap_or_else(|| panic!("no import event in:\n{log}"));
    assert!(
        line.contains("added=3") && line.contains("failed=0"),
        "{line}"
    );
    for secret in ["JBSWY3DPEHPK3PXP", "MFRGGZDFMZTWQ2LK", "ONSWG4TFOQYTEMY"] {
        assert!(!log.contains(secret), "a secret reached the log");
    }
}

/// `InspectImport` names the app and says whether a passphrase is needed, before one is asked
/// and with the vault still locked; a file of no known app is `UnknownFormat`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inspect_names_the_app_before_a_passphrase() {
    let bus = TestBus::start(bin()).expect("bus");
    let _daemon = bus.spawn_daemon(bin()).expect("daemon");
    let conn = connect(&bus).await;
    let vault = vault_proxy(&conn).await;
    vault.create("vault pass").await.expect("create");
    vault.lock().await.expect("lock");
    for (name, format, app, encrypted) in [
        ("aegis-encrypted-v2.json", "aegis", "Aegis", true),
        ("andotp-encrypted.json.aes", "andotp", "andOTP", true),
        ("2fas-plain.2fas", "2fas", "2FAS", false),
        ("aegis-repo/stratum_plain.json", "stratum", "Stratum", false),
        ("aegis-repo/authy_encrypted.xml", "authy", "Authy", true),
    ] {
        let found = vault
            .inspect_import(&fixture(name), "auto")
            .await
            .expect("inspects");
        assert_eq!(
            (found.format.as_str(), found.app.as_str(), found.encrypted),
            (format, app, encrypted),
            "{name}"
        );
    }
    let err = vault
        .inspect_import(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0", "auto")
        .await
        .expect_err("unknown");
    match latchkey_dbus::Error::from(err) {
        latchkey_dbus::Error::UnknownFormat(m) => {
            assert!(m.contains("binary data"), "{m}");
            assert!(m.contains("Microsoft Authenticator"), "{m}");
        }
        other => panic!("{other:?}"),
    }
    vault.unlock("vault pass").await.expect("unlock");
    let err = vault
        .import(b"hello, world\n", "auto", "", true)
        .await
        .expect_err("unknown");
    assert!(matches!(
        latchkey_dbus::Error::from(err),
        latchkey_dbus::Error::UnknownFormat(_)
    ));
}
