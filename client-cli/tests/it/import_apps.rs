//! Every app's export, as a new user would bring it: `latchkey import FILE` through the real
//! daemon (format detected, the passphrase asked only of encrypted files), then read back with
//! `latchkey export --format uris --plaintext`: the accounts equal what the source app holds in
//! that file, and every code equals oathtool's. Fixtures: core/tests/data/import/ (README there:
//! real exports from the apps, and script-made files where none is public).

use crate::common::Env;
use std::collections::BTreeMap;

const VAULT: &str = "vault pass\n";

fn fixture(name: &str) -> String {
    format!(
        "{}/../core/tests/data/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

// The accounts of Aegis's test vectors, as `issuer|account|kind|algorithm|digits|secret`.
const DENO: &str = "Deno|Mason|totp 30|SHA1|6|4SJHB4GSD43FZBAI7C2HLRJGPQ";
const SPDX: &str = "SPDX|James|totp 20|SHA256|7|5OM4WOOGPLQEF6UGN3CPEOOLWU";
const AIRBNB: &str = "Airbnb|Elijah|totp 50|SHA512|8|7ELGJSGXNCCTV3O6LKJWYFV2RA";
const ISSUU: &str = "Issuu|James|hotp 1|SHA1|6|YOOMIXWS5GN6RTBPUFFWKTW5M4";
const AIR_CANADA: &str = "Air Canada|Benjamin|hotp 50|SHA256|7|KUVJJOM753IHTNDSZVCNKL7GII";
const WWE: &str = "WWE|Mason|hotp 10300|SHA512|8|5VAML3X35THCEBVRLV24CGBKOY";
const BOEING: &str = "Boeing|Sophia|steam|SHA1|5|JRZCL47CMXVOQMNPZR2F7J4RGI";
const SEVEN: &[&str] = &[DENO, SPDX, AIRBNB, ISSUU, AIR_CANADA, WWE, BOEING];
// make_fixtures*.py's four accounts.
const FOUR: &[&str] = &[
    "GitHub|alice@example.com|totp 30|SHA1|6|JBSWY3DPEHPK3PXP",
    "Corp|bob|totp 60|SHA256|8|GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
    "Bank|carol|hotp 5|SHA512|7|MFRGGZDFMZTWQ2LK",
    "Steam|dave|steam|SHA1|5|ONSWG4TFOQYTEMY",
];

/// One file to import: its passphrase (asked for only if the daemon says it is encrypted), the
/// `--format` a user must name (None: detected), and the accounts it holds.
struct Case {
    file: &'static str,
    passphrase: Option<&'static str>,
    format: Option<&'static str>,
    rows: &'static [&'static str],
}

const fn case(file: &'static str, rows: &'static [&'static str]) -> Case {
    Case {
        file,
        passphrase: None,
        format: None,
        rows,
    }
}

const fn encrypted(file: &'static str, pass: &'static str, rows: &'static [&'static str]) -> Case {
    Case {
        file,
        passphrase: Some(pass),
        format: None,
        rows,
    }
}

/// Decodes `%XX` (and `+` as a space in query values).
fn unescape(text: &str, plus: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("hex");
                out.push(u8::from_str_radix(hex, 16).expect("hex"));
                i += 3;
            }
            b'+' if plus => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).expect("utf-8")
}

/// An exported otpauth:// URI as a row, with its parameters.
fn row(uri: &str) -> (String, BTreeMap<String, String>) {
    let rest = uri.strip_prefix("otpauth://").expect("otpauth URI");
    let (kind, rest) = rest.split_once('/').expect("type");
    let (label, query) = rest.split_once('?').expect("query");
    let params: BTreeMap<String, String> = query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), unescape(v, true)))
        .collect();
    let label = unescape(label, false);
    let (prefix, account) = label.split_once(':').unwrap_or(("", &label));
    let issuer = params.get("issuer").cloned().unwrap_or(prefix.to_string());
    let kind = match kind {
        "totp" => format!("totp {}", params["period"]),
        "hotp" => format!("hotp {}", params["counter"]),
        other => other.to_string(),
    };
    let text = format!(
        "{issuer}|{account}|{kind}|{}|{}|{}",
        params["algorithm"], params["digits"], params["secret"]
    );
    (text, params)
}

