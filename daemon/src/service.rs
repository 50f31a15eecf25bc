//! Process lifecycle: hardening, connecting to the bus, readiness, signals and clean shutdown.

use crate::activity::ActivityLog;
use crate::autolock::{self, LockReason};
use crate::bus::{ApprovalsInterface, SettingsInterface, SharedState, VaultInterface, lock_state};
use crate::logging::LevelHandle;
use crate::settings::Settings;
use crate::settings::Values;
use crate::state::VaultState;
use crate::systemd;
use crate::vault::{KdfParams, Store};
use anyhow::Context;
use futures_util::StreamExt;
use latchkey_dbus::{BUS_NAME, OBJECT_PATH};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::signal::unix::{SignalKind, signal};

/// What the daemon was asked to run with.
#[derive(Debug, Clone)]
pub struct Options {
    pub vault: PathBuf,
    pub config: PathBuf,
}

/// Keeps keys out of core dumps and away from same-user ptrace where the kernel allows.
pub fn harden_process() {
    // SAFETY: plain prctl/setrlimit calls with constant arguments.
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
        let none = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        libc::setrlimit(libc::RLIMIT_CORE, &none);
    }
}

/// Reads the configuration at start-up; a broken file is reported and the defaults are used.
pub fn load_config(opts: &Options) -> Values {
    Values::load(&opts.config).unwrap_or_else(|e| {
        eprintln!("latchkeyd: {e}; using the default settings");
        Values::default()
    })
}

/// The KDF parameters new vaults get (tests may choose cheaper or dearer ones).
fn kdf_params() -> KdfParams {
    #[cfg(any(debug_assertions, feature = "test-hooks"))]
    {
        use crate::test_hooks::{INSECURE_KDF, KDF_MIB, enabled, value};
        if let Some(mib) = value(KDF_MIB).and_then(|v| v.parse::<u32>().ok()) {
            tracing::warn!("new vaults get Argon2id {mib} MiB, 2 passes (a test switch)");
            return KdfParams {
                m_cost: mib.saturating_mul(1024),
                t_cost: 2,
                p_cost: 1,
            };
        }
        if enabled(INSECURE_KDF) {
            tracing::warn!(
                "new vaults get test-only KDF parameters (a test switch); never use this for real accounts"
            );
            return KdfParams::insecure_for_tests();
        }
    }
    KdfParams::interactive()
}

/// Opens the vault state; an unreadable vault is reported but never replaced.
fn open_state(opts: &Options, activity: Arc<crate::state::Usage>) -> VaultState {
    let store = Store::new(opts.vault.clone());
    VaultState::open(store.clone(), kdf_params(), activity.clone()).unwrap_or_else(|e| {
        tracing::error!(vault = %opts.vault.display(), "cannot read the vault header: {e}");
        VaultState::unreadable(store, kdf_params(), activity)
    })
}

