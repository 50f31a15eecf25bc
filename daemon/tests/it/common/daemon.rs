//! The real daemon on a private bus: its binary, a client connection, uncached proxies and the
//! codes it serves, shared so every test talks to it the same way.

use latchkey_dbus::VaultProxy;
use latchkey_dbus::testing::TestBus;
use std::path::Path;

/// The latchkeyd binary Cargo built for these tests.
pub fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_latchkeyd"))
}

/// A client connection to the test bus, as any desktop client would open one.
pub async fn connect(bus: &TestBus) -> zbus::Connection {
    zbus::connection::Builder::address(bus.address())
        .expect("address")
        .build()
        .await
        .expect("connect")
}

/// A Vault proxy that reads every property from the daemon, never from a stale cache.
pub async fn vault_proxy(conn: &zbus::Connection) -> VaultProxy<'static> {
    VaultProxy::builder(conn)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .expect("vault proxy")
}

/// Codes by (issuer, account) for time-based accounts (HOTP would advance its counter).
pub async fn time_codes(vault: &VaultProxy<'_>) -> Vec<(String, String, String, u64)> {
    let mut out = Vec::new();
    for a in vault.list_accounts().await.expect("list") {
        if a.kind == latchkey_dbus::AccountKind::Hotp {
            continue;
        }
        let (code, from, _) = vault.get_code(&a.id).await.expect("code");
        out.push((a.issuer, a.account, code, from));
    }
    out.sort();
    out
}

/// Adds Bank/bob, a TOTP account with non-default parameters (SHA-256, 8 digits, 60 s) that a
/// backup or an export must keep; returns its id.
pub async fn add_bank_account(vault: &VaultProxy<'_>) -> String {
    vault
        .add_account(
            "Bank",
            "bob",
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            "totp",
            "sha256",
            8,
            60,
            0,
        )
        .await
        .expect("add Bank/bob")
}

/// Runs the real `latchkey` CLI (one of Latchkey's own clients) on `bus` with `stdin`.
pub fn cli(bus: &TestBus, args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = bus
        .command(&latchkey_dbus::testing::target_bin("latchkey"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("latchkey runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write");
    child.wait_with_output().expect("latchkey")
}

/// [`cli`], which must succeed; returns its stdout.
pub fn cli_ok(bus: &TestBus, args: &[&str], stdin: &str) -> String {
    let out = cli(bus, args, stdin);
    assert!(
        out.status.success(),
        "latchkey {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}
