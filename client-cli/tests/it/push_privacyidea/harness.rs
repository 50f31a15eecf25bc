//! What the push test drives and watches: the CLI with a daemon that polls every second,
//! SecurityEvent signals, and privacyIDEA transaction status.

use crate::privacyidea::Pi;
use futures_util::StreamExt;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// SecurityEvent signals `(event, message)` from the daemon, received on a thread of this test.
pub fn security_events(address: &str) -> mpsc::Receiver<(String, String)> {
    let (tx, rx) = mpsc::channel();
    let (ready_tx, ready_rx) = mpsc::channel();
    let address = address.to_string();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let conn = zbus::connection::Builder::address(address.as_str())
                .expect("address")
                .build()
                .await
                .expect("connect");
            let vault = latchkey_dbus::VaultProxy::new(&conn).await.expect("proxy");
            let mut events = vault.receive_security_event().await.expect("subscribe");
            let _ = ready_tx.send(());
            while let Some(signal) = events.next().await {
                let Ok(args) = signal.args() else { continue };
                if tx
                    .send((args.event().clone(), args.message().clone()))
                    .is_err()
                {
                    return;
                }
            }
        });
    });
    ready_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("subscribed to SecurityEvent");
    rx
}

/// The first event named `name` within `secs` seconds.
pub fn wait_event(
    events: &mpsc::Receiver<(String, String)>,
    name: &str,
    secs: u64,
) -> Option<String> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match events.recv_timeout(left) {
            Ok((event, message)) if event == name => return Some(message),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    None
}

/// The CLI on a private bus with a daemon that polls every second.
pub struct Env(pub crate::common::Env);

impl Env {
    pub fn new() -> Self {
        let env = crate::common::Env::new();
        // Written before the first CLI call starts the daemon.
        let config = env.root().join("config/latchkey");
        std::fs::create_dir_all(&config).expect("config dir");
        std::fs::write(config.join("config.toml"), "push_poll_interval = 1\n").expect("config");
        env.ok(&["init", "--passphrase-stdin"], Some("pw\n"));
        Self(env)
    }
    pub fn output(&self, args: &[&str], stdin: &str) -> std::process::Output {
        self.0.run(args, Some(stdin))
    }
    pub fn run(&self, args: &[&str], stdin: &str) -> String {
        self.0.ok(args, Some(stdin))
    }
    pub fn pending_list(&self) -> Vec<serde_json::Value> {
        let list: serde_json::Value =
            serde_json::from_str(&self.run(&["approvals", "--json"], "")).expect("json");
        list.as_array().cloned().unwrap_or_default()
    }
    /// Waits for the one pending request (the daemon polls every second).
    pub fn pending(&self) -> serde_json::Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(first) = self.pending_list().into_iter().next() {
                return first;
            }
            assert!(Instant::now() < deadline, "no push request arrived");
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

/// The transaction id of a privacyIDEA reply.
pub fn transaction(v: &serde_json::Value) -> String {
    v["detail"]["transaction_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no transaction: {v}"))
        .to_string()
}

/// Waits until privacyIDEA reports `want` as the transaction's `challenge_status`; returns the
/// last status seen (so a status that never comes shows what came instead).
pub fn status(pi: &Pi, tx: &str, want: &str, secs: u64) -> String {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let (approved, status) = pi.poll_transaction(tx);
        assert_eq!(approved, status == "accept", "{status}");
        if status == want || Instant::now() > deadline {
            return status;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}
