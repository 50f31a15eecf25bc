//! Replica files as untrusted input: every altered byte refused, forgotten devices ignored,
//! replays and old versions without effect, strangers' files not read.

use super::{Device, account};
use latchkey_core::sync::{ImportError, SealError};

const T: u64 = 1_800_000_000_000;

fn pair() -> (Device, Device) {
    let mut a = Device::first("a", T);
    let b = Device::join(&mut a, "b", T + 1);
    (a, b)
}

#[test]
fn an_account_added_on_one_device_arrives_on_the_other_and_back() {
    let (mut a, mut b) = pair();
    a.accounts.push(account("id-1", "Example", 1, false));
    let replica = a.export(T + 10);
    let merged = b.import(&replica, T + 20).expect("merged");
    assert_eq!(merged.changes.added, vec!["id-1".to_string()]);
    assert_eq!(a.view(), b.view());
    // The inviter reads the new member's replica, sealed for it.
    b.accounts.get_mut("id-1").expect("there").issuer = "Renamed".into();
    let replica = b.export(T + 30);
    let merged = a.import(&replica, T + 40).expect("merged");
    assert_eq!(merged.changes.updated, vec!["id-1".to_string()]);
    assert_eq!(a.accounts.get("id-1").expect("kept").issuer, "Renamed");
}

#[test]
fn sites_travel_as_their_own_field_beside_a_concurrent_rename() {
    let (mut a, mut b) = pair();
    a.accounts.push(account("id-1", "Example", 1, false));
    let replica = a.export(T + 10);
    b.import(&replica, T + 20).expect("merged");
    // Concurrently: a gives the account a site, b renames it.
    a.accounts.get_mut("id-1").expect("there").sites = vec!["example.com".into()];
    b.accounts.get_mut("id-1").expect("there").issuer = "Renamed".into();
    let from_a = a.export(T + 30);
    let from_b = b.export(T + 31);
    let merged = b.import(&from_a, T + 40).expect("merged");
    assert_eq!(merged.changes.updated, vec!["id-1".to_string()]);
    a.import(&from_b, T + 41).expect("merged");
    for d in [&a, &b] {
        let got = d.accounts.get("id-1").expect("kept");
        assert_eq!(
            (got.issuer.as_str(), got.sites.as_slice()),
            ("Renamed", &["example.com".to_string()][..])
        );
    }
    // Clearing the sites is a change too.
    a.accounts.get_mut("id-1").expect("there").sites.clear();
    let from_a = a.export(T + 50);
    b.import(&from_a, T + 60).expect("merged");
    assert!(b.accounts.get("id-1").expect("kept").sites.is_empty());
}

#[test]
fn every_altered_byte_and_every_truncation_is_refused_and_changes_nothing() {
    let (mut a, mut b) = pair();
    a.accounts.push(account("id-1", "Example", 1, false));
    let replica = a.export(T + 10);
    let before = b.view();
    // Every byte would take minutes in a debug build; every 7th byte and the edges cover each
    // region (header, wraps, body, tag, signature).
    let positions: Vec<usize> = (0..replica.len())
        .filter(|i| i % 7 == 0 || *i < 16 || *i + 80 > replica.len())
        .collect();
    for i in positions {
        let mut bad = replica.clone();
        bad[i] ^= 0x20;
        let e = b.import(&bad, T + 20).expect_err("an altered byte");
        assert!(
            !matches!(e, ImportError::Unknown(_)) || i < 400,
            "byte {i}: {e}"
        );
        assert_eq!(b.view(), before, "byte {i} changed something");
    }
    for len in [0, 7, 8, 13, 14, 100, replica.len() - 65, replica.len() - 1] {
        assert!(b.import(&replica[..len], T + 20).is_err(), "length {len}");
    }
    assert_eq!(b.view(), before);
    b.import(&replica, T + 30).expect("the intact file merges");
}

