//! What another process can do to the daemon's files between starts: open up the vault's folder,
//! or write settings Latchkey would never accept.

use crate::common::daemon::{bin, connect};
use latchkey_dbus::SettingsProxy;
use latchkey_dbus::testing::TestBus;
use std::os::unix::fs::PermissionsExt;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_vault_folder_is_repaired_and_a_bad_config_is_refused_at_start() {
    let bus = TestBus::start(bin()).expect("bus");
    let folder = bus.root().join("data/latchkey");
    std::fs::create_dir_all(&folder).expect("folder");
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let config = bus.root().join("config/latchkey/config.toml");
    std::fs::create_dir_all(config.parent().expect("dir")).expect("config dir");
    // Consent off, and one value out of range: the whole file is refused, not half-applied.
    std::fs::write(&config, "require_app_consent = false\nbackup_keep = 0\n").expect("config");

    let daemon = bus.spawn_daemon(bin()).expect("daemon");
    let client = connect(&bus).await;
    let settings = SettingsProxy::new(&client).await.expect("settings");
    assert!(
        settings.require_app_consent().await.expect("property"),
        "the refused file's consent switch was not applied"
    );
    assert_eq!(settings.backup_keep().await.expect("property"), 10);
    // Setting a value out of range over the bus is refused with a named setting; nothing saved.
    let err = settings
        .set_auto_lock_timeout(u32::MAX)
        .await
        .expect_err("out of range");
    assert!(err.to_string().contains("auto_lock_timeout"), "{err}");
    let mode = std::fs::metadata(&folder)
        .expect("meta")
        .permissions()
        .mode()
        & 0o777;
    let (_, log) = daemon.stop().expect("stop");
    assert_eq!(mode, 0o700, "the folder was made private");
    assert!(
        log.contains("folder-repaired") && log.contains("0777"),
        "said so: {log}"
    );
    assert!(
        log.contains("backup_keep must be between 1 and 10000"),
        "named: {log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_a_protection_off_is_a_security_event_the_user_sees() {
    use futures_util::StreamExt;
    let (_bus, _d, _server, fake, client) = super::setup(true).await;
    let vault = latchkey_dbus::VaultProxy::new(&client)
        .await
        .expect("vault");
    let mut events = vault.receive_security_event().await.expect("subscribe");
    let settings = SettingsProxy::new(&client).await.expect("settings");
    settings
        .set_auto_lock_timeout(60)
        .await
        .expect("tightening");
    settings
        .set_require_app_consent(false)
        .await
        .expect("consent off");
    let event = tokio::time::timeout(std::time::Duration::from_secs(5), events.next())
        .await
        .expect("an event in time")
        .expect("event");
    let args = event.args().expect("args");
    assert_eq!(
        args.event(),
        "protection-off",
        "tightening raised none first"
    );
    assert!(args.message().contains("consent"), "{}", args.message());
    let shown = super::wait_shown(&fake, 1).await;
    assert!(
        shown[0].body.contains("consent") && shown[0].body.contains("changed by"),
        "{:?}",
        shown[0]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_journal_names_who_created_added_and_locked_not_only_a_bus_name() {
    let bus = TestBus::start(bin()).expect("bus");
    // This test process is a foreign app: the daemon determines its executable.
    let daemon = bus
        .spawn_daemon_with(bin(), &[("LATCHKEY_TEST_TRUST_ALL_CALLERS", "0")])
        .expect("daemon");
    let app = connect(&bus).await;
    let vault = latchkey_dbus::VaultProxy::new(&app).await.expect("vault");
    vault.create("pw").await.expect("create");
    vault
        .add_uri("otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP")
        .await
        .expect("add");
    vault.lock().await.expect("lock");
    let (_, log) = daemon.stop().expect("stop");
    let exe = std::env::current_exe().expect("exe");
    let exe = exe.file_name().expect("name").to_string_lossy();
    for event in ["vault-created", "account-added", "event=\"locked\""] {
        let line = log
            .lines()
            .find(|l| l.contains(event))
            .unwrap_or_else(|| panic!("no {event} line: {log}"));
        assert!(
            line.contains(exe.as_ref()) && line.contains("pid"),
            "{event} does not name the app: {line}"
        );
    }
}
