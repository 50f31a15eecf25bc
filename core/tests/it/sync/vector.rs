//! The replica test vector of docs/sync.md: fixed keys and fixed "random" values seal a known
//! body into the committed fixture byte for byte; the second device opens and merges it; and
//! `docs/sync_vector_check.py`, written from the documentation alone, checks it independently.

use super::account;
use latchkey_core::accounts::Accounts;
use latchkey_core::sync::doc::{Doc, Member};
use latchkey_core::sync::record::{Record, Reg};
use latchkey_core::sync::seal::{Fresh, Notices, seal_with};
use latchkey_core::sync::{DeviceId, Identity, Stamp, State};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

const T: u64 = 1_800_000_000_000;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/sync-vector-v1.lkreplica")
}

fn devices() -> (Identity, Identity) {
    (
        Identity::from_bytes([0x11; 32], [0x22; 32]),
        Identity::from_bytes([0x33; 32], [0x44; 32]),
    )
}

#[derive(Serialize)]
struct Body {
    format: u32,
    seen: BTreeMap<DeviceId, Stamp>,
    doc: Doc,
}

/// The vector's replica: device A's, with one account, sealed for A and B.
fn vector() -> Vec<u8> {
    let (a, b) = devices();
    let stamp = |count| Stamp {
        time: T,
        count,
        device: a.id(),
    };
    let member = |keys, name: &str, count| Member {
        keys,
        name: Reg {
            stamp: stamp(count),
            value: name.into(),
        },
        added: stamp(count),
        removed: None,
    };
    let mut doc = Doc::default();
    doc.members.insert(a.id(), member(a.public(), "alpha", 0));
    doc.members.insert(b.id(), member(b.public(), "beta", 1));
    let example = account("6f1c0d3e-0000-4000-8000-000000000001", "Example", 1, false);
    doc.accounts
        .insert(example.id.clone(), Record::new(&example, stamp(2)));
    let body = Body {
        format: 1,
        seen: BTreeMap::from([(a.id(), stamp(3))]),
        doc,
    };
    let body = serde_json::to_vec(&body).expect("json");
    let fresh = Fresh {
        data_key: [0x55; 32],
        ephemeral: [0x66; 32],
        nonce: [0x77; 24],
    };
    let recipients = [(a.id(), a.public()), (b.id(), b.public())];
    seal_with(
        &a,
        stamp(3),
        &recipients,
        &Notices::default(),
        &body,
        &fresh,
    )
    .expect("sealed")
}

#[test]
fn the_fixture_is_the_documented_vector_and_the_second_device_merges_it() {
    let bytes = std::fs::read(fixture()).expect("fixture");
    assert_eq!(
        bytes,
        vector(),
        "the fixture is what the documented inputs seal to"
    );
    let (a, b) = devices();
    let mut state = State::new(b, "beta", "/sync".into(), T - 1000);
    // b knows a as a member already (as after pairing).
    let known = {
        let mut doc = Doc::default();
        doc.members.insert(
            a.id(),
            Member {
                keys: a.public(),
                name: Reg {
                    stamp: Stamp::zero(a.id()),
                    value: "alpha".into(),
                },
                added: Stamp::zero(a.id()),
                removed: None,
            },
        );
        doc
    };
    state.doc.merge(known.clone()).expect("merge");
    let mut accounts = Accounts::default();
    let merged = state
        .import(&bytes, T + 1000, &mut accounts)
        .expect("opens");
    assert_eq!(merged.changes.added.len(), 1);
    assert_eq!(
        accounts
            .get("6f1c0d3e-0000-4000-8000-000000000001")
            .expect("the account")
            .issuer,
        "Example"
    );
}

#[test]
fn an_independent_reader_opens_the_vector() {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/sync_vector_check.py");
    let out = std::process::Command::new("/usr/bin/python3")
        .arg(&script)
        .arg(fixture())
        .output()
        .expect("python3 runs (apt install python3-nacl)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}{}",
        stdout,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("\"issuer\":\"Example\""), "{stdout}");
}

#[test]
#[ignore = "writes the fixture; run once after a deliberate format change"]
fn generate_vector() {
    std::fs::write(fixture(), vector()).expect("write");
}
