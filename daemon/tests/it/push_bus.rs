//! Push-token enrollment refusals over the bus, without a privacyIDEA server: each fault is a
//! named error, nothing is stored, and a misbehaving "server" on loopback (not JSON, too large,
//! silent) cannot wedge or crash the daemon. The real server is in client-cli/tests/it/push_privacyidea/.

use latchkey_dbus::testing::TestBus;
use latchkey_dbus::{Error, VaultProxy};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;

fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_latchkeyd"))
}

fn uri(url: &str) -> String {
    format!(
        "otpauth://pipush/PIPU0001?url={url}&ttl=10&issuer=privacyIDEA&enrollment_credential=abc&v=1&serial=PIPU0001&sslverify=1&poll_only=True"
    )
}

/// A one-connection HTTP "server" on loopback that answers with `body` (or says nothing and
/// closes when `body` is `None`); returns its push URL.
fn fake_server(body: Option<Vec<u8>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/ttype/push", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            if let Some(body) = body {
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            }
        }
    });
    url
}

/// A loopback "server" that accepts one connection, reports it, and holds it open without a
/// word until `release` is dropped or sent to.
fn stalled_server() -> (
    String,
    std::sync::mpsc::Receiver<()>,
    std::sync::mpsc::Sender<()>,
) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/ttype/push", listener.local_addr().expect("addr"));
    let (accepted_tx, accepted) = std::sync::mpsc::channel();
    let (release, release_rx) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        if let Ok((stream, _)) = listener.accept() {
            let _ = accepted_tx.send(());
            let _ = release_rx.recv();
            drop(stream);
        }
    });
    (url, accepted, release)
}

async fn add(vault: &VaultProxy<'_>, uri: &str) -> Error {
    Error::from(vault.add_uri(uri).await.expect_err("refused"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrollment_faults_are_named_and_store_nothing() {
    let bus = TestBus::start(bin()).expect("bus");
    let _daemon = bus.spawn_daemon(bin()).expect("daemon");
    let (_conn, vault) = crate::common::vault_proxy(bus.address()).await;
    vault.create("pw").await.expect("create");
    vault.lock().await.expect("lock");
    let e = add(&vault, &uri("http://127.0.0.1:9/ttype/push")).await;
    assert!(matches!(e, Error::Locked(_)), "{e:?}");
    vault.unlock("pw").await.expect("unlock");

    let e = add(
        &vault,
        &uri("http://127.0.0.1:9/x").replace("&enrollment_credential=abc", ""),
    )
    .await;
    assert!(
        matches!(&e, Error::InvalidUri(m) if m.contains("enrollment_credential")),
        "{e:?}"
    );
    let e = add(&vault, &uri("http://pi.example.com/ttype/push")).await;
    assert!(
        matches!(&e, Error::Network(m) if m.contains("refusing plain http")),
        "{e:?}"
    );
    let e = add(
        &vault,
        &uri(&fake_server(Some(b"<html>proxy</html>".to_vec()))),
    )
    .await;
    assert!(
        matches!(&e, Error::Network(m) if m.contains("not privacyIDEA JSON")),
        "{e:?}"
    );
    let e = add(&vault, &uri(&fake_server(Some(vec![b' '; 300 * 1024])))).await;
    assert!(
        matches!(&e, Error::Network(m) if m.contains("larger than")),
        "{e:?}"
    );
    let e = add(&vault, &uri(&fake_server(None))).await;
    assert!(matches!(e, Error::Network(_)), "{e:?}");
    let refused = br#"{"result":{"status":false,"error":{"code":905,"message":"ERR905: Invalid enrollment credential."}}}"#;
    let e = add(&vault, &uri(&fake_server(Some(refused.to_vec())))).await;
    assert!(
        matches!(&e, Error::Network(m) if m.contains("Invalid enrollment credential")),
        "{e:?}"
    );

    // A server that does not answer keeps only its own call waiting: the daemon answers others.
    let (url, accepted, release) = stalled_server();
    let pending = {
        let vault = vault.clone();
        let uri = uri(&url);
        tokio::spawn(async move { vault.add_uri(&uri).await })
    };
    tokio::task::spawn_blocking(move || accepted.recv_timeout(std::time::Duration::from_secs(30)))
        .await
        .expect("join")
        .expect("the daemon connected");
    let started = std::time::Instant::now();
    assert!(vault.list_accounts().await.expect("list").is_empty());
    assert!(!vault.locked().await.expect("locked"));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "other calls waited {:?}",
        started.elapsed()
    );
    drop(release);
    let e = Error::from(pending.await.expect("join").expect_err("refused"));
    assert!(matches!(e, Error::Network(_)), "{e:?}");

    assert!(vault.list_accounts().await.expect("list").is_empty());
    assert!(!bus.vault_path().with_file_name("push.json").exists());
    // Still answering.
    assert!(!vault.locked().await.expect("locked"));
}

/// A token enrolled with `sslverify=0` got the server's key over a connection nobody
/// authenticated: the daemon enrolls it (the administrator chose this) and says so as a security
/// event. The server's answer is one recorded from privacyIDEA 3.14.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrolling_without_certificate_checks_is_a_security_event() {
    use futures_util::StreamExt;
    let bus = TestBus::start(bin()).expect("bus");
    let _daemon = bus.spawn_daemon(bin()).expect("daemon");
    let (_conn, vault) = crate::common::vault_proxy(bus.address()).await;
    vault.create("pw").await.expect("create");
    let mut events = vault.receive_security_event().await.expect("subscribe");
    let answer = include_bytes!("../../src/push/testdata/enrollment.json").to_vec();
    let unchecked = uri(&fake_server(Some(answer.clone()))).replace("sslverify=1", "sslverify=0");
    vault.add_uri(&unchecked).await.expect("enrolled");
    let signal = tokio::time::timeout(std::time::Duration::from_secs(10), events.next())
        .await
        .expect("an event in time")
        .expect("event");
    let args = signal.args().expect("args");
    assert_eq!(args.event(), "push-sslverify-off");
    assert!(args.message().contains("PIPU0001"), "{}", args.message());

    // With certificate checks on, no such event (a second token on another serial).
    let checked = uri(&fake_server(Some(answer))).replace("PIPU0001", "PIPU0002");
    vault.add_uri(&checked).await.expect("enrolled");
    assert!(
        tokio::time::timeout(std::time::Duration::from_secs(2), events.next())
            .await
            .is_err(),
        "an event for a checked enrollment"
    );
}