/// Serves the vault on the session bus until SIGTERM/SIGINT or the bus goes away.
pub async fn run(opts: Options, config: Values, levels: LevelHandle) -> anyhow::Result<()> {
    let folder = opts.vault.parent().unwrap_or(std::path::Path::new("."));
    if let Some(old) = crate::files::secure_dir(folder)? {
        tracing::warn!(
            event = "folder-repaired",
            folder = %folder.display(),
            "the vault's folder had mode {old:04o}, which let other users see or replace its files; it is 0700 now"
        );
    }
    let activity = Arc::new(crate::state::Usage::default());
    let state: SharedState = Arc::new(Mutex::new(open_state(&opts, activity.clone())));
    let settings = Arc::new(Settings::new(opts.config.clone(), config));
    let backups = crate::backup::Backups::new(settings.clone());
    let activity_log = ActivityLog::new(opts.vault.with_file_name("activity.jsonl"));
    // One channel for what happens; its subscribers subscribe before anything can happen.
    let events = crate::events::Events::default();
    let to_bus = events.subscribe();
    let to_desktop = events.subscribe();
    tokio::spawn(crate::backup::follow(backups.clone(), events.subscribe()));
    let wants_backups = settings.clone();
    let service = crate::state::Service::new(state.clone(), events.clone(), move || {
        wants_backups.current().automatic_backups
    });
    let sync = crate::sync::Sync::new(service.clone());
    tokio::spawn(sync.clone().run(events.subscribe()));
    // How requests are shown on the bus; the approvals service runs them.
    let surface = Arc::new(crate::bus::BusSurface::default());
    let hub = crate::approvals::ApprovalHub::new(
        state.clone(),
        settings.clone(),
        activity_log,
        events.clone(),
        surface.clone(),
    );
    let grants = crate::access::grants::Grants::load(opts.vault.with_file_name("access.json"));
    let gate = crate::bus::Gate::new(hub.clone(), grants, settings.clone());
    let push = crate::push::Push::new(&opts.vault, settings.clone(), hub.clone())?;
    // One gate for every passphrase check (unlock, passphrase change, export).
    let passphrases = crate::bus::PassphraseGate::new(
        state.clone(),
        hub.clone(),
        gate.clone(),
        &opts.vault,
        events.clone(),
    );
    let builder = zbus::connection::Builder::session()
        .context("cannot reach the session bus (is DBUS_SESSION_BUS_ADDRESS set?)")?
        .serve_at(
            OBJECT_PATH,
            VaultInterface::new(
                service.clone(),
                crate::catalog::Catalog::new(service.clone(), push.clone()),
                gate.clone(),
                passphrases.clone(),
            ),
        )?
        .serve_at(
            OBJECT_PATH,
            crate::bus::BackupInterface::new(service.clone(), gate.clone(), backups, passphrases),
        )?
        .serve_at(OBJECT_PATH, crate::bus::AccessInterface::new(gate.clone()))?
        .serve_at(
            OBJECT_PATH,
            crate::bus::BrowserInterface::new(service.clone(), gate.clone()),
        )?
        .serve_at(
            OBJECT_PATH,
            crate::bus::SyncInterface::new(service.clone(), sync, gate.clone()),
        )?
        .serve_at(
            OBJECT_PATH,
            SettingsInterface::new(settings.clone(), gate.clone(), events.clone()),
        )?
        .serve_at(OBJECT_PATH, ApprovalsInterface::new(hub.clone(), gate))?;
    #[cfg(any(debug_assertions, feature = "test-hooks"))]
    let builder = if crate::test_hooks::enabled(crate::test_hooks::FAULTS) {
        tracing::warn!("serving the fault hooks (a test switch)");
        let faults = crate::bus::testing::TestingInterface::new(state.clone());
        builder.serve_at(OBJECT_PATH, faults)?
    } else {
        builder
    };
    let conn = builder.name(BUS_NAME)?.build().await.with_context(|| {
        format!("cannot own {BUS_NAME} on the session bus (is another latchkeyd running?)")
    })?;
    tokio::spawn(crate::bus::relay_events(conn.clone(), to_bus));
    tokio::spawn(crate::notifications::follow(conn.clone(), to_desktop));
    tracing::info!(event = "started", vault = %opts.vault.display(), "latchkeyd {} serving {BUS_NAME}", env!("CARGO_PKG_VERSION"));
    // The name is owned and the header was read: only now are we ready.
    systemd::ready(&lock_state(&state).status_line());
    if let Some(interval) = systemd::watchdog_interval() {
        tokio::spawn(systemd::watchdog_pings(conn.clone(), interval));
    }
    if lock_state(&state).has_keyring_slot() {
        tokio::spawn(unlock_at_start(state.clone(), events.clone()));
    }
    tokio::spawn(crate::bus::listen_notification_actions(
        conn.clone(),
        hub.clone(),
        surface,
    ));
    tokio::spawn(crate::bus::watch_requesters(conn.clone(), hub));
    let poller = tokio::spawn(push.run(conn.clone()));
    let (lock_tx, mut lock_rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(autolock::idle::run(
        activity,
        settings.triggers(),
        lock_tx.clone(),
    ));
    tokio::spawn(autolock::desktop::run(
        conn.clone(),
        settings.triggers(),
        lock_tx,
    ));

    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let mut hup = signal(SignalKind::hangup())?;
    let mut bus_gone = bus_watch(&conn).await?;
    let reason = loop {
        tokio::select! {
            _ = term.recv() => break "SIGTERM",
            _ = int.recv() => break "SIGINT",
            _ = hup.recv() => reload(&opts, &levels, &settings, &state),
            Some(reason) = lock_rx.recv() => service.lock(reason, "latchkeyd"),
            _ = bus_gone.next() => break "lost the bus name or connection",
        }
    };
    systemd::stopping();
    poller.abort();
    // Taking the lock waits for any write in progress; then the keys are dropped and wiped.
    lock_state(&state).lock(LockReason::Manual);
    tracing::info!(event = "stopped", reason, "vault locked, exiting");
    drop(conn);
    Ok(())
}

/// Keyring unlock at start-up; every client hears of it through the event channel.
async fn unlock_at_start(state: SharedState, events: crate::events::Events) {
    match crate::state::keyring::unlock(&state).await {
        Ok(()) => {
            tracing::info!(
                event = "keyring-unlock-at-start",
                "unlocked through the login keyring"
            );
            events.unlocked("keyring", "latchkeyd");
        }
        Err(e) => tracing::info!(
            event = "keyring-unlock-at-start",
            "not unlocked through the login keyring ({e}); the passphrase is needed"
        ),
    }
}

/// SIGHUP: re-reads the configuration and applies what can change at run time.
fn reload(opts: &Options, levels: &LevelHandle, settings: &Settings, state: &SharedState) {
    systemd::reloading();
    match Values::load(&opts.config) {
        Ok(config) => {
            levels.set(&config.log_level);
            settings.replace(config);
            tracing::info!(event = "reloaded", config = %opts.config.display(), "configuration reloaded");
        }
        Err(e) => tracing::error!(event = "reload-failed", "{e}; keeping the current settings"),
    }
    systemd::ready(&lock_state(state).status_line());
}

/// A stream that yields when our name is lost and ends when the connection closes.
async fn bus_watch(
    conn: &zbus::Connection,
) -> anyhow::Result<futures_util::stream::BoxStream<'static, ()>> {
    let rule = zbus::MatchRule::builder()
        .msg_type(zbus::message::Type::Signal)
        .sender("org.freedesktop.DBus")?
        .interface("org.freedesktop.DBus")?
        .member("NameLost")?
        .build();
    let stream = zbus::MessageStream::for_match_rule(rule, conn, Some(4)).await?;
    Ok(stream
        .map(|_| ())
        .chain(futures_util::stream::once(async {}))
        .boxed())
}
