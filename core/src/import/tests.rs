//! Parser tests against fixtures made by tests/data/import/make_fixtures.py (Python, independent
//! of this code) and published Google migration vectors.

use super::*;
use crate::otp::{Algorithm, Kind, Secret};

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("../../tests/data/import/", $name)).as_slice()
    };
}

pub(super) const PASS: &[u8] = b"import test passphrase";

pub(super) fn ok(bytes: &[u8], pass: Option<&[u8]>) -> Vec<Imported> {
    let parsed = parse(bytes, Format::Auto, pass).expect("parses");
    parsed
        .entries
        .into_iter()
        .map(|e| e.expect("entry ok"))
        .collect()
}

pub(super) fn b32(text: &str) -> Secret {
    Secret::from_base32(text).expect("base32")
}

pub(super) fn oathtool(args: &[&str]) -> String {
    let out = std::process::Command::new("oathtool")
        .args(args)
        .output()
        .expect("oathtool is installed");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The four accounts every Aegis fixture holds (make_fixtures.py's ENTRIES), as do the 2FAS,
/// andOTP, FreeOTP+ and Bitwarden fixtures (make_fixtures_formats.py's ACCOUNTS).
pub(super) fn check_four(got: &[Imported]) {
    assert_eq!(got.len(), 4);
    assert_eq!(
        (got[0].issuer.as_str(), got[0].account.as_str()),
        ("GitHub", "alice@example.com")
    );
    assert_eq!(got[0].params.secret, b32("JBSWY3DPEHPK3PXP"));
    assert_eq!(got[0].params.kind, Kind::Totp { period: 30 });
    let corp = &got[1].params;
    assert_eq!(
        (corp.algorithm, corp.digits, corp.kind),
        (Algorithm::Sha256, 8, Kind::Totp { period: 60 })
    );
    let t = 1_700_000_000u64;
    let want = oathtool(&[
        "--totp=sha256",
        "-b",
        "-d",
        "8",
        "-s",
        "60",
        "-N",
        &format!("@{t}"),
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
    ]);
    assert_eq!(corp.time_code(t).expect("code").code.to_string(), want);
    let bank = &got[2].params;
    assert_eq!(
        (bank.algorithm, bank.digits, bank.kind),
        (Algorithm::Sha512, 7, Kind::Hotp { counter: 5 })
    );
    assert_eq!(got[3].params.kind, Kind::Steam);
}

#[test]
fn aegis_plain_versions_1_and_2() {
    for bytes in [
        fixture!("aegis-plain-v1.json"),
        fixture!("aegis-plain-v2.json"),
    ] {
        check_four(&ok(bytes, None));
        let notes = parse(bytes, Format::Aegis, None).expect("parses").notes;
        assert_eq!(notes.len(), 1, "the note and group are reported as dropped");
    }
}

#[test]
fn aegis_encrypted_with_the_passphrase() {
    check_four(&ok(fixture!("aegis-encrypted-v3.json"), Some(PASS)));
    assert_eq!(ok(fixture!("aegis-encrypted-v2.json"), Some(PASS)).len(), 2);
}

#[test]
fn aegis_passphrase_errors() {
    let bytes = fixture!("aegis-encrypted-v2.json");
    assert_eq!(
        parse(bytes, Format::Auto, None).unwrap_err(),
        ImportError::PassphraseRequired("Aegis")
    );
    assert_eq!(
        parse(bytes, Format::Auto, Some(b"wrong")).unwrap_err(),
        ImportError::BadPassphrase("Aegis")
    );
}

/// The encrypted fixture as JSON, changed by `edit`, as bytes.
fn edited(edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let mut v: serde_json::Value =
        serde_json::from_slice(fixture!("aegis-encrypted-v2.json")).expect("json");
    edit(&mut v);
    serde_json::to_vec(&v).expect("json")
}

#[test]
fn aegis_flipped_byte_in_the_database_is_corruption() {
    let bytes = edited(|v| {
        let mut db = data_encoding::BASE64
            .decode(v["db"].as_str().expect("db").as_bytes())
            .expect("b64");
        db[3] ^= 0x01;
        v["db"] = data_encoding::BASE64.encode(&db).into();
    });
    assert_eq!(
        parse(&bytes, Format::Auto, Some(PASS)).unwrap_err(),
        ImportError::Corrupted("Aegis")
    );
}

#[test]
fn aegis_hostile_scrypt_parameters_are_refused_before_running() {
    for (n, r, p) in [
        (1u64 << 22, 8, 1),
        (1 << 15, 64, 1),
        (1 << 15, 8, 17),
        (1 << 20, 32, 1),
        (1 << 20, 8, 16),
    ] {
        let bytes = edited(|v| {
            v["header"]["slots"][1]["n"] = n.into();
            v["header"]["slots"][1]["r"] = r.into();
            v["header"]["slots"][1]["p"] = p.into();
        });
        let err = parse(&bytes, Format::Auto, Some(PASS)).unwrap_err();
        assert!(
            matches!(
                err,
                ImportError::KdfParams {
                    format: "Aegis",
                    ..
                }
            ),
            "{n} {r} {p}: {err}"
        );
    }
    let bytes = edited(|v| v["header"]["slots"][1]["n"] = 1000.into());
    let err = parse(&bytes, Format::Auto, Some(PASS)).unwrap_err();
    assert!(
        matches!(
            err,
            ImportError::Malformed {
                format: "Aegis",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn aegis_default_and_strongest_real_scrypt_costs_are_accepted() {
    // Aegis's default (n=2^15, r=8, p=1) and twice its memory must stay importable.
    for (n, r, p) in [(1u64 << 15, 8, 1), (1 << 16, 8, 1), (1 << 15, 8, 4)] {
        assert!(aegis::scrypt_params(n, r, p).is_ok(), "{n} {r} {p}");
    }
}

#[test]
fn aegis_malformed_files() {
    let full = fixture!("aegis-plain-v2.json");
    let err = parse(&full[..full.len() / 2], Format::Auto, None).unwrap_err();
    assert!(
        matches!(
            err,
            ImportError::Malformed {
                format: "Aegis",
                ..
            }
        ),
        "{err}"
    );
    let text = std::str::from_utf8(full).expect("utf-8");
    let bad = text.replace("\"version\": 2", "\"version\": 4");
    assert!(
        parse(bad.as_bytes(), Format::Auto, None)
            .unwrap_err()
            .to_string()
            .contains("database version 4")
    );
    let only_slots = edited(|v| v["header"]["params"] = serde_json::Value::Null);
    assert!(matches!(
        parse(&only_slots, Format::Auto, Some(PASS)),
        Err(ImportError::Malformed { .. })
    ));
}

#[test]
fn aegis_bad_entries_fail_alone_and_name_the_fault() {
    let parsed = parse(fixture!("aegis-bad-entry.json"), Format::Auto, None).expect("parses");
    assert!(parsed.entries[0].is_ok() && parsed.entries[1].is_ok());
    let err = parsed.entries[2].as_ref().unwrap_err();
    assert_eq!(
        (err.position, err.issuer.as_str(), err.account.as_str()),
        (3, "Old", "frank")
    );
    assert_eq!(err.fault, EntryFault::Algorithm("MD5".into()));
    let text = std::str::from_utf8(fixture!("aegis-plain-v2.json")).expect("utf-8");
    let bad = text
        .replacen("JBSWY3DPEHPK3PXP", "JBSWY3DP1HPK3PXP", 1)
        .replacen("\"SHA256\"", "\"SHA3\"", 1);
    let parsed = parse(bad.as_bytes(), Format::Auto, None).expect("parses");
    let e0 = parsed.entries[0].as_ref().unwrap_err();
    assert_eq!(
        e0.fault,
        EntryFault::Secret(crate::otp::SecretError::InvalidCharacter { position: 9 })
    );
    assert!(
        !e0.fault.to_string().contains("JBSWY3DP"),
        "no secret in errors"
    );
    assert_eq!(
        parsed.entries[1].as_ref().unwrap_err().fault,
        EntryFault::Algorithm("SHA3".into())
    );
}

#[test]
fn whole_file_errors() {
    let big = vec![b' '; MAX_INPUT + 1];
    assert_eq!(
        parse(&big, Format::Auto, None).unwrap_err(),
        ImportError::TooLarge(MAX_INPUT + 1)
    );
    assert_eq!(
        parse(b" \n", Format::Auto, None).unwrap_err(),
        ImportError::Empty
    );
    let unknown = parse(b"hello", Format::Auto, None).unwrap_err();
    assert!(
        matches!(unknown, ImportError::UnknownFormat(_)),
        "{unknown}"
    );
    assert!(
        unknown.to_string().contains("Microsoft Authenticator"),
        "the error lists the apps read: {unknown}"
    );
    for name in [
        "aegis",
        "google",
        "2fas",
        "andotp",
        "freeotp",
        "bitwarden",
        "qr",
        "uris",
    ] {
        assert_eq!(Format::from_name(name).map(|f| f.name()), Ok(name));
    }
    assert!(Format::from_name("lastpass").is_err());
    let many = "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP\n".repeat(MAX_ENTRIES + 1);
    assert_eq!(
        parse(many.as_bytes(), Format::Auto, None).unwrap_err(),
        ImportError::TooManyEntries
    );
}

#[test]
fn debug_output_never_shows_secrets() {
    let parsed = parse(fixture!("aegis-plain-v2.json"), Format::Auto, None).expect("parses");
    let text = format!("{parsed:?}");
    assert!(
        !text.contains("JBSWY3DPEHPK3PXP") && !text.contains("Hello!"),
        "{text}"
    );
}
