//! The vault body with the sync state: a body written before sync existed still opens, the
//! sync state survives a write and a read, and a body newer than this Latchkey is refused.

use super::{Device, account};
use latchkey_core::accounts::BodyError;
use latchkey_core::body::{self, Extra};

#[test]
fn a_body_from_before_sync_opens_without_a_sync_state() {
    // Version 1 as Latchkey wrote it before sync (docs/vault-format.md: the accounts module's JSON).
    let old = br#"{"version":1,"accounts":[{"id":"6f1c","issuer":"Example","account":"alice","secret":"JBSWY3DPEHPK3PXP","algorithm":"sha1","digits":6,"type":"totp","period":30}]}"#;
    let (accounts, extra) = body::read(old).expect("opens");
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts.get("6f1c").expect("kept").issuer, "Example");
    assert!(extra.sync.is_none() && extra.follow.is_none());
    let again = body::write(&accounts, &Extra::default());
    assert!(
        again.starts_with(br#"{"version":1,"#),
        "no sync state: still version 1"
    );
}

#[test]
fn the_sync_state_survives_a_write_and_a_read_and_copies_leave_it_out() {
    let mut d = Device::first("laptop", 1_800_000_000_000);
    d.accounts.push(account("a1", "Example", 1, true));
    d.observe(1_800_000_000_001);
    let bytes = body::write(
        &d.accounts,
        &Extra {
            sync: Some(d.state.clone()),
            follow: None,
        },
    );
    assert!(bytes.starts_with(br#"{"version":2,"#));
    let (accounts, extra) = body::read(&bytes).expect("opens");
    let sync = extra.sync.expect("the sync state");
    assert_eq!(sync.id(), d.state.id());
    assert_eq!(sync.doc, d.state.doc);
    assert_eq!(accounts.len(), 1);
    // A copy (backup, export) has the accounts only: the device's keys stay in its vault.
    let copy = d.accounts.to_body();
    assert!(!String::from_utf8_lossy(&copy).contains("\"sync\""));
    let newer = br#"{"version":3,"accounts":[]}"#;
    assert!(matches!(body::read(newer), Err(BodyError::Version(3))));
}
