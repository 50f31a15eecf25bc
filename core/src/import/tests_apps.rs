//! Every app's reader against real exports: files the apps wrote, from Aegis's importer tests
//! (tests/data/import/aegis-repo/, see the README there), and files written by
//! make_fixtures_apps.py from each app's published format where no real file is public. Each
//! file holds some of the same seven accounts (Aegis's test vectors), so one table of expected
//! rows serves them all.

use super::*;

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("../../tests/data/import/", $name)).as_slice()
    };
}

/// The accounts every real fixture draws from, as `issuer|account|kind|algorithm|digits|secret`.
const DENO: &str = "Deno|Mason|totp 30|Sha1|6|4SJHB4GSD43FZBAI7C2HLRJGPQ";
const SPDX: &str = "SPDX|James|totp 20|Sha256|7|5OM4WOOGPLQEF6UGN3CPEOOLWU";
const AIRBNB: &str = "Airbnb|Elijah|totp 50|Sha512|8|7ELGJSGXNCCTV3O6LKJWYFV2RA";
const ISSUU: &str = "Issuu|James|hotp 1|Sha1|6|YOOMIXWS5GN6RTBPUFFWKTW5M4";
const AIR_CANADA: &str = "Air Canada|Benjamin|hotp 50|Sha256|7|KUVJJOM753IHTNDSZVCNKL7GII";
const WWE: &str = "WWE|Mason|hotp 10300|Sha512|8|5VAML3X35THCEBVRLV24CGBKOY";
const BOEING: &str = "Boeing|Sophia|steam|Sha1|5|JRZCL47CMXVOQMNPZR2F7J4RGI";

/// One imported account as a row of the table above.
fn row(i: &Imported) -> String {
    let kind = match i.params.kind {
        crate::otp::Kind::Totp { period } => format!("totp {period}"),
        crate::otp::Kind::Hotp { counter } => format!("hotp {counter}"),
        crate::otp::Kind::Steam => "steam".into(),
    };
    format!(
        "{}|{}|{kind}|{:?}|{}|{}",
        i.issuer,
        i.account,
        i.params.algorithm,
        i.params.digits,
        i.params.secret.to_base32().as_str()
    )
}

/// Detects `bytes`, checks the format, and returns the rows sorted (apps order differently).
fn rows(bytes: &[u8], pass: Option<&[u8]>, want: Format) -> Vec<String> {
    assert_eq!(detect(bytes), Ok(want));
    let parsed = parse(bytes, Format::Auto, pass).expect("parses");
    assert_eq!(parsed.format, want);
    let mut out: Vec<String> = parsed
        .entries
        .iter()
        .map(|e| row(e.as_ref().expect("entry ok")))
        .collect();
    out.sort();
    out
}

fn sorted(rows: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = rows.iter().map(|r| r.to_string()).collect();
    v.sort();
    v
}

const ALL_SEVEN: [&str; 7] = [DENO, SPDX, AIRBNB, ISSUU, AIR_CANADA, WWE, BOEING];

#[test]
fn uri_lists_from_aegis_and_ente() {
    let all = sorted(&ALL_SEVEN);
    assert_eq!(
        rows(fixture!("aegis-repo/plain.txt"), None, Format::Uris),
        all
    );
    assert_eq!(
        rows(fixture!("aegis-repo/ente_auth.txt"), None, Format::Ente),
        all
    );
}

#[test]
fn stratum_backup() {
    let all = sorted(&ALL_SEVEN);
    assert_eq!(
        rows(
            fixture!("aegis-repo/stratum_plain.json"),
            None,
            Format::Stratum
        ),
        all
    );
}

#[test]
fn freeotp_token_xml_counts_from_the_next_code() {
    // FreeOTP stores 10299 for the URI's 10300: the next code is the URI's.
    assert_eq!(
        rows(fixture!("aegis-repo/freeotp.xml"), None, Format::FreeOtp),
        sorted(&[DENO, AIRBNB, ISSUU, WWE])
    );
    assert_eq!(
        rows(
            fixture!("aegis-repo/freeotp_plus_internal.xml"),
            None,
            Format::FreeOtp
        ),
        sorted(&[DENO, SPDX, AIRBNB, ISSUU, AIR_CANADA, WWE])
    );
    // In the app's order (tokenOrder), not the file's.
    let parsed = parse(fixture!("aegis-repo/freeotp.xml"), Format::Auto, None).expect("parses");
    let issuers: Vec<String> = parsed
        .entries
        .iter()
        .map(|e| e.as_ref().expect("ok").issuer.clone())
        .collect();
    assert_eq!(issuers, ["WWE", "Issuu", "Airbnb", "Deno"]);
}