#[test]
fn a_forgotten_device_is_refused_even_with_a_valid_signature_and_gets_nothing_new() {
    let (mut a, mut b) = pair();
    let mut c = Device::join(&mut a, "c", T + 2);
    // b and c learn of each other through a.
    let from_a = a.export(T + 3);
    b.import(&from_a, T + 4).expect("a to b");
    c.import(&from_a, T + 4).expect("a to c");
    assert!(a.state.forget(c.state.id(), T + 5));
    let from_a = a.export(T + 6);
    b.import(&from_a, T + 7).expect("b learns of the forget");
    // c, forgotten, still has its keys and writes a change.
    c.accounts.push(account("evil", "Injected", 9, false));
    let from_c = c.export(T + 8);
    for d in [&mut a, &mut b] {
        let e = d.import(&from_c, T + 9).expect_err("refused");
        assert!(matches!(e, ImportError::Forgotten(_)), "{e}");
        assert!(e.is_security());
        assert!(d.accounts.get("evil").is_none());
    }
    // Later replicas are not sealed for c.
    a.accounts.push(account("new", "Secret", 3, false));
    let from_a = a.export(T + 10);
    let merged = c
        .import(&from_a, T + 11)
        .expect("read as far as the forget");
    assert!(merged.forgotten, "c learns it was forgotten");
    assert!(c.state.forgotten());
    assert!(c.accounts.get("new").is_none(), "and reads nothing new");
    assert!(
        c.state.export(T + 12).is_ok(),
        "the core still seals; the daemon stops writing"
    );
    // A replica that does not name c as forgotten is simply not for it.
    let mut d = Device::join(&mut a, "d", T + 13);
    let mut stranger = Device::first("stranger", T + 14);
    let from_stranger = stranger.export(T + 15);
    let e = d.import(&from_stranger, T + 16).expect_err("unknown");
    assert!(
        matches!(e, ImportError::Unknown(_)) && !e.is_security(),
        "{e}"
    );
    let _ = SealError::NotForUs;
}

#[test]
fn replaying_an_old_replica_cannot_bring_back_a_removed_account_or_rewind_a_counter() {
    let (mut a, mut b) = pair();
    a.accounts.push(account("gone", "Removed", 1, false));
    a.accounts.push(account("hotp", "Counter", 2, true));
    let old = a.export(T + 10);
    b.import(&old, T + 11).expect("merged");
    a.accounts.remove("gone");
    if let Some(h) = a.accounts.get_mut("hotp") {
        h.params.kind = latchkey_core::otp::Kind::Hotp { counter: 7 };
    }
    let new = a.export(T + 20);
    b.import(&new, T + 21).expect("merged");
    // b acknowledges, so a may collect the tombstone.
    let from_b = b.export(T + 22);
    a.import(&from_b, T + 23).expect("merged");
    let from_a = a.export(T + 24);
    b.import(&from_a, T + 25).expect("merged");
    assert_eq!(a.state.doc.tombstones(), 0, "collected once both have it");
    for d in [&mut a, &mut b] {
        let merged = d.import(&old, T + 30);
        if let Ok(m) = &merged {
            assert!(m.changes.is_empty(), "{m:?}");
        }
        assert!(d.accounts.get("gone").is_none());
        let counter = d.accounts.get("hotp").expect("kept").params.kind;
        assert_eq!(counter, latchkey_core::otp::Kind::Hotp { counter: 7 });
    }
}

#[test]
fn a_stranger_cannot_join_without_the_code_and_a_code_works_once() {
    let mut a = Device::first("a", T);
    let code = a.state.invite(T).expect("invite");
    let code = latchkey_core::sync::Code::parse(&code).expect("parse");
    let wrong = latchkey_core::sync::Code::parse("AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA")
        .expect("well formed");
    let stranger = latchkey_core::sync::Identity::generate().expect("random");
    let request = wrong.request(&stranger.public());
    assert!(a.state.admit(&request, T + 1).is_err());
    let joiner = latchkey_core::sync::Identity::generate().expect("random");
    let request = code.request(&joiner.public());
    assert!(a.state.admit(&request, T + 2).expect("admitted").is_some());
    let other = latchkey_core::sync::Identity::generate().expect("random");
    assert!(
        a.state
            .admit(&code.request(&other.public()), T + 3)
            .is_err(),
        "used up"
    );
    assert!(latchkey_core::sync::Code::parse("not a code").is_err());
}

#[test]
fn a_replica_from_a_clock_far_ahead_is_refused() {
    let (mut a, mut b) = pair();
    a.accounts.push(account("x", "Future", 1, false));
    let replica = a.export(T + 3 * 60 * 60 * 1000);
    let e = b.import(&replica, T).expect_err("too far ahead");
    assert!(matches!(e, ImportError::Ahead { .. }), "{e}");
    assert!(b.accounts.get("x").is_none());
}

