//! `Vault.Import` of the encrypted formats and a QR image through the real daemon on a private
//! bus: named errors per format, nothing added on failure, and the `imported` SecurityEvent.
//! Fixtures: core/tests/data/import/make_fixtures_formats.py and make_qr_fixtures.py.

use futures_util::StreamExt;
use latchkey_dbus::testing::TestBus;
use latchkey_dbus::{Error, VaultProxy};
use std::path::Path;
use std::time::Duration;
use zbus::zvariant::OwnedValue;

const PASS: &str = "import test passphrase";

fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_latchkeyd"))
}

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../core/tests/data/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(path).expect("fixture")
}

async fn refused(vault: &VaultProxy<'_>, data: &[u8], pass: &str) -> Error {
    let e = vault
        .import(data, "auto", pass, false)
        .await
        .expect_err("refused");
    Error::from(e)
}

/// The next security event, which must be `imported`: its format and count.
async fn next_import(events: &mut latchkey_dbus::proxy::SecurityEventStream) -> (String, u32) {
    let event = tokio::time::timeout(Duration::from_secs(5), events.next())
        .await
        .expect("event in time")
        .expect("event");
    let args = event.args().expect("args");
    assert_eq!(args.event(), "imported");
    let detail = |k: &str| -> OwnedValue { args.details()[k].try_clone().expect("clone") };
    (
        String::try_from(detail("format")).expect("format"),
        u32::try_from(detail("count")).expect("count"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn encrypted_formats_and_qr_images_over_the_bus() {
    let bus = TestBus::start(bin()).expect("bus");
    let daemon = bus.spawn_daemon(bin()).expect("daemon");
    let conn = zbus::connection::Builder::address(bus.address())
        .expect("address")
        .build()
        .await
        .expect("connect");
    let vault = VaultProxy::builder(&conn)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .expect("proxy");
    vault.create("vault pass").await.expect("create");
    let mut events = vault.receive_security_event().await.expect("subscribe");
    let vault_file = bus.vault_path();
    let before = std::fs::read(&vault_file).expect("vault");

    for (name, format) in [
        ("2fas-encrypted.2fas", "2FAS"),
        ("andotp-encrypted.json.aes", "andOTP"),
    ] {
        let data = fixture(name);
        match refused(&vault, &data, "").await {
            Error::PassphraseRequired(m) => assert!(m.contains(format), "{m}"),
            other => panic!("{name}: {other:?}"),
        }
        match refused(&vault, &data, "wrong").await {
            Error::BadPassphrase(m) => assert!(m.contains(format), "{m}"),
            other => panic!("{name}: {other:?}"),
        }
        let mut damaged = data.clone();
        let at = damaged.len() - 30;
        damaged[at] ^= 0x02;
        let e = refused(&vault, &damaged, PASS).await;
        assert!(
            matches!(&e, Error::InvalidArgument(m) | Error::BadPassphrase(m) if m.contains(format)),
            "{name}: {e:?}"
        );
        let truncated = &data[..data.len() / 2];
        let e = refused(&vault, truncated, PASS).await;
        assert!(
            matches!(&e, Error::InvalidArgument(m) | Error::BadPassphrase(m) if m.contains(format)),
            "{name}: {e:?}"
        );
    }
    assert_eq!(vault.account_count().await.expect("count"), 0);
    assert_eq!(
        std::fs::read(&vault_file).expect("vault"),
        before,
        "failed imports leave the vault file as it was"
    );

    // A dry run adds nothing and raises no event; the real import raises one.
    let data = fixture("2fas-encrypted.2fas");
    let (added, ..) = vault.import(&data, "2fas", PASS, true).await.expect("dry");
    assert_eq!(added.len(), 4);
    let (added, ..) = vault
        .import(&data, "auto", PASS, false)
        .await
        .expect("2fas");
    assert_eq!(added.len(), 4);
    assert_eq!(next_import(&mut events).await, ("2fas".to_string(), 4));

    // andOTP holds the same four accounts: all skipped, so no event for it.
    let (added, skipped, failed, _) = vault
        .import(&fixture("andotp-encrypted.json.aes"), "auto", PASS, false)
        .await
        .expect("andotp");
    assert_eq!((added.len(), skipped.len(), failed.len()), (0, 4, 0));

    let (added, skipped, _, notes) = vault
        .import(&fixture("qr-multi.png"), "auto", "", false)
        .await
        .expect("qr");
    // Bank (otpauth) and the migration code's Corp are already there with the same secrets;
    // its GitHub, Bank and Issuerless accounts have other secrets, so they are new.
    assert_eq!((added.len(), skipped.len()), (3, 2), "{notes:?}");
    assert_eq!(next_import(&mut events).await, ("qr".to_string(), 3));
    assert_eq!(vault.account_count().await.expect("count"), 7);

    let (_, log) = daemon.stop().expect("stop");
    assert!(log.contains("event=\"accounts-imported\""), "{log}");
    for secret in ["JBSWY3DPEHPK3PXP", "MFRGGZDFMZTWQ2LK", PASS] {
        assert!(!log.contains(secret), "a secret reached the log");
    }
}
