//! Google migration and URI-list tests: fixtures from make_fixtures.py, published vectors.

use super::tests::{b32, oathtool, ok};
use super::*;
use crate::otp::{Algorithm, Kind};

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("../../tests/data/import/", $name)).as_slice()
    };
}

#[test]
fn google_fixture_maps_every_enum() {
    let got = ok(fixture!("google-migration.txt"), None);
    assert_eq!(got.len(), 4);
    assert_eq!(
        (got[0].issuer.as_str(), got[0].account.as_str()),
        ("GitHub", "alice@example.com")
    );
    assert_eq!(got[0].params.secret, b32("JBSWY3DPEHPK3PXP"));
    assert_eq!(
        (got[1].params.algorithm, got[1].params.digits),
        (Algorithm::Sha256, 8)
    );
    let carol = &got[2].params;
    assert_eq!(
        (carol.algorithm, carol.kind),
        (Algorithm::Sha512, Kind::Hotp { counter: 7 })
    );
    let secret = data_encoding::BASE32_NOPAD.encode(b"12345678901234567890");
    assert_eq!(oathtool(&["-b", "-c", "7", &secret]).len(), 6);
    let erin = &got[3];
    assert_eq!(
        (erin.issuer.as_str(), erin.account.as_str()),
        ("Issuerless", "erin")
    );
    assert_eq!(
        (erin.params.algorithm, erin.params.digits, erin.params.kind),
        (Algorithm::Sha1, 6, Kind::Totp { period: 30 })
    );
    let t = 59u64;
    assert_eq!(
        erin.params.time_code(t).expect("code").code.to_string(),
        oathtool(&["--totp", "-b", "-N", "@59", &secret])
    );
}

#[test]
fn google_published_vectors() {
    // johncallahan/otpauth_migration and digitalduke/otpauth-migration-decoder READMEs.
    let got = ok(b"otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC", None);
    assert_eq!(
        (got[0].issuer.as_str(), got[0].account.as_str()),
        ("Example", "alice@google.com")
    );
    assert_eq!(got[0].params.secret, b32("JBSWY3DPEHPK3PXP"));
    // A Raspberry Pi guide's vector (negative batch id, percent-encoded base64).
    let got = ok(b"otpauth-migration://offline?data=CjUKEPqlBekzoNEukL7qlsjBCDYSDnBpQHJhc3BiZXJyeXBpGgtyYXNwYmVycnlwaSABKAEwAhABGAEgACjr4JKK%2B%2F%2F%2F%2F%2F8B", None);
    assert_eq!(
        (got[0].issuer.as_str(), got[0].account.as_str()),
        ("raspberrypi", "pi@raspberrypi")
    );
    assert_eq!(got[0].params.secret, b32("7KSQL2JTUDIS5EF65KLMRQIIGY"));
    // Smiling-Dwarf/otp_recover_secret README: two accounts.
    let got = ok(b"otpauth-migration://offline?data=Ch4KC2Yk6WxR3xW8Rde7EglGYWtlIEdBIDEgASgBMAIKIgoPA10zkjJ0tijvit4MRqKSEglGYWtlIEdBIDIgASgBMAIQARgBIAAoz5a69vj%2F%2F%2F%2F%2FAQ%3D%3D", None);
    assert_eq!(got[0].params.secret, b32("MYSOS3CR34K3YROXXM"));
    assert_eq!(
        (got[1].account.as_str(), &got[1].params.secret),
        ("Fake GA 2", &b32("ANOTHERSOS3CR34K3YGENIUS"))
    );
}

#[test]
fn google_errors() {
    let parsed = parse(fixture!("google-md5.txt"), Format::Auto, None).expect("parses");
    assert_eq!(
        parsed.entries[1].as_ref().unwrap_err().fault,
        EntryFault::Algorithm("MD5".into())
    );
    let malformed = |text: &str| match parse(text.as_bytes(), Format::Auto, None) {
        Err(ImportError::Malformed { format, fault }) => {
            assert_eq!(format, google::FORMAT, "{fault}")
        }
        other => panic!("{text}: {other:?}"),
    };
    malformed("otpauth-migration://offline?data=%%%");
    malformed("otpauth-migration://offline?data=not*base64");
    malformed("otpauth-migration://offline?data=CgX/"); // a field that runs past the end
    malformed("otpauth-migration://offline");
    malformed("otpauth-migration://offline?data=CjEK\nhttps://example.com");
    let notes = parse(fixture!("google-batch-1of2.txt"), Format::Auto, None)
        .expect("parses")
        .notes;
    assert!(notes[0].contains("2 QR codes"), "{notes:?}");
}

#[test]
fn uri_lists() {
    let got = ok(fixture!("uris.txt"), None);
    assert_eq!(got.len(), 3);
    assert_eq!(got[1].params.kind, Kind::Hotp { counter: 5 });
    assert_eq!(got[2].params.kind, Kind::Steam);
    let parsed = parse(
        b"otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP\n\notpauth://totp/A:c?secret=JB1\n",
        Format::Auto,
        None,
    )
    .expect("parses");
    let err = parsed.entries[1].as_ref().unwrap_err();
    assert_eq!((err.position, err.account.as_str()), (2, "line 3"));
    assert!(matches!(err.fault, EntryFault::Uri(_)));
}
