//! 2FAS, andOTP, FreeOTP+ and Bitwarden tests against make_fixtures_formats.py's fixtures
//! (Python `cryptography`, independent of this code): accounts, passphrases, damage.

use super::tests::{PASS, check_four, ok};
use super::*;
use crate::otp::Kind;

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("../../tests/data/import/", $name)).as_slice()
    };
}

fn err(bytes: &[u8], format: Format, pass: Option<&[u8]>) -> ImportError {
    parse(bytes, format, pass).expect_err("refused")
}

fn is_malformed(e: &ImportError, name: &str) -> bool {
    matches!(e, ImportError::Malformed { format, .. } if *format == name)
}

#[test]
fn every_fixture_is_detected_as_its_format() {
    for (bytes, want) in [
        (fixture!("2fas-plain.2fas"), Format::TwoFas),
        (fixture!("2fas-encrypted.2fas"), Format::TwoFas),
        (fixture!("andotp-plain.json"), Format::AndOtp),
        (fixture!("andotp-encrypted.json.aes"), Format::AndOtp),
        (fixture!("freeotp-plus.json"), Format::FreeOtpPlus),
        (fixture!("freeotp-plus-uris.txt"), Format::Uris),
        (fixture!("bitwarden.json"), Format::Bitwarden),
        (fixture!("bitwarden-encrypted.json"), Format::Bitwarden),
        (fixture!("aegis-plain-v2.json"), Format::Aegis),
        (fixture!("qr-single.png"), Format::Qr),
        (fixture!("qr-single.jpg"), Format::Qr),
        (fixture!("google-migration.txt"), Format::Google),
    ] {
        assert_eq!(detect(bytes), Ok(want));
    }
    // andOTP's first encrypted format has no header at all: it is read only when named.
    assert!(matches!(
        detect(fixture!("andotp-encrypted-old.json.aes")),
        Err(ImportError::UnknownFormat(_))
    ));
    // Damaged JSON is told apart by its key names, so the error names the format.
    assert_eq!(detect(b"{\"tokens\": ["), Ok(Format::FreeOtpPlus));
    assert!(is_malformed(
        &err(b"{\"tokens\": [", Format::Auto, None),
        "FreeOTP+"
    ));
    assert!(matches!(
        detect(b"{\"x\": ["),
        Err(ImportError::UnknownFormat(what)) if what.starts_with("JSON that does not parse")
    ));
    assert!(matches!(
        detect(b"{\"a\": 1}"),
        Err(ImportError::UnknownFormat(_))
    ));
}

#[test]
fn twofas_plain_and_encrypted() {
    check_four(&ok(fixture!("2fas-plain.2fas"), None));
    let with_bom = [b"\xEF\xBB\xBF".as_slice(), fixture!("2fas-plain.2fas")].concat();
    check_four(&ok(&with_bom, None));
    check_four(&ok(fixture!("2fas-encrypted.2fas"), Some(PASS)));
    check_four(&ok(fixture!("2fas-encrypted-noref.2fas"), Some(PASS)));
}

#[test]
fn twofas_passphrase_errors() {
    let enc = fixture!("2fas-encrypted.2fas");
    assert_eq!(
        err(enc, Format::Auto, None),
        ImportError::PassphraseRequired("2FAS")
    );
    let wrong = err(enc, Format::Auto, Some(b"wrong"));
    assert_eq!(wrong, ImportError::BadPassphrase("2FAS"));
    assert!(wrong.to_string().contains("2FAS"), "{wrong}");
    assert_eq!(
        err(
            fixture!("2fas-encrypted-noref.2fas"),
            Format::Auto,
            Some(b"x")
        ),
        ImportError::BadPassphraseOrCorrupted("2FAS")
    );
}

/// The encrypted 2FAS fixture with `servicesEncrypted` changed by `edit` (on its decoded data).
fn twofas_edited(edit: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut v: serde_json::Value =
        serde_json::from_slice(fixture!("2fas-encrypted.2fas")).expect("json");
    let field = v["servicesEncrypted"].as_str().expect("field").to_string();
    let mut parts: Vec<String> = field.split(':').map(str::to_string).collect();
    let mut data = data_encoding::BASE64
        .decode(parts[0].as_bytes())
        .expect("b64");
    edit(&mut data);
    parts[0] = data_encoding::BASE64.encode(&data);
    v["servicesEncrypted"] = parts.join(":").into();
    serde_json::to_vec(&v).expect("json")
}