#[test]
fn a_tombstone_is_kept_until_every_member_has_it() {
    let mut a = Device::first("a", T);
    let mut b = Device::join(&mut a, "b", T + 1);
    let mut c = Device::join(&mut a, "c", T + 2);
    a.accounts.push(account("x", "Removed later", 1, false));
    let from_a = a.export(T + 10);
    b.import(&from_a, T + 11).expect("to b");
    c.import(&from_a, T + 11).expect("to c");
    a.accounts.remove("x");
    let from_a = a.export(T + 20);
    b.import(&from_a, T + 21).expect("b sees the removal");
    let from_b = b.export(T + 22);
    a.import(&from_b, T + 23).expect("b's acknowledgement");
    assert_eq!(a.state.doc.tombstones(), 1, "c has not seen it yet");
    // c, which has not seen the removal, writes a newer replica that still has the account.
    let from_c = c.export(T + 24);
    a.import(&from_c, T + 25).expect("merged");
    b.import(&from_c, T + 25).expect("merged");
    assert!(a.accounts.get("x").is_none(), "the removal holds on a");
    assert!(b.accounts.get("x").is_none(), "the removal holds on b");
    let from_a = a.export(T + 26);
    c.import(&from_a, T + 27).expect("c sees the removal");
    assert!(c.accounts.get("x").is_none());
    let from_c = c.export(T + 28);
    a.import(&from_c, T + 29).expect("c's acknowledgement");
    assert_eq!(
        a.state.doc.tombstones(),
        0,
        "collected once all three have it"
    );
}

#[test]
fn a_mistyped_code_is_refused_by_its_inviter_and_the_joining_device_stops_waiting() {
    use latchkey_core::sync::invite::LIFETIME_MS;
    use latchkey_core::sync::{Code, Identity, JoinError, Request, State};
    let mut a = Device::first("a", T);
    let mut c = Device::join(&mut a, "c", T);
    let good = a.state.invite(T + 1).expect("invite");
    // One letter of the secret part mistyped: still well formed, still naming a.
    let typo: String = good
        .chars()
        .enumerate()
        .map(|(i, ch)| match (i, ch) {
            (0, 'A') => 'B',
            (0, _) => 'A',
            (_, ch) => ch,
        })
        .collect();
    let typo = Code::parse(&typo).expect("well formed");
    let (mut joiner, request) = State::joining(
        Identity::generate().expect("random"),
        "j",
        "/sync".into(),
        &typo,
        T + 2,
    );
    let request = Request::parse(&request.to_bytes()).expect("request");
    assert_eq!(joiner.joining.as_ref().and_then(|j| j.error(T + 2)), None);

    // Another member refuses it too, but the joining device listens only to its inviter.
    assert!(c.state.can_refuse(&request, T + 3));
    c.state.refuse(&request, T + 3);
    let from_c = c.export(T + 3);
    let mut mine = Default::default();
    assert!(matches!(
        joiner.import(&from_c, T + 4, &mut mine),
        Err(ImportError::Unknown(_))
    ));
    assert_eq!(joiner.joining.as_ref().and_then(|j| j.error(T + 4)), None);

    // The inviter: no open invite made it, so it refuses it, once, and says so in clear.
    assert!(!a.state.can_admit(&request, T + 5));
    assert!(a.state.can_refuse(&request, T + 5));
    a.state.refuse(&request, T + 5);
    assert!(!a.state.can_refuse(&request, T + 5), "refused already");
    let from_a = a.export(T + 6);
    let merged = joiner
        .import(&from_a, T + 7, &mut mine)
        .expect("the inviter's answer");
    assert!(merged.refused && !merged.admitted && !merged.replay);
    let j = joiner.joining.clone().expect("still joining");
    assert_eq!(j.error(T + 7), Some(JoinError::Refused));
    assert!(
        joiner
            .import(&from_a, T + 8, &mut mine)
            .expect("again")
            .replay
    );
    assert!(mine.is_empty(), "nothing merged");

    // The right code still works (the invite is still open), and its device is never refused.
    let (_, right) = State::joining(
        Identity::generate().expect("random"),
        "k",
        "/sync".into(),
        &Code::parse(&good).expect("code"),
        T + 9,
    );
    assert!(a.state.can_admit(&right, T + 9) && !a.state.can_refuse(&right, T + 9));
    assert!(a.state.admit(&right, T + 9).expect("admitted").is_some());
    assert!(!a.state.can_refuse(&right, T + 10), "a member");

    // An invite left unanswered for its lifetime: the joining device gives up with a reason.
    let (late, _) = State::joining(
        Identity::generate().expect("random"),
        "l",
        "/sync".into(),
        &Code::parse(&good).expect("code"),
        T,
    );
    let l = late.joining.expect("joining");
    assert_eq!(l.error(T + LIFETIME_MS - 1), None);
    assert_eq!(l.error(T + LIFETIME_MS), Some(JoinError::Expired));
}