#[test]
fn authy_plain_and_encrypted() {
    // Authy makes SHA-1 codes every 30 s whatever the URI said; digits are kept.
    let want = sorted(&[
        "Deno|Mason|totp 30|Sha1|6|4SJHB4GSD43FZBAI7C2HLRJGPQ",
        "SPDX|James|totp 30|Sha1|7|5OM4WOOGPLQEF6UGN3CPEOOLWU",
        "Airbnb|Elijah|totp 30|Sha1|8|7ELGJSGXNCCTV3O6LKJWYFV2RA",
    ]);
    assert_eq!(
        rows(fixture!("aegis-repo/authy_plain.xml"), None, Format::Authy),
        want
    );
    let enc = fixture!("aegis-repo/authy_encrypted.xml");
    assert_eq!(rows(enc, Some(b"testtest"), Format::Authy), want);
    assert_eq!(
        parse(enc, Format::Auto, None).unwrap_err(),
        ImportError::PassphraseRequired("Authy")
    );
    assert_eq!(
        parse(enc, Format::Auto, Some(b"wrong")).unwrap_err(),
        ImportError::BadPassphraseOrCorrupted("Authy")
    );
}

#[test]
fn totp_authenticator_backup_and_preferences() {
    let want = sorted(&[
        "Deno|mason|totp 30|Sha1|6|4SJHB4GSD43FZBAI7C2HLRJGPQ",
        "SPDX|james|totp 20|Sha1|7|5OM4WOOGPLQEF6UGN3CPEOOLWU",
        "Airbnb|elijah|totp 50|Sha1|8|7ELGJSGXNCCTV3O6LKJWYFV2RA",
    ]);
    let prefs = fixture!("aegis-repo/totp_authenticator_internal.xml");
    assert_eq!(rows(prefs, None, Format::TotpAuthenticator), want);
    let backup = fixture!("aegis-repo/totp_authenticator.bin");
    assert_eq!(
        rows(backup, Some(b"Testtest1"), Format::TotpAuthenticator),
        want
    );
    // Not the app's default password: the passphrase is asked for.
    assert_eq!(
        parse(backup, Format::Auto, None).unwrap_err(),
        ImportError::PassphraseRequired("TOTP Authenticator")
    );
    assert_eq!(
        parse(backup, Format::Auto, Some(b"Testtest2")).unwrap_err(),
        ImportError::BadPassphraseOrCorrupted("TOTP Authenticator")
    );
}

#[test]
fn battle_net_both_apps() {
    let want = vec![
        "Battle.net|US-2211-2050-3346|totp 30|Sha1|8|BMGRXPGFARQQF4GMT25JATL2VYLAHDBI".to_string(),
    ];
    for bytes in [
        fixture!("aegis-repo/battle_net_authenticator.xml"),
        fixture!("aegis-repo/battle_net_authenticator_bma.xml"),
    ] {
        assert_eq!(rows(bytes, None, Format::BattleNet), want);
    }
}

#[test]
fn steam_ma_files_old_and_new() {
    let want = vec!["Steam|Sophia|steam|Sha1|5|JRZCL47CMXVOQMNPZR2F7J4RGI".to_string()];
    assert_eq!(
        rows(fixture!("aegis-repo/steam.json"), None, Format::Steam),
        want
    );
    assert_eq!(
        rows(fixture!("aegis-repo/steam_old.json"), None, Format::Steam),
        want
    );
}

#[test]
fn duo_proton_bitwarden_csv_and_2fas_schema_1() {
    assert_eq!(
        rows(fixture!("aegis-repo/duo.json"), None, Format::Duo),
        sorted(&[
            "|Mason|totp 30|Sha1|6|4SJHB4GSD43FZBAI7C2HLRJGPQ",
            "|James|hotp 3|Sha1|6|YOOMIXWS5GN6RTBPUFFWKTW5M4",
        ])
    );
    assert_eq!(
        rows(
            fixture!("aegis-repo/proton_authenticator.json"),
            None,
            Format::Proton
        ),
        sorted(&[DENO, SPDX, AIRBNB])
    );
    assert_eq!(
        rows(
            fixture!("aegis-repo/bitwarden.csv"),
            None,
            Format::Bitwarden
        ),
        sorted(&[
            DENO,
            SPDX,
            AIRBNB,
            "Test 4||steam|Sha1|5|JRZCL47CMXVOQMNPZR2F7J4RGI"
        ])
    );
    // Schema 1 knew only TOTP with the defaults.
    let schema1: Vec<String> = rows(
        fixture!("aegis-repo/2fas_authenticator.json"),
        None,
        Format::TwoFas,
    );
    assert_eq!(schema1.len(), 6);
    assert!(
        schema1.iter().all(|r| r.contains("|totp 30|Sha1|6|")),
        "{schema1:?}"
    );
}

#[test]
fn unknown_files_say_what_they_look_like() {
    let what = |bytes: &[u8]| match detect(bytes) {
        Err(ImportError::UnknownFormat(what)) => what,
        other => panic!("{other:?}"),
    };
    assert!(what(b"<map><string name=\"x\">y</string></map>").contains("Android preferences"));
    assert!(what(b"<html><body/></html>").contains("XML"));
    assert!(what(b"PK\x03\x04garbage").contains("ZIP"));
    assert!(what(&[0x7f, b'E', b'L', b'F', 0, 0, 0, 0]).contains("binary"));
    assert!(what(b"name,password\nx,y\n").contains("text"));
}
