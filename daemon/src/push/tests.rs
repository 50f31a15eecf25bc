//! Protocol tests against answers recorded from a real privacyIDEA 3.14 (`testdata/record.py`:
//! a device key made by Python `cryptography`, a token enrolled, a sign-in with a presence
//! check triggered, then polled).

use super::keys::{DeviceKey, KeyError, ServerKey};
use super::protocol::{self, ProtocolError};

const ENROLLMENT: &[u8] = include_bytes!("testdata/enrollment.json");
const POLL: &[u8] = include_bytes!("testdata/poll.json");
const POLL_REFUSED: &[u8] = include_bytes!("testdata/poll-bad-signature.json");
const SERIAL: &str = "PIPU0001DEED";

fn server_key() -> ServerKey {
    protocol::parse_enrollment(ENROLLMENT).expect("server key from the enrollment answer")
}

fn challenge() -> protocol::Challenge {
    let mut list = protocol::parse_poll(POLL).expect("poll answer");
    assert_eq!(list.len(), 1);
    list.remove(0)
}

#[test]
fn recorded_challenge_verifies_with_its_presence_options() {
    let v = challenge().verify(&server_key(), SERIAL).expect("verifies");
    assert_eq!(v.serial, SERIAL);
    assert_eq!(v.title, "privacyIDEA");
    assert_eq!(v.question, "Do you want to confirm the login?");
    assert_eq!(v.url, "http://127.0.0.1:5871/ttype/push");
    assert!(v.sslverify);
    assert_eq!(v.presence, ["M", "P", "U"]);
}

#[test]
fn any_changed_field_breaks_the_signature() {
    let key = server_key();
    let edits: [fn(&mut protocol::Challenge); 8] = [
        |c| c.title.push('!'),
        |c| c.question = "Log in to your bank?".into(),
        |c| c.url = "https://evil.example/ttype/push".into(),
        |c| c.nonce.replace_range(0..1, "A"),
        |c| c.sslverify = "0".into(),
        |c| c.require_presence = None,
        |c| c.require_presence = Some("P,M,U".into()),
        |c| c.signature.replace_range(0..2, "AA"),
    ];
    for (i, edit) in edits.iter().enumerate() {
        let mut c = challenge();
        edit(&mut c);
        assert!(
            matches!(c.verify(&key, SERIAL), Err(ProtocolError::Signature(_))),
            "edit {i} still verified"
        );
    }
}

#[test]
fn a_challenge_for_another_token_is_refused() {
    assert!(matches!(
        challenge().verify(&server_key(), "PIPU99999999"),
        Err(ProtocolError::WrongSerial { .. })
    ));
}

#[test]
fn another_server_key_does_not_verify() {
    let other = DeviceKey::generate().expect("key");
    let other = ServerKey::from_text(&other.public_spki_base64().expect("spki")).expect("key");
    assert!(matches!(
        challenge().verify(&other, SERIAL),
        Err(ProtocolError::Signature(KeyError::BadSignature))
    ));
}

#[test]
fn server_refusals_and_answers_are_read() {
    assert_eq!(
        protocol::parse_poll(POLL_REFUSED),
        Err(ProtocolError::Refused(
            "ERR10: Could not verify signature!".into()
        ))
    );
    let ok =
        br#"{"jsonrpc":"2.0","result":{"status":true,"value":true},"version":"privacyIDEA 3.14"}"#;
    let no =
        br#"{"jsonrpc":"2.0","result":{"status":true,"value":false},"version":"privacyIDEA 3.14"}"#;
    assert_eq!(protocol::parse_answer(ok), Ok(true));
    assert_eq!(protocol::parse_answer(no), Ok(false));
    assert!(matches!(
        protocol::parse_poll(b"<html>proxy error</html>"),
        Err(ProtocolError::Format(_))
    ));
    assert_eq!(
        protocol::parse_enrollment(ok).err(),
        Some(ProtocolError::NoServerKey)
    );
}

#[test]
fn signed_texts_follow_privacyidea() {
    assert_eq!(
        protocol::poll_text("PIPU1", "2026-01-01T00:00:00Z"),
        "PIPU1|2026-01-01T00:00:00Z"
    );
    assert_eq!(protocol::answer_text("N", "S", false, None), "N|S");
    assert_eq!(protocol::answer_text("N", "S", true, None), "N|S|decline");
    assert_eq!(protocol::answer_text("N", "S", false, Some("P")), "N|S|P");
    assert_eq!(
        challenge().signed_text(),
        format!(
            "YYYCAYUOWIYZZ3HCRCOPBIMVVXILOHO2|http://127.0.0.1:5871/ttype/push|{SERIAL}|Do you want to confirm the login?|privacyIDEA|1|M,P,U"
        )
    );
    let ts = protocol::timestamp_now();
    assert!(ts.ends_with('Z') && ts.len() == 27, "{ts}");
}

#[test]
fn device_key_round_trips_and_its_signatures_verify() {
    let key = DeviceKey::generate().expect("key");
    let stored = key.to_pkcs8_base64().expect("pkcs8");
    let again = DeviceKey::from_pkcs8_base64(&stored).expect("reload");
    let public = ServerKey::from_text(&key.public_spki_base64().expect("spki")).expect("public");
    let sig = again.sign("PIPU1|2026-01-01T00:00:00Z").expect("sign");
    assert_eq!(sig.len(), 824, "RSA 4096 signature in padded base32");
    assert_eq!(public.verify("PIPU1|2026-01-01T00:00:00Z", &sig), Ok(()));
    assert_eq!(
        public.verify("PIPU1|2026-01-01T00:00:01Z", &sig),
        Err(KeyError::BadSignature)
    );
    assert!(!format!("{again:?}").contains(&stored[..20]));
    assert_eq!(
        DeviceKey::from_pkcs8_base64("bm90IGEga2V5").err(),
        Some(KeyError::BadDeviceKey)
    );
}
