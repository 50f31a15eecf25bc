//! `latchkey import` end to end: the real CLI and daemon on a private bus, with the fixtures
//! core/tests/data/import/make_fixtures.py built independently of our code.

use crate::common::Env;

const PASS: &str = "import test passphrase\n";

fn fixture(name: &str) -> String {
    format!(
        "{}/../core/tests/data/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("valid JSON")
}

/// `import --json` → (added, skipped, failed) counts.
fn counts(v: &serde_json::Value) -> (usize, usize, usize) {
    let n = |k: &str| v[k].as_array().map(Vec::len).unwrap_or(usize::MAX);
    (n("added"), n("skipped"), n("failed"))
}

fn accounts(env: &Env) -> usize {
    json(&env.ok(&["list", "--json"], None))
        .as_array()
        .map(Vec::len)
        .unwrap_or_default()
}

fn initialized() -> Env {
    let env = Env::new();
    env.ok(&["init", "--passphrase-stdin"], Some("vault pass\n"));
    env
}

#[test]
fn fixtures_import_and_duplicates_are_skipped() {
    let env = initialized();
    let plain = fixture("aegis-plain-v2.json");

    let dry = json(&env.ok(&["import", &plain, "--dry-run", "--json"], None));
    assert_eq!(counts(&dry), (4, 0, 0));
    assert_eq!(dry["added"][0]["id"], "", "a dry run makes no ids");
    assert_eq!(accounts(&env), 0, "--dry-run adds nothing");

    let first = json(&env.ok(&["import", &plain, "--json"], None));
    assert_eq!(counts(&first), (4, 0, 0));
    assert_eq!(first["added"][1]["issuer"], "Corp");
    assert_eq!(accounts(&env), 4);
    let again = env.ok(&["import", &plain], None);
    assert!(again.contains("Skipped 4 duplicate(s)"), "{again}");
    assert!(again.contains("already in the vault as"), "{again}");

    // The encrypted export holds the same accounts: all duplicates.
    let enc = fixture("aegis-encrypted-v3.json");
    let out = json(&env.ok(
        &["import", &enc, "--passphrase-stdin", "--json"],
        Some(PASS),
    ));
    assert_eq!(counts(&out), (0, 4, 0));
    // Google: GitHub (alice) is the same account; the other three are new.
    let google = json(&env.ok(
        &["import", &fixture("google-migration.txt"), "--json"],
        None,
    ));
    assert_eq!(counts(&google), (3, 1, 0));
    let uris = json(&env.ok(&["import", &fixture("uris.txt"), "--json"], None));
    assert_eq!(counts(&uris), (0, 3, 0));
    assert_eq!(accounts(&env), 7);

    // A URI on the command line, twice in one list from stdin: the second is skipped.
    let uri = "otpauth://totp/New:zoe?secret=GEZDGNBVGY3TQOJQ";
    let stdin = format!("{uri}\n{uri}\n");
    let out = json(&env.ok(&["import", "-", "--json"], Some(&stdin)));
    assert_eq!(counts(&out), (1, 1, 0));
    assert_eq!(out["skipped"][0]["duplicate_of"], "entry 1");
    assert_eq!(accounts(&env), 8);
}

#[test]
fn encrypted_aegis_passphrase() {
    let env = initialized();
    let enc = fixture("aegis-encrypted-v2.json");
    let vault = std::fs::read(env.bus.vault_path()).expect("vault");
    let out = env.run(&["import", &enc, "--passphrase-stdin"], Some("wrong\n"));
    assert_eq!(out.status.code(), Some(6), "wrong passphrase exit code");
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrong passphrase for the Aegis export"));
    assert_eq!(std::fs::read(env.bus.vault_path()).expect("vault"), vault);
    let text = env.ok(&["import", &enc, "--passphrase-stdin"], Some(PASS));
    assert!(text.contains("Added 2 account(s)"), "{text}");
    assert!(
        text.contains("Note: 1 Aegis entry had notes or groups"),
        "{text}"
    );
}

#[test]
fn one_bad_entry_adds_nothing() {
    let env = initialized();
    env.ok(&["import", &fixture("uris.txt")], None);
    let vault = std::fs::read(env.bus.vault_path()).expect("vault");
    let (stdout, stderr) = env.fails(&["import", &fixture("aegis-bad-entry.json")], 1);
    assert!(
        stdout.contains("entry 3: Old (frank): unsupported algorithm MD5"),
        "{stdout}"
    );
    assert!(stderr.contains("nothing was imported"), "{stderr}");
    assert!(!stdout.contains("Added"), "{stdout}");
    assert_eq!(accounts(&env), 3);
    assert_eq!(
        std::fs::read(env.bus.vault_path()).expect("vault"),
        vault,
        "the vault file is byte-identical after a failed import"
    );
    let (stdout, _) = env.fails(&["import", &fixture("google-md5.txt"), "--json"], 1);
    assert_eq!(
        counts(&json(&stdout)),
        (0, 1, 1),
        "GitHub (alice) is already there"
    );
    // Whole-file faults name the format and the fault.
    let (_, stderr) = env.fails(&["import", "otpauth-migration://offline?data=%%"], 1);
    assert!(
        stderr.contains("Google Authenticator: the data parameter"),
        "{stderr}"
    );
    let (_, stderr) = env.fails(&["import", &fixture("uris.txt"), "--format", "2fas"], 1);
    assert!(stderr.contains("2FAS: not a 2FAS backup"), "{stderr}");
    assert_eq!(std::fs::read(env.bus.vault_path()).expect("vault"), vault);
    env.ok(&["lock"], None);
    let (_, stderr) = env.fails(&["import", &fixture("uris.txt")], 3);
    assert!(stderr.contains("locked"), "{stderr}");
}
