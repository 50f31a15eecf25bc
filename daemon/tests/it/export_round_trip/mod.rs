//! Export → import round trips for every format, against real daemons on private buses: what
//! goes out of one vault comes back into another with the same parameters and the same codes.
//! The encrypted Aegis export is also opened by an independent Python reader
//! (docs/aegis_export_check.py, `cryptography` package), the QR export is decoded with rqrr.
//! [`guards`]: who may export, and damaged exports that must add nothing.

mod guards;

use crate::common::daemon::{add_bank_account, bin, connect, time_codes, vault_proxy};
use futures_util::StreamExt;
use latchkey_dbus::testing::TestBus;
use latchkey_dbus::{BackupProxy, Error, VaultProxy};
use std::path::Path;

const PASS: &str = "vault pass";

struct Daemon {
    bus: TestBus,
    daemon: latchkey_dbus::testing::DaemonProcess,
    conn: zbus::Connection,
}

impl Daemon {
    async fn start(env: &[(&str, &str)]) -> Self {
        let bus = TestBus::start(bin()).expect("bus");
        let daemon = bus.spawn_daemon_with(bin(), env).expect("daemon");
        let conn = connect(&bus).await;
        Self { bus, daemon, conn }
    }
    async fn vault(&self) -> VaultProxy<'_> {
        vault_proxy(&self.conn).await
    }
    async fn backup(&self) -> BackupProxy<'_> {
        BackupProxy::builder(&self.conn)
            .cache_properties(zbus::proxy::CacheProperties::No)
            .build()
            .await
            .expect("backup proxy")
    }
}

/// (issuer, account, kind, algorithm, digits, period, counter) of every account, sorted.
type Meta = Vec<(String, String, String, String, u32, u32, String)>;

async fn meta(vault: &VaultProxy<'_>) -> Meta {
    let mut m: Meta = vault
        .list_accounts()
        .await
        .expect("list")
        .into_iter()
        .map(|a| {
            let counter = a.extra.counter.map(|c| c.to_string()).unwrap_or_default();
            (
                a.issuer,
                a.account,
                a.kind.to_string(),
                a.algorithm,
                a.digits,
                a.period,
                counter,
            )
        })
        .collect();
    m.sort();
    m
}

async fn fill(vault: &VaultProxy<'_>) {
    vault
        .add_uri("otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example")
        .await
        .expect("totp");
    add_bank_account(vault).await;
    vault
        .add_account(
            "Server",
            "root",
            "KRUGKIDROVUWG2ZAMJZG653OEBTG66BA",
            "hotp",
            "sha512",
            7,
            0,
            5,
        )
        .await
        .expect("hotp");
    vault
        .add_account(
            "Steam",
            "gamer",
            "ONSWG4TFOQYTEMZU",
            "steam",
            "sha1",
            5,
            30,
            0,
        )
        .await
        .expect("steam");
}

/// Every QR code in a PNG, decoded with rqrr, as one URI per line.
fn decode_qr_png(png_bytes: &[u8]) -> String {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("png frame");
    assert_eq!(info.color_type, png::ColorType::Grayscale);
    let (w, h) = (info.width as usize, info.height as usize);
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * w + x]);
    let mut uris: Vec<String> = img
        .detect_grids()
        .into_iter()
        .map(|g| g.decode().expect("decodes").1)
        .collect();
    uris.sort();
    uris.join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_format_round_trips_into_another_vault() {
    let source = Daemon::start(&[]).await;
    let target = Daemon::start(&[]).await;
    let (sv, tv) = (source.vault().await, target.vault().await);
    sv.create(PASS).await.expect("create source");
    tv.create("another pass").await.expect("create target");
    fill(&sv).await;
    let expected = meta(&sv).await;
    assert_eq!(expected.len(), 4);
    let backup = source.backup().await;
    for (format, plaintext, import_pass) in [
        ("latchkey", false, PASS),
        ("aegis", false, PASS),
        ("aegis", true, ""),
        ("uris", true, ""),
        ("qr", true, ""),
    ] {
        let mut data = backup
            .export(format, PASS, plaintext)
            .await
            .unwrap_or_else(|e| panic!("export {format}: {e}"));
        if format == "qr" {
            assert!(data.starts_with(b"\x89PNG"), "qr is a PNG");
            data = decode_qr_png(&data).into_bytes();
        }
        if !plaintext {
            assert!(
                !String::from_utf8_lossy(&data).contains("JBSWY3DPEHPK3PXP"),
                "{format} export holds a seed in the clear"
            );
        }
        let (added, skipped, failed, _) = tv
            .import(&data, "auto", import_pass, false)
            .await
            .unwrap_or_else(|e| panic!("import {format}: {e}"));
        assert_eq!(
            (added.len(), skipped.len(), failed.len()),
            (4, 0, 0),
            "{format}"
        );
        assert_eq!(meta(&tv).await, expected, "{format}: parameters survive");
        let (a, b) = (time_codes(&sv).await, time_codes(&tv).await);
        if a.iter().zip(&b).all(|(x, y)| x.3 == y.3) {
            assert_eq!(a, b, "{format}: same codes");
        }
        for a in tv.list_accounts().await.expect("list") {
            tv.remove_account(&a.id).await.expect("remove");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aegis_export_opens_in_an_independent_reader() {
    let d = Daemon::start(&[]).await;
    let vault = d.vault().await;
    vault.create(PASS).await.expect("create");
    fill(&vault).await;
    let data = d
        .backup()
        .await
        .export("aegis", PASS, false)
        .await
        .expect("export");
    let file = d.bus.root().join("aegis.json");
    std::fs::write(&file, &data).expect("write");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/aegis_export_check.py");
    let out = std::process::Command::new("python3")
        .arg(&script)
        .arg(&file)
        .arg(PASS)
        .output()
        .expect("python3 runs (apt python3 python3-cryptography)");
    assert!(
        out.status.success(),
        "independent reader failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let db: serde_json::Value = serde_json::from_slice(&out.stdout).expect("db json");
    assert_eq!(db["version"], 2);
    let entries = db["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 4);
    let bank = entries
        .iter()
        .find(|e| e["issuer"] == "Bank")
        .expect("bank entry");
    assert_eq!(bank["info"]["secret"], "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    assert_eq!(bank["info"]["algo"], "SHA256");
    assert_eq!(bank["info"]["digits"], 8);
    assert_eq!(bank["info"]["period"], 60);
    let hotp = entries.iter().find(|e| e["type"] == "hotp").expect("hotp");
    assert_eq!(hotp["info"]["counter"], 5);
    let wrong = std::process::Command::new("python3")
        .arg(&script)
        .arg(&file)
        .arg("not the passphrase")
        .output()
        .expect("python3 runs");
    assert!(!wrong.status.success(), "a wrong password must not open it");
}
