//! `keyring` against a real gnome-keyring-daemon on a private bus: store, fetch, replace, delete,
//! a locked keyring, a malformed item and no Secret Service at all.
//!
//! Each test has its own bus, HOME and gnome-keyring, and talks to it through an explicit
//! connection (`Keyring::with_connection`), so no environment variable is shared between the
//! parallel test threads. Needs `gnome-keyring` and `libsecret-tools` (apt; scripts/lib.sh).

use crate::common::keyring::{Proc, gnome_keyring, wait_for_secrets};
use latchkey_dbus::testing::TestBus;
use latchkeyd::keyring::{ITEM_LABEL, Keyring, KeyringError};
use secret_service::{EncryptionType, SecretService};
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

const KEY: [u8; 32] = [0x42; 32];
const OTHER_KEY: [u8; 32] = [0x24; 32];

/// A private bus (its activation file points at latchkeyd, which these tests never start).
fn bus() -> TestBus {
    TestBus::start(Path::new(env!("CARGO_BIN_EXE_latchkeyd"))).expect("private bus")
}

/// A zbus connection to `bus`, for the code under test.
async fn connect(bus: &TestBus) -> zbus::Connection {
    let builder = zbus::connection::Builder::address(bus.address()).expect("bus address");
    builder.build().await.expect("connect to the private bus")
}