#[test]
fn twofas_corrupted_and_malformed() {
    let flipped = twofas_edited(|d| d[5] ^= 0x40);
    assert_eq!(
        err(&flipped, Format::Auto, Some(PASS)),
        ImportError::Corrupted("2FAS")
    );
    let short = twofas_edited(|d| d.truncate(8));
    assert_eq!(
        err(&short, Format::Auto, Some(PASS)),
        ImportError::Corrupted("2FAS")
    );
    let full = fixture!("2fas-plain.2fas");
    assert!(is_malformed(
        &err(&full[..full.len() / 2], Format::TwoFas, None),
        "2FAS"
    ));
    let mut v: serde_json::Value =
        serde_json::from_slice(fixture!("2fas-encrypted.2fas")).expect("json");
    v["servicesEncrypted"] = "abc:def".into();
    let bytes = serde_json::to_vec(&v).expect("json");
    assert!(is_malformed(&err(&bytes, Format::Auto, Some(PASS)), "2FAS"));
}

#[test]
fn twofas_bad_entry_fails_alone() {
    let text = std::str::from_utf8(fixture!("2fas-plain.2fas")).expect("utf-8");
    let bad = text.replacen("\"tokenType\": \"TOTP\"", "\"tokenType\": \"YANDEX\"", 1);
    let parsed = parse(bad.as_bytes(), Format::Auto, None).expect("parses");
    let e = parsed.entries[0].as_ref().expect_err("fails");
    assert_eq!(e.fault, EntryFault::Type("YANDEX".into()));
    assert_eq!((e.issuer.as_str(), e.position), ("GitHub", 1));
    assert!(parsed.entries[1..].iter().all(Result::is_ok));
}

#[test]
fn andotp_plain_and_both_encrypted_formats() {
    check_four(&ok(fixture!("andotp-plain.json"), None));
    check_four(&ok(fixture!("andotp-encrypted.json.aes"), Some(PASS)));
    let old = parse(
        fixture!("andotp-encrypted-old.json.aes"),
        Format::AndOtp,
        Some(PASS),
    )
    .expect("parses");
    let old: Vec<Imported> = old.entries.into_iter().map(|e| e.expect("ok")).collect();
    check_four(&old);
}

#[test]
fn andotp_passphrase_and_damage() {
    let enc = fixture!("andotp-encrypted.json.aes");
    assert_eq!(
        err(enc, Format::Auto, None),
        ImportError::PassphraseRequired("andOTP")
    );
    let wrong = err(enc, Format::Auto, Some(b"wrong"));
    assert_eq!(wrong, ImportError::BadPassphraseOrCorrupted("andOTP"));
    assert!(wrong.to_string().contains("andOTP"), "{wrong}");
    let mut flipped = enc.to_vec();
    flipped[40] ^= 1;
    assert_eq!(
        err(&flipped, Format::Auto, Some(PASS)),
        ImportError::BadPassphraseOrCorrupted("andOTP")
    );
    assert!(is_malformed(
        &err(&enc[..20], Format::AndOtp, Some(PASS)),
        "andOTP"
    ));
    let full = fixture!("andotp-plain.json");
    assert!(is_malformed(
        &err(&full[..full.len() - 3], Format::Auto, None),
        "andOTP"
    ));
}

