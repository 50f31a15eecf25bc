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

#[test]
fn databases_from_rooted_phones() {
    let ms = fixture!("apps/microsoft-authenticator.db");
    let parsed = parse(ms, Format::Auto, None).expect("parses");
    assert_eq!(parsed.format, Format::Microsoft);
    assert_eq!(
        parsed.notes.len(),
        2,
        "work account and push-only account noted"
    );
    assert_eq!(
        rows(ms, None, Format::Microsoft),
        sorted(&[
            DENO,
            // Microsoft Authenticator shows only 6-digit 30-second SHA-1 codes for others.
            "Boeing|Sophia|totp 30|Sha1|6|JRZCL47CMXVOQMNPZR2F7J4RGI",
            // Personal Microsoft accounts: base64 secrets, 8 digits.
            "Microsoft|mason@outlook.example|totp 30|Sha1|8|OBSXE43PNZQWYIDBMNRW65LOOQQHGZLDOJSXIIBRGIZTI",
        ])
    );
    assert_eq!(
        rows(
            fixture!("apps/google-authenticator.db"),
            None,
            Format::Google
        ),
        sorted(&[
            DENO,
            ISSUU,
            "WWE|Mason|hotp 10300|Sha1|6|5VAML3X35THCEBVRLV24CGBKOY",
            "|mason@example.com|totp 30|Sha1|6|7ELGJSGXNCCTV3O6LKJWYFV2RA",
        ])
    );
    // Stratum's database is in WAL mode, as on the phone.
    let db3 = fixture!("apps/stratum-internal.db3");
    assert_eq!(&db3[18..20], &[2, 2]);
    assert_eq!(rows(db3, None, Format::Stratum), sorted(&ALL_SEVEN));
}