/// Runs `secret-tool ARGS application latchkey vault VAULT purpose vault-unlock`, feeding `stdin`.
fn secret_tool(bus: &TestBus, args: &[&str], vault: &Path, stdin: &[u8]) -> String {
    let mut child = bus
        .command(Path::new("secret-tool"))
        .args(args)
        .args(["application", "latchkey", "vault"])
        .arg(vault)
        .args(["purpose", "vault-unlock"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("secret-tool (apt-get install libsecret-tools)");
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// Items listed by `secret-tool search --all` for this vault: an independent view.
fn listed(bus: &TestBus, vault: &Path) -> String {
    secret_tool(bus, &["search", "--all"], vault, b"")
}

/// The default collection, through the crate directly (what a screen locker or Seahorse does).
async fn lock_login_keyring(conn: zbus::Connection) {
    let plain = SecretService::connect_with_existing(EncryptionType::Plain, conn);
    let service = plain.await.unwrap();
    service
        .get_default_collection()
        .await
        .unwrap()
        .lock()
        .await
        .unwrap();
}

#[tokio::test]
async fn store_fetch_replace_delete() {
    let bus = bus();
    let _gk = gnome_keyring(&bus, true);
    let keyring = Keyring::with_connection(connect(&bus).await).await.unwrap();
    let vault = bus.vault_path();

    let err = keyring.fetch_key(&vault).await.unwrap_err();
    assert!(matches!(err, KeyringError::NotFound), "{err:?}");
    keyring.store_key(&vault, &KEY).await.unwrap();
    assert_eq!(*keyring.fetch_key(&vault).await.unwrap(), KEY);
    let items = listed(&bus, &vault);
    assert_eq!(items.matches("label = ").count(), 1, "{items}");
    for line in [
        format!("label = {ITEM_LABEL}"),
        "attribute.application = latchkey".to_owned(),
        "attribute.purpose = vault-unlock".to_owned(),
        format!("attribute.vault = {}", vault.display()),
    ] {
        assert!(items.contains(&line), "{line} not in {items}");
    }

    // Storing again replaces the item: still one item, now the new key.
    keyring.store_key(&vault, &OTHER_KEY).await.unwrap();
    assert_eq!(*keyring.fetch_key(&vault).await.unwrap(), OTHER_KEY);
    assert_eq!(listed(&bus, &vault).matches("label = ").count(), 1);
    // Another vault has its own item (none).
    let other = bus.root().join("elsewhere/vault.latchkey");
    let err = keyring.fetch_key(&other).await.unwrap_err();
    assert!(matches!(err, KeyringError::NotFound), "{err:?}");

    keyring.delete_key(&vault).await.unwrap();
    let err = keyring.fetch_key(&vault).await.unwrap_err();
    assert!(matches!(err, KeyringError::NotFound), "{err:?}");
    assert!(err.to_string().contains("no Latchkey unlock key"), "{err}");
    assert_eq!(listed(&bus, &vault).matches("label = ").count(), 0);
    keyring.delete_key(&vault).await.unwrap(); // nothing left: still Ok
}

#[tokio::test]
async fn locked_keyring_is_reported_not_prompted() {
    let bus = bus();
    let _gk = gnome_keyring(&bus, true);
    let conn = connect(&bus).await;
    let keyring = Keyring::with_connection(conn.clone()).await.unwrap();
    let vault = bus.vault_path();
    keyring.store_key(&vault, &KEY).await.unwrap();
    lock_login_keyring(conn).await;

    let err = keyring.fetch_key(&vault).await.map(drop).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the login keyring is locked; unlock it or use the passphrase"
    );
    for err in [
        err,
        keyring.store_key(&vault, &OTHER_KEY).await.unwrap_err(),
        keyring.delete_key(&vault).await.unwrap_err(),
    ] {
        assert!(matches!(err, KeyringError::Locked), "{err:?}");
    }
}

#[tokio::test]
async fn keyring_not_unlocked_at_login_is_locked() {
    let bus = bus();
    let vault = bus.vault_path();
    {
        // A login keyring (password "pass") holding the key, as after enabling keyring unlock.
        let _gk = gnome_keyring(&bus, true);
        let keyring = Keyring::with_connection(connect(&bus).await).await.unwrap();
        keyring.store_key(&vault, &KEY).await.unwrap();
    }
    wait_for_secrets(&bus, false);
    // The next login did not unlock it (auto-login, no PAM module): the collection is locked.
    let _gk = gnome_keyring(&bus, false);
    let keyring = Keyring::with_connection(connect(&bus).await).await.unwrap();
    for err in [
        keyring.fetch_key(&vault).await.map(drop).unwrap_err(),
        keyring.store_key(&vault, &OTHER_KEY).await.unwrap_err(),
        keyring.delete_key(&vault).await.unwrap_err(),
    ] {
        assert!(matches!(err, KeyringError::Locked), "{err:?}");
    }
}

#[tokio::test]
async fn no_login_keyring_at_all() {
    // A fresh home whose keyring was never created: nothing to fetch, nowhere to store.
    let bus = bus();
    let _gk = gnome_keyring(&bus, false);
    let keyring = Keyring::with_connection(connect(&bus).await).await.unwrap();
    let vault = bus.vault_path();
    let err = keyring.fetch_key(&vault).await.unwrap_err();
    assert!(matches!(err, KeyringError::NotFound), "{err:?}");
    let err = keyring.store_key(&vault, &KEY).await.unwrap_err();
    assert!(matches!(err, KeyringError::Unavailable(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "the login keyring is not available (there is no default keyring to keep the key in); \
         use the passphrase"
    );
}

#[tokio::test]
async fn no_secret_service_is_unavailable() {
    let bus = bus();
    let err = Keyring::with_connection(connect(&bus).await)
        .await
        .unwrap_err();
    assert!(matches!(err, KeyringError::Unavailable(_)), "{err:?}");
    assert!(err.to_string().contains("use the passphrase"), "{err}");
}

#[tokio::test]
async fn wrong_length_secret_is_malformed() {
    let bus = bus();
    let _gk = gnome_keyring(&bus, true);
    let vault = bus.vault_path();
    secret_tool(
        &bus,
        &["store", "--label=planted"],
        &vault,
        b"sixteen bytes!!!",
    );
    let keyring = Keyring::with_connection(connect(&bus).await).await.unwrap();
    let err = keyring.fetch_key(&vault).await.unwrap_err();
    assert!(matches!(err, KeyringError::Malformed(16)), "{err:?}");
    assert!(!err.to_string().contains("sixteen"), "{err}");
}

#[tokio::test]
async fn key_never_crosses_the_bus_in_clear() {
    let bus = bus();
    let _gk = gnome_keyring(&bus, true);
    let seen_path = bus.root().join("monitor.txt");
    let file = std::fs::File::create(&seen_path).unwrap();
    let mut monitor = bus.command(Path::new("dbus-monitor"));
    monitor.arg("--session").stdout(file).stderr(Stdio::null());
    let monitor = Proc(monitor.spawn().expect("dbus-monitor"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::fs::metadata(&seen_path).map_or(0, |m| m.len()) == 0 {
        assert!(Instant::now() < deadline, "dbus-monitor printed nothing");
        std::thread::sleep(Duration::from_millis(20));
    }

    let conn = connect(&bus).await;
    let vault = bus.vault_path();
    let key: [u8; 32] = std::array::from_fn(|i| 0xc0 + i as u8);
    let keyring = Keyring::with_connection(conn.clone()).await.unwrap();
    keyring.store_key(&vault, &key).await.unwrap();
    assert_eq!(*keyring.fetch_key(&vault).await.unwrap(), key);
    // Positive control: a secret sent over a plain session is visible to the monitor.
    let control: [u8; 32] = std::array::from_fn(|i| 0x80 + i as u8);
    let plain = SecretService::connect_with_existing(EncryptionType::Plain, conn);
    let plain = plain.await.unwrap();
    let collection = plain.get_default_collection().await.unwrap();
    let attributes = HashMap::from([("control", "1")]);
    collection
        .create_item("control", attributes, &control, true, "x")
        .await
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    drop(monitor);

    let seen: String = std::fs::read_to_string(&seen_path)
        .unwrap()
        .split_whitespace()
        .collect();
    let hex = |k: &[u8]| k.iter().map(|b| format!("{b:02x}")).collect::<String>();
    assert!(seen.contains("dh-ietf1024-sha256-aes128-cbc-pkcs7"));
    assert!(
        seen.contains(&hex(&control[..12])),
        "control unseen: monitor output unusable"
    );
    assert!(
        !seen.contains(&hex(&key[..12])),
        "the key crossed the bus in clear"
    );
}