#[test]
fn andotp_hostile_round_count_is_refused_without_running() {
    let mut hostile = fixture!("andotp-encrypted.json.aes").to_vec();
    // Within andOTP's shape (so detected), beyond what Latchkey runs.
    hostile[..4].copy_from_slice(&50_000_000u32.to_be_bytes());
    let e = err(&hostile, Format::Auto, Some(PASS));
    assert!(e.to_string().contains("50000000 PBKDF2 rounds"), "{e}");
    // Outside andOTP's shape: unknown binary data, not an andOTP guess...
    hostile[..4].copy_from_slice(&u32::MAX.to_be_bytes());
    let unknown = err(&hostile, Format::Auto, Some(PASS));
    assert!(
        matches!(&unknown, ImportError::UnknownFormat(what) if what.contains("binary")),
        "{unknown}"
    );
    // ...unless the user names andOTP.
    let started = std::time::Instant::now();
    let e = err(&hostile, Format::AndOtp, Some(PASS));
    assert!(
        matches!(
            e,
            ImportError::KdfParams {
                format: "andOTP",
                ..
            }
        ),
        "{e}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    assert!(e.to_string().contains("4294967295 PBKDF2 rounds"), "{e}");
}

#[test]
fn andotp_old_labels_carry_the_issuer() {
    let json = br#"[{"secret":"JBSWY3DPEHPK3PXP","label":"GitHub - alice","digits":6,
        "type":"TOTP","algorithm":"SHA1","period":30}]"#;
    let got = ok(json, None);
    assert_eq!(
        (got[0].issuer.as_str(), got[0].account.as_str()),
        ("GitHub", "alice")
    );
}

#[test]
fn freeotp_json_and_uri_list() {
    check_four(&ok(fixture!("freeotp-plus.json"), None));
    let uris = ok(fixture!("freeotp-plus-uris.txt"), None);
    assert_eq!(uris.len(), 3);
    assert_eq!(uris[2].params.kind, Kind::Hotp { counter: 5 });
}

#[test]
fn freeotp_bad_bytes_and_truncation() {
    let text = std::str::from_utf8(fixture!("freeotp-plus.json")).expect("utf-8");
    let bad = text.replacen("\"secret\": [", "\"secret\": [300, ", 1);
    let parsed = parse(bad.as_bytes(), Format::Auto, None).expect("parses");
    assert_eq!(
        parsed.entries[0].as_ref().expect_err("fails").fault,
        EntryFault::ByteSecret
    );
    assert!(is_malformed(
        &err(&text.as_bytes()[..text.len() / 2], Format::FreeOtp, None),
        "FreeOTP+"
    ));
}

#[test]
fn bitwarden_items_with_totp() {
    let parsed = parse(fixture!("bitwarden.json"), Format::Auto, None).expect("parses");
    assert_eq!(parsed.notes.len(), 1, "{:?}", parsed.notes);
    assert!(parsed.notes[0].starts_with("2 Bitwarden items"));
    let got: Vec<Imported> = parsed.entries.into_iter().map(|e| e.expect("ok")).collect();
    check_four(&got);
    assert_eq!(
        got[1].issuer, "Corp",
        "the item name stands in for a missing issuer"
    );
    // Login URIs become sites (registrable domains); an app link is no site.
    let sites: Vec<&[String]> = got.iter().map(|i| i.sites.as_slice()).collect();
    assert_eq!(
        sites,
        [
            &["github.com".to_string()][..],
            &[],
            &["bank.example".to_string()],
            &[]
        ]
    );
}

#[test]
fn bitwarden_csv_login_uris_become_sites() {
    let csv = "folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\n\
               ,,login,GitHub,,,0,\"https://github.com/login,androidapp://com.github.android\",alice,pw,JBSWY3DPEHPK3PXP\n";
    let parsed = parse(csv.as_bytes(), Format::Bitwarden, None).expect("parses");
    let got: Vec<Imported> = parsed.entries.into_iter().map(|e| e.expect("ok")).collect();
    assert_eq!(got[0].sites, ["github.com"]);
}

#[test]
fn bitwarden_encrypted_and_malformed() {
    let e = err(
        fixture!("bitwarden-encrypted.json"),
        Format::Auto,
        Some(PASS),
    );
    assert_eq!(e, ImportError::BitwardenEncrypted);
    assert!(e.to_string().contains("unencrypted") || e.to_string().contains("\"JSON\""));
    let full = fixture!("bitwarden.json");
    assert!(is_malformed(
        &err(&full[..100], Format::Bitwarden, None),
        "Bitwarden"
    ));
    let bad = br#"{"encrypted":false,"items":[{"name":"X","login":{"username":"u","totp":"not base32!"}}]}"#;
    let parsed = parse(bad, Format::Auto, None).expect("parses");
    let e = parsed.entries[0].as_ref().expect_err("fails");
    assert_eq!((e.position, e.issuer.as_str()), (1, "X"));
}