fn oathtool(args: &[&str]) -> String {
    let out = std::process::Command::new("oathtool")
        .args(args)
        .output()
        .expect("oathtool is installed");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Imports `c` into a new vault as a user would, reads it back and checks codes.
fn check(c: &Case) {
    let env = Env::new();
    env.ok(&["init", "--passphrase-stdin"], Some(VAULT));
    let file = fixture(c.file);
    let mut args = vec!["import", file.as_str(), "--json", "--passphrase-stdin"];
    if let Some(format) = c.format {
        args.extend(["--format", format]);
    }
    // Stdin holds the passphrase; the CLI reads it only if the daemon asks for one.
    let stdin = c.passphrase.map(|p| format!("{p}\n"));
    let out = env.ok(&args, Some(stdin.as_deref().unwrap_or("")));
    let report: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(
        report["failed"].as_array().map(Vec::len),
        Some(0),
        "{}: {out}",
        c.file
    );
    let export = env.export_plain("uris", VAULT, None);
    let exported: Vec<(String, BTreeMap<String, String>)> = export.lines().map(row).collect();
    let mut got: Vec<&str> = exported.iter().map(|(r, _)| r.as_str()).collect();
    got.sort_unstable();
    let mut want = c.rows.to_vec();
    want.sort_unstable();
    assert_eq!(got, want, "{}", c.file);

    // Each account's code, as the daemon computes it, equals oathtool's (Steam aside).
    let list = env.json(&["list", "--json"]);
    for account in list.as_array().expect("list") {
        let id = account["id"].as_str().expect("id");
        let (issuer, name) = (
            account["issuer"].as_str().unwrap_or_default(),
            account["account"].as_str().unwrap_or_default(),
        );
        let (_, p) = exported
            .iter()
            .find(|(r, _)| r.starts_with(&format!("{issuer}|{name}|")))
            .expect("exported");
        let algorithm = p["algorithm"].to_lowercase();
        let code = env.json(&["code", id, "--json"]);
        let reference = if let Some(counter) = p.get("counter") {
            // oathtool's HOTP is SHA-1 only; TOTP with a 1-second step at time `counter` is
            // HOTP at that counter with any hash.
            oathtool(&[
                &format!("--totp={algorithm}"),
                "-d",
                &p["digits"],
                "-s",
                "1s",
                "--now",
                &format!("@{counter}"),
                "-b",
                &p["secret"],
            ])
        } else if account["kind"] == "steam" || p["digits"] == "5" {
            continue;
        } else {
            let period: u64 = p["period"].parse().expect("period");
            let until = code["valid_until"].as_u64().expect("window");
            oathtool(&[
                &format!("--totp={algorithm}"),
                "-d",
                &p["digits"],
                "-s",
                &format!("{period}s"),
                "--now",
                &format!("@{}", until - period),
                "-b",
                &p["secret"],
            ])
        };
        assert_eq!(
            code["code"],
            reference.as_str(),
            "{}: {issuer} {name}",
            c.file
        );
    }
}

#[test]
fn real_exports_made_by_the_apps() {
    for c in [
        case("aegis-repo/plain.txt", SEVEN),
        case("aegis-repo/ente_auth.txt", SEVEN),
        case("aegis-repo/stratum_plain.json", SEVEN),
        case("aegis-repo/freeotp.xml", &[DENO, AIRBNB, ISSUU, WWE]),
        case(
            "aegis-repo/freeotp_plus_internal.xml",
            &[DENO, SPDX, AIRBNB, ISSUU, AIR_CANADA, WWE],
        ),
        case(
            "aegis-repo/authy_plain.xml",
            &[
                "Deno|Mason|totp 30|SHA1|6|4SJHB4GSD43FZBAI7C2HLRJGPQ",
                "SPDX|James|totp 30|SHA1|7|5OM4WOOGPLQEF6UGN3CPEOOLWU",
                "Airbnb|Elijah|totp 30|SHA1|8|7ELGJSGXNCCTV3O6LKJWYFV2RA",
            ],
        ),
        encrypted(
            "aegis-repo/authy_encrypted.xml",
            "testtest",
            &[
                "Deno|Mason|totp 30|SHA1|6|4SJHB4GSD43FZBAI7C2HLRJGPQ",
                "SPDX|James|totp 30|SHA1|7|5OM4WOOGPLQEF6UGN3CPEOOLWU",
                "Airbnb|Elijah|totp 30|SHA1|8|7ELGJSGXNCCTV3O6LKJWYFV2RA",
            ],
        ),
        case(
            "aegis-repo/battle_net_authenticator.xml",
            &["Battle.net|US-2211-2050-3346|totp 30|SHA1|8|BMGRXPGFARQQF4GMT25JATL2VYLAHDBI"],
        ),
        case(
            "aegis-repo/bitwarden.csv",
            &[
                DENO,
                SPDX,
                AIRBNB,
                "Test 4||steam|SHA1|5|JRZCL47CMXVOQMNPZR2F7J4RGI",
            ],
        ),
        case(
            "aegis-repo/duo.json",
            &[
                "|Mason|totp 30|SHA1|6|4SJHB4GSD43FZBAI7C2HLRJGPQ",
                "|James|hotp 3|SHA1|6|YOOMIXWS5GN6RTBPUFFWKTW5M4",
            ],
        ),
        case(
            "aegis-repo/proton_authenticator.json",
            &[DENO, SPDX, AIRBNB],
        ),
        case(
            "aegis-repo/steam_old.json",
            &["Steam|Sophia|steam|SHA1|5|JRZCL47CMXVOQMNPZR2F7J4RGI"],
        ),
        encrypted(
            "aegis-repo/totp_authenticator.bin",
            "Testtest1",
            &[
                "Deno|mason|totp 30|SHA1|6|4SJHB4GSD43FZBAI7C2HLRJGPQ",
                "SPDX|james|totp 20|SHA1|7|5OM4WOOGPLQEF6UGN3CPEOOLWU",
                "Airbnb|elijah|totp 50|SHA1|8|7ELGJSGXNCCTV3O6LKJWYFV2RA",
            ],
        ),
    ] {
        check(&c);
    }
}

#[test]
fn phone_databases_and_script_made_exports() {
    for c in [
        case(
            "apps/microsoft-authenticator.db",
            &[
                DENO,
                "Boeing|Sophia|totp 30|SHA1|6|JRZCL47CMXVOQMNPZR2F7J4RGI",
                "Microsoft|mason@outlook.example|totp 30|SHA1|8|OBSXE43PNZQWYIDBMNRW65LOOQQHGZLDOJSXIIBRGIZTI",
            ],
        ),
        case(
            "apps/google-authenticator.db",
            &[
                DENO,
                ISSUU,
                "WWE|Mason|hotp 10300|SHA1|6|5VAML3X35THCEBVRLV24CGBKOY",
                "|mason@example.com|totp 30|SHA1|6|7ELGJSGXNCCTV3O6LKJWYFV2RA",
            ],
        ),
        case("apps/stratum-internal.db3", SEVEN),
        case(
            "apps/totp-authenticator-default.bin",
            &[
                "Deno|mason|totp 30|SHA1|6|4SJHB4GSD43FZBAI7C2HLRJGPQ",
                "SPDX|james|totp 20|SHA1|7|5OM4WOOGPLQEF6UGN3CPEOOLWU",
            ],
        ),
        case("aegis-plain-v2.json", FOUR),
        case("2fas-plain.2fas", FOUR),
        case("andotp-plain.json", FOUR),
        case("freeotp-plus.json", FOUR),
        case("bitwarden.json", FOUR),
    ] {
        check(&c);
    }
}

#[test]
fn encrypted_exports_ask_for_their_passphrase() {
    for c in [
        encrypted("apps/stratum-encrypted.bin", "test", SEVEN),
        encrypted("apps/stratum-encrypted-legacy.bin", "test", SEVEN),
        encrypted("apps/ente-encrypted.json", "test", SEVEN),
        encrypted("apps/freeotp-backup.xml", "test", &[DENO, SPDX, WWE]),
        encrypted(
            "apps/authenticator-plus.zip",
            "testtesttest",
            &[DENO, SPDX, ISSUU],
        ),
        encrypted(
            "apps/keepassxc-kdbx3.kdbx",
            "test",
            &[
                DENO,
                SPDX,
                "Old Bank|carol|totp 30|SHA1|8|7ELGJSGXNCCTV3O6LKJWYFV2RA",
                "Steam|Sophia|steam|SHA1|5|JRZCL47CMXVOQMNPZR2F7J4RGI",
                WWE,
            ],
        ),
        encrypted("aegis-encrypted-v3.json", "import test passphrase", FOUR),
        encrypted("2fas-encrypted.2fas", "import test passphrase", FOUR),
        encrypted("andotp-encrypted.json.aes", "import test passphrase", FOUR),
        Case {
            file: "andotp-encrypted-old.json.aes",
            passphrase: Some("import test passphrase"),
            format: Some("andotp"),
            rows: FOUR,
        },
    ] {
        check(&c);
    }
}

/// What a new user sees with files Latchkey cannot take: the app named, nothing imported, and
/// no passphrase asked of a file that has none.
#[test]
fn refusals_name_the_app_and_ask_no_passphrase_in_vain() {
    let env = Env::new();
    env.ok(&["init", "--passphrase-stdin"], Some(VAULT));
    let vault = std::fs::read(env.bus.vault_path()).expect("vault");
    // A SQLite database of another app: named as such, no passphrase prompt (stdin untouched).
    let db = env.root().join("other.db");
    std::process::Command::new("sqlite3")
        .arg(&db)
        .arg("CREATE TABLE notes (id INTEGER, body TEXT); INSERT INTO notes VALUES (1, 'x');")
        .status()
        .expect("sqlite3 runs");
    let db = db.to_string_lossy().to_string();
    let (_, stderr) = env.fails_with(&["import", &db, "--passphrase-stdin"], Some("unused\n"), 1);
    assert!(
        stderr.contains("a SQLite database (tables: notes)"),
        "{stderr}"
    );
    assert!(stderr.contains("Microsoft Authenticator"), "{stderr}");
    assert!(stderr.contains("--format"), "{stderr}");
    // Random binary data is not taken for an andOTP backup.
    let noise = env.root().join("noise.bin");
    std::fs::write(&noise, [0x41u8, 0x00, 0xff, 0x48].repeat(64)).expect("write");
    let (_, stderr) = env.fails(&["import", &noise.to_string_lossy()], 1);
    assert!(stderr.contains("binary data"), "{stderr}");
    assert!(!stderr.contains("andOTP export asks"), "{stderr}");
    // A wrong passphrase is its own error, naming the app (exit code 6).
    let (_, stderr) = env.fails_with(
        &[
            "import",
            &fixture("apps/stratum-encrypted.bin"),
            "--passphrase-stdin",
        ],
        Some("wrong\n"),
        6,
    );
    assert!(
        stderr.contains("wrong passphrase for the Stratum export"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(env.bus.vault_path()).expect("vault"), vault);
}

/// Google Authenticator transfer codes: exported (as URIs and as a PNG of QR codes), they bring
/// the same accounts into another vault; accounts the format cannot carry are named.
#[test]
fn google_transfer_codes_carry_accounts_to_another_vault() {
    let accounts: String = (0..12)
        .map(|n| match n % 3 {
            0 => format!("otpauth://hotp/Bank{n}:carol?secret=MFRGGZDFMZTWQ2LK&algorithm=SHA512&digits=8&counter={n}\n"),
            1 => format!("otpauth://totp/GitHub{n}:alice?secret=JBSWY3DPEHPK3PXP\n"),
            _ => format!("otpauth://totp/Corp{n}:bob?secret=GEZDGNBVGY3TQOJQ&algorithm=SHA256\n"),
        })
        .collect();
    let export = |env: &Env, format: &str, out: Option<&str>| env.export_plain(format, VAULT, out);
    let source = Env::new();
    source.ok(&["init", "--passphrase-stdin"], Some(VAULT));
    source.ok(&["import", "-"], Some(&accounts));
    let uris = export(&source, "uris", None);
    let google = export(&source, "google-uris", None);
    assert_eq!(google.lines().count(), 2, "12 accounts: codes of 10 and 2");
    assert!(
        google
            .lines()
            .all(|l| l.starts_with("otpauth-migration://offline?data="))
    );
    let png = source.root().join("google.png");
    let png = png.to_string_lossy().to_string();
    export(&source, "google", Some(&png));

    for (what, input) in [("URIs", None), ("QR image", Some(png.as_str()))] {
        let target = Env::new();
        target.ok(&["init", "--passphrase-stdin"], Some(VAULT));
        match input {
            None => target.ok(&["import", "-"], Some(&google)),
            Some(file) => target.ok(&["import", file], None),
        };
        assert_eq!(export(&target, "uris", None), uris, "{what}");
    }

    source.ok(
        &[
            "import",
            "otpauth://steam/Steam:dave?secret=ONSWG4TFOQYTEMY",
        ],
        None,
    );
    let (_, stderr) = source.fails_with(
        &[
            "export",
            "--format",
            "google-uris",
            "--plaintext",
            "--yes",
            "--passphrase-stdin",
        ],
        Some(VAULT),
        1,
    );
    assert!(stderr.contains("Steam:dave"), "{stderr}");
    assert!(stderr.contains("--format qr"), "{stderr}");
}

/// GNOME Authenticator's and OTPClient's exports (Aegis, andOTP, URI formats with their own
/// quirks), through the CLI.
#[test]
fn linux_desktop_authenticators_exports() {
    const FOUR_DESKTOP: &[&str] = &[DENO, SPDX, AIR_CANADA, BOEING];
    const THREE_DESKTOP: &[&str] = &[DENO, SPDX, AIR_CANADA];
    const OTPCLIENT: &[&str] = &[
        DENO,
        SPDX,
        AIR_CANADA,
        BOEING,
        "|nobody@example.com|totp 50|SHA512|8|7ELGJSGXNCCTV3O6LKJWYFV2RA",
    ];
    for c in [
        case("desktop/gnome-authenticator-aegis.json", FOUR_DESKTOP),
        encrypted(
            "desktop/gnome-authenticator-aegis-encrypted.json",
            "test",
            FOUR_DESKTOP,
        ),
        case("desktop/gnome-authenticator-andotp.json", THREE_DESKTOP),
        case("desktop/gnome-authenticator-uris.txt", THREE_DESKTOP),
        case("desktop/otpclient-aegis.json", OTPCLIENT),
        encrypted("desktop/otpclient-aegis-encrypted.json", "test", OTPCLIENT),
    ] {
        check(&c);
    }
}
