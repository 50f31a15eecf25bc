//! Keyring unlock end to end: the real daemon and a real gnome-keyring on a private bus.
//! Enable the slot, restart: the daemon unlocks itself. Lock the keyring, restart: it stays
//! locked, says why, and the passphrase still works without counting as a failure.

use crate::common::daemon::{bin, connect, vault_proxy};
use crate::common::keyring::gnome_keyring;
use latchkey_dbus::VaultProxy;
use latchkey_dbus::testing::TestBus;
use std::path::Path;
use std::time::{Duration, Instant};

async fn vault(bus: &TestBus) -> (zbus::Connection, VaultProxy<'static>) {
    let conn = connect(bus).await;
    let proxy = vault_proxy(&conn).await;
    (conn, proxy)
}

async fn wait_unlocked(v: &VaultProxy<'_>) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if !v.locked().await.expect("Locked") {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyring_slot_unlocks_at_start_and_falls_back_to_the_passphrase() {
    let bus = TestBus::start(bin()).expect("bus");
    let _keyring = gnome_keyring(&bus, true);
    let daemon = bus.spawn_daemon(bin()).expect("daemon");
    let (conn, v) = vault(&bus).await;
    v.create("pw").await.expect("create");
    v.add_uri("otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP")
        .await
        .expect("add");
    assert!(!v.keyring_unlock().await.expect("prop"));
    v.enable_keyring().await.expect("enable keyring");
    assert!(v.keyring_unlock().await.expect("prop"));
    let out = bus
        .command(Path::new("secret-tool"))
        .args(["search", "--all", "application", "latchkey"])
        .output()
        .expect("secret-tool");
    let listed =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(listed.contains("Latchkey vault unlock key"), "{listed}");

    // Restart: the daemon unlocks itself through the keyring.
    daemon.stop().expect("stop");
    drop((conn, v));
    let daemon = bus.spawn_daemon(bin()).expect("restart");
    let (conn, v) = vault(&bus).await;
    assert!(
        wait_unlocked(&v).await,
        "the daemon did not unlock itself through the keyring"
    );
    assert_eq!(v.list_accounts().await.expect("list").len(), 1);

    // Lock the login keyring, restart: still locked, keyring unlock says why, passphrase works.
    let service = secret_service::SecretService::connect_with_existing(
        secret_service::EncryptionType::Plain,
        conn.clone(),
    )
    .await
    .expect("ss");
    service
        .get_default_collection()
        .await
        .expect("collection")
        .lock()
        .await
        .expect("lock keyring");
    daemon.stop().expect("stop");
    drop((conn, v));
    let _daemon = bus.spawn_daemon(bin()).expect("restart");
    let (_conn, v) = vault(&bus).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(
        v.locked().await.expect("Locked"),
        "unlocked although the keyring is locked"
    );
    let e = latchkey_dbus::Error::from(v.unlock_with_keyring().await.expect_err("keyring locked"));
    assert!(
        matches!(&e, latchkey_dbus::Error::Keyring(m) if m.contains("locked") && m.contains("passphrase")),
        "{e:?}"
    );
    assert_eq!(
        v.unlock_failures().await.expect("failures"),
        0,
        "a keyring failure is not a wrong passphrase"
    );
    v.unlock("pw").await.expect("passphrase still works");

    // Disable: the slot and the keyring item go.
    v.disable_keyring().await.expect("disable");
    assert!(!v.keyring_unlock().await.expect("prop"));
}