#[test]
fn encrypted_backups_with_their_passphrases() {
    let all = sorted(&ALL_SEVEN);
    for name in ["stratum-encrypted.bin", "stratum-encrypted-legacy.bin"] {
        let bytes = std::fs::read(format!(
            "{}/tests/data/import/apps/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("fixture");
        assert_eq!(rows(&bytes, Some(b"test"), Format::Stratum), all, "{name}");
    }
    assert_eq!(
        rows(
            fixture!("apps/ente-encrypted.json"),
            Some(b"test"),
            Format::Ente
        ),
        all
    );
    assert_eq!(
        rows(
            fixture!("apps/freeotp-backup.xml"),
            Some(b"test"),
            Format::FreeOtp
        ),
        sorted(&[DENO, SPDX, WWE])
    );
    assert_eq!(
        rows(
            fixture!("apps/authenticator-plus.zip"),
            Some(b"testtesttest"),
            Format::AuthenticatorPlus
        ),
        sorted(&[DENO, SPDX, ISSUU])
    );
    // No password set in the app: its default opens the backup, no passphrase asked.
    assert_eq!(
        rows(
            fixture!("apps/totp-authenticator-default.bin"),
            None,
            Format::TotpAuthenticator
        ),
        sorted(&[
            "Deno|mason|totp 30|Sha1|6|4SJHB4GSD43FZBAI7C2HLRJGPQ",
            "SPDX|james|totp 20|Sha1|7|5OM4WOOGPLQEF6UGN3CPEOOLWU",
        ])
    );
}

#[test]
fn keepass_databases_entries_with_an_otp() {
    // KDBX 4 (Argon2d), written by pykeepass and read by KeePassXC when it was made.
    assert_eq!(
        rows(
            fixture!("apps/keepass-kdbx4.kdbx"),
            Some(b"test"),
            Format::Kdbx
        ),
        sorted(&[
            DENO,
            SPDX,
            "Old Bank|carol|totp 30|Sha1|8|7ELGJSGXNCCTV3O6LKJWYFV2RA",
            WWE
        ])
    );
    // KDBX 3.1 (AES-KDF), written by KeePassXC itself.
    let kdbx = fixture!("apps/keepassxc-kdbx3.kdbx");
    let parsed = parse(kdbx, Format::Auto, Some(b"test")).expect("opens");
    assert_eq!(parsed.notes.len(), 1, "{:?}", parsed.notes);
    assert!(parsed.notes[0].starts_with("1 KeePass entry without"));
    // The entry's URL is the account's site; entries without one have none.
    let sites: Vec<(String, Vec<String>)> = parsed
        .entries
        .iter()
        .map(|e| e.as_ref().expect("ok"))
        .map(|i| (i.issuer.clone(), i.sites.clone()))
        .collect();
    assert!(
        sites.contains(&("Deno".into(), vec!["deno.com".into()])),
        "{sites:?}"
    );
    assert!(
        sites.iter().filter(|(_, s)| !s.is_empty()).count() == 1,
        "{sites:?}"
    );
    assert_eq!(
        rows(kdbx, Some(b"test"), Format::Kdbx),
        sorted(&[
            DENO,
            SPDX,
            // KeePassXC's older TOTP Seed and TOTP Settings fields.
            "Old Bank|carol|totp 30|Sha1|8|7ELGJSGXNCCTV3O6LKJWYFV2RA",
            "Steam|Sophia|steam|Sha1|5|JRZCL47CMXVOQMNPZR2F7J4RGI",
            // In a subgroup; its copy in the recycle bin is not imported.
            WWE,
        ])
    );
}

/// Every encrypted format: no passphrase asks for one, a wrong one is its own error naming the
/// app, and nothing is returned.
#[test]
fn wrong_and_missing_passphrases_are_named() {
    let cases: [(&[u8], &str, bool); 8] = [
        (fixture!("apps/stratum-encrypted.bin"), "Stratum", false),
        (
            fixture!("apps/stratum-encrypted-legacy.bin"),
            "Stratum",
            false,
        ),
        (fixture!("apps/ente-encrypted.json"), "Ente Auth", false),
        (fixture!("apps/freeotp-backup.xml"), "FreeOTP", true),
        (
            fixture!("apps/authenticator-plus.zip"),
            "Authenticator Plus",
            true,
        ),
        (fixture!("apps/keepassxc-kdbx3.kdbx"), "KeePass", false),
        (fixture!("aegis-repo/authy_encrypted.xml"), "Authy", false),
        (
            fixture!("aegis-repo/totp_authenticator.bin"),
            "TOTP Authenticator",
            false,
        ),
    ];
    for (bytes, app, certain) in cases {
        assert_eq!(
            parse(bytes, Format::Auto, None).unwrap_err(),
            ImportError::PassphraseRequired(app)
        );
        assert!(
            inspect(bytes, Format::Auto).expect("inspects").encrypted,
            "{app}"
        );
        let wrong = parse(bytes, Format::Auto, Some(b"not the passphrase")).unwrap_err();
        if certain {
            assert_eq!(wrong, ImportError::BadPassphrase(app));
        } else {
            assert!(
                matches!(wrong, ImportError::BadPassphrase(a) | ImportError::BadPassphraseOrCorrupted(a) if a == app),
                "{app}: {wrong:?}"
            );
        }
        assert!(wrong.to_string().contains(app), "{wrong}");
    }
}

/// A file, the format to name, and its passphrase.
type Case = (&'static [u8], Format, Option<&'static [u8]>);

/// Truncated or damaged files of every new format: a named error with the app's name (or, when
/// the damage hides what the file is, one saying what it looks like), never a panic or an
/// import.
#[test]
fn truncated_and_damaged_files_are_named_errors() {
    let cases: [Case; 17] = [
        (
            fixture!("apps/microsoft-authenticator.db"),
            Format::Microsoft,
            None,
        ),
        (
            fixture!("apps/google-authenticator.db"),
            Format::Google,
            None,
        ),
        (fixture!("apps/stratum-internal.db3"), Format::Stratum, None),
        (
            fixture!("apps/stratum-encrypted.bin"),
            Format::Stratum,
            Some(b"test"),
        ),
        (
            fixture!("apps/stratum-encrypted-legacy.bin"),
            Format::Stratum,
            Some(b"test"),
        ),
        (
            fixture!("apps/ente-encrypted.json"),
            Format::Ente,
            Some(b"test"),
        ),
        (
            fixture!("apps/freeotp-backup.xml"),
            Format::FreeOtp,
            Some(b"test"),
        ),
        (
            fixture!("apps/authenticator-plus.zip"),
            Format::AuthenticatorPlus,
            Some(b"testtesttest"),
        ),
        (
            fixture!("apps/keepass-kdbx4.kdbx"),
            Format::Kdbx,
            Some(b"test"),
        ),
        (
            fixture!("apps/totp-authenticator-default.bin"),
            Format::TotpAuthenticator,
            None,
        ),
        (fixture!("aegis-repo/authy_plain.xml"), Format::Authy, None),
        (
            fixture!("aegis-repo/battle_net_authenticator.xml"),
            Format::BattleNet,
            None,
        ),
        (fixture!("aegis-repo/freeotp.xml"), Format::FreeOtp, None),
        (
            fixture!("aegis-repo/stratum_plain.json"),
            Format::Stratum,
            None,
        ),
        (fixture!("aegis-repo/steam.json"), Format::Steam, None),
        (fixture!("aegis-repo/duo.json"), Format::Duo, None),
        (
            fixture!("aegis-repo/proton_authenticator.json"),
            Format::Proton,
            None,
        ),
    ];
    for (bytes, format, pass) in cases {
        let app = format.app();
        for cut in [bytes.len() / 2, bytes.len() - 7] {
            let err = parse(&bytes[..cut], format, pass)
                .err()
                .unwrap_or_else(|| panic!("{app} cut at {cut} was read"));
            assert!(err.to_string().contains(app), "{app} cut at {cut}: {err}");
            // Detection of the same bytes names a format or says it cannot.
            if let Err(e) = parse(&bytes[..cut], Format::Auto, pass) {
                assert!(!e.to_string().is_empty());
            }
        }
        // One flipped byte near the end: an error, or entries that fail alone; never a panic.
        let mut flipped = bytes.to_vec();
        let at = flipped.len() - 20;
        flipped[at] ^= 0x55;
        if let Ok(parsed) = parse(&flipped, format, pass) {
            assert!(parsed.entries.len() <= 7, "{app}");
        }
    }
}

/// Files that set their own key derivation cost are refused before it runs when it is hostile.
#[test]
fn hostile_key_derivation_costs_are_refused_before_running() {
    let started = std::time::Instant::now();
    let kdf = |e: ImportError, app: &str| {
        assert!(
            matches!(&e, ImportError::KdfParams { format, .. } if *format == app),
            "{app}: {e:?}"
        );
    };
    // Ente: 64 GiB of Argon2 memory.
    let mut ente: serde_json::Value =
        serde_json::from_slice(fixture!("apps/ente-encrypted.json")).expect("json");
    ente["kdfParams"]["memLimit"] = (64u64 << 30).into();
    let bytes = serde_json::to_vec(&ente).expect("json");
    kdf(
        parse(&bytes, Format::Auto, Some(b"test")).unwrap_err(),
        "Ente Auth",
    );
    // FreeOTP: a billion PBKDF2 rounds.
    let backup = fixture!("apps/freeotp-backup.xml");
    let mut hostile = replace(
        backup,
        b"\"mIterations\": 100000",
        b"\"mIterations\": 999999999",
    );
    // The serialized string's length (two bytes before it) grows by the three digits added.
    let json = hostile
        .windows(13)
        .position(|w| w == b"{\"mAlgorithm\"")
        .expect("masterKey");
    let len = u16::from_be_bytes([hostile[json - 2], hostile[json - 1]]) + 3;
    hostile[json - 2..json].copy_from_slice(&len.to_be_bytes());
    kdf(
        parse(&hostile, Format::Auto, Some(b"test")).unwrap_err(),
        "FreeOTP",
    );
    // KeePass 3.1: AES-KDF rounds (header field 6, eight bytes).
    let kdbx3 = fixture!("apps/keepassxc-kdbx3.kdbx");
    let at = kdbx3
        .windows(3)
        .position(|w| w == [6, 8, 0])
        .expect("transform rounds")
        + 3;
    let mut hostile = kdbx3.to_vec();
    hostile[at..at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
    kdf(
        parse(&hostile, Format::Auto, Some(b"test")).unwrap_err(),
        "KeePass",
    );
    // KeePass 4: Argon2 memory and passes in the header's KDF parameters.
    let kdbx = fixture!("apps/keepass-kdbx4.kdbx");
    for key in [b'M', b'I'] {
        let needle = [1, 0, 0, 0, key, 8, 0, 0, 0];
        let at = kdbx
            .windows(needle.len())
            .position(|w| w == needle)
            .expect("KDF parameter")
            + needle.len();
        let mut hostile = kdbx.to_vec();
        hostile[at..at + 8].copy_from_slice(&(1u64 << 40).to_le_bytes());
        kdf(
            parse(&hostile, Format::Auto, Some(b"test")).unwrap_err(),
            "KeePass",
        );
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}

/// `haystack` with the first `from` replaced by `to` (same-length or not).
fn replace(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let at = haystack
        .windows(from.len())
        .position(|w| w == from)
        .expect("present");
    [&haystack[..at], to, &haystack[at + from.len()..]].concat()
}

/// GNOME Authenticator and OTPClient write Aegis, andOTP and URI formats with their own
/// quirks (make_fixtures_desktop.py follows their export code): all read as the apps meant.
#[test]
fn linux_desktop_authenticators_exports() {
    let air_canada = "Air Canada|Benjamin|hotp 50|Sha256|7|KUVJJOM753IHTNDSZVCNKL7GII";
    let four = sorted(&[DENO, SPDX, air_canada, BOEING]);
    assert_eq!(
        rows(
            fixture!("desktop/gnome-authenticator-aegis.json"),
            None,
            Format::Aegis
        ),
        four
    );
    assert_eq!(
        rows(
            fixture!("desktop/gnome-authenticator-aegis-encrypted.json"),
            Some(b"test"),
            Format::Aegis
        ),
        four
    );
    let three = sorted(&[DENO, SPDX, air_canada]);
    assert_eq!(
        rows(
            fixture!("desktop/gnome-authenticator-andotp.json"),
            None,
            Format::AndOtp
        ),
        three
    );
    assert_eq!(
        rows(
            fixture!("desktop/gnome-authenticator-uris.txt"),
            None,
            Format::Uris
        ),
        three
    );
    // OTPClient writes a null issuer for an account without one, and encrypts with the
    // derived key itself as the master key.
    let five = sorted(&[
        DENO,
        SPDX,
        air_canada,
        BOEING,
        "|nobody@example.com|totp 50|Sha512|8|7ELGJSGXNCCTV3O6LKJWYFV2RA",
    ]);
    assert_eq!(
        rows(
            fixture!("desktop/otpclient-aegis.json"),
            None,
            Format::Aegis
        ),
        five
    );
    assert_eq!(
        rows(
            fixture!("desktop/otpclient-aegis-encrypted.json"),
            Some(b"test"),
            Format::Aegis
        ),
        five
    );
}

/// Authy's own tokens (`com.authy.storage.tokens.authy.xml`): a hex seed, 7 digits every 10
/// seconds, named by the service; codes as oathtool computes them.
#[test]
fn authy_native_tokens() {
    let xml = "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n    \
        <string name=\"com.authy.storage.tokens.authy.key\">[{&quot;accountType&quot;:&quot;authy&quot;,\
        &quot;digits&quot;:7,&quot;name&quot;:&quot;Twitch&quot;,\
        &quot;secretSeed&quot;:&quot;3132333435363738393031323334353637383930&quot;}]</string>\n</map>\n";
    let parsed = parse(xml.as_bytes(), Format::Auto, None).expect("parses");
    assert_eq!(parsed.format, Format::Authy);
    let token = parsed.entries[0].as_ref().expect("ok");
    assert_eq!(
        (token.issuer.as_str(), token.account.as_str()),
        ("Twitch", "")
    );
    assert_eq!(token.params.kind, crate::otp::Kind::Totp { period: 10 });
    let code = token.params.time_code(1_111_111_109).expect("code");
    let reference = super::tests::oathtool(&[
        "--totp",
        "-d",
        "7",
        "-s",
        "10s",
        "--now",
        "@1111111109",
        "3132333435363738393031323334353637383930",
    ]);
    assert_eq!(code.code.to_string(), reference);
}
