//! The running daemon's introspection must match the published XML in `dbus/interfaces/`.

use latchkey_dbus::testing::TestBus;
use std::collections::BTreeMap;
use std::path::Path;
use zbus_xml::{ArgDirection, Node};

/// A comparable summary of one interface: member -> description of its signature.
fn summarize(xml: &str, interface: &str) -> BTreeMap<String, String> {
    let node = Node::from_reader(xml.as_bytes()).expect("introspection XML parses");
    let iface = node
        .interfaces()
        .iter()
        .find(|i| i.name().as_str() == interface)
        .unwrap_or_else(|| panic!("interface {interface} missing"));
    let arg = |a: &zbus_xml::Arg| {
        let dir = match a.direction() {
            Some(ArgDirection::Out) => "out",
            _ => "in",
        };
        format!("{} {}:{}", dir, a.name().unwrap_or("?"), a.ty().inner())
    };
    let mut out = BTreeMap::new();
    for m in iface.methods() {
        let args: Vec<String> = m.args().iter().map(arg).collect();
        out.insert(format!("method {}", m.name()), args.join(", "));
    }
    for s in iface.signals() {
        let args: Vec<String> = s
            .args()
            .iter()
            .map(|a| format!("{}:{}", a.name().unwrap_or("?"), a.ty().inner()))
            .collect();
        out.insert(format!("signal {}", s.name()), args.join(", "));
    }
    for p in iface.properties() {
        let notes: Vec<String> = p
            .annotations()
            .iter()
            .map(|a| format!("{}={}", a.name(), a.value()))
            .collect();
        out.insert(
            format!("property {}", p.name()),
            format!(
                "{} read={} write={} {}",
                p.ty().inner(),
                p.access().read(),
                p.access().write(),
                notes.join(",")
            ),
        );
    }
    out
}

#[test]
fn runtime_introspection_matches_published_xml() {
    let bin = Path::new(env!("CARGO_BIN_EXE_latchkeyd"));
    let bus = TestBus::start(bin).expect("private dbus-daemon starts");
    let _daemon = bus.spawn_daemon(bin).expect("latchkeyd starts");
    let out = bus
        .command(Path::new("dbus-send"))
        .args([
            "--session",
            "--print-reply=literal",
            "--dest=org.latchkey.Latchkey1",
            "/org/latchkey/Latchkey1",
            "org.freedesktop.DBus.Introspectable.Introspect",
        ])
        .output()
        .expect("dbus-send runs");
    assert!(
        out.status.success(),
        "Introspect failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let runtime_xml = String::from_utf8(out.stdout).expect("utf-8");

    for (xml, interface) in [
        (latchkey_dbus::VAULT_XML, latchkey_dbus::VAULT_INTERFACE),
        (latchkey_dbus::BACKUP_XML, latchkey_dbus::BACKUP_INTERFACE),
        (latchkey_dbus::SYNC_XML, latchkey_dbus::SYNC_INTERFACE),
        (
            latchkey_dbus::SETTINGS_XML,
            latchkey_dbus::SETTINGS_INTERFACE,
        ),
        (latchkey_dbus::BROWSER_XML, latchkey_dbus::BROWSER_INTERFACE),
    ] {
        let published = summarize(xml, interface);
        let runtime = summarize(runtime_xml.trim(), interface);
        assert!(!published.is_empty());
        for (member, sig) in &runtime {
            assert_eq!(
                published.get(member),
                Some(sig),
                "{member} of {interface} differs between daemon and dbus/interfaces XML"
            );
        }
        for member in published.keys() {
            assert!(
                runtime.contains_key(member),
                "{member} of {interface} is published but the daemon does not serve it"
            );
        }
    }
}
