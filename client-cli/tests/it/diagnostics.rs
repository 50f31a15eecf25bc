//! `latchkey diagnostics` against a seeded vault: the report must hold versions and counts, and
//! no passphrase, seed (base32 in any case, or hex), current code or account name.

use crate::common::{Env, FakeTimedated, chmod, mode};
use latchkey_dbus::testing::target_bin;

const PASSPHRASE: &str = "Tr0ub4dor&3 quokka staple";

/// (issuer, account, base32 seed, extra `add` arguments)
const ACCOUNTS: &[(&str, &str, &str, &[&str])] = &[
    (
        "Quokkabank",
        "marguerite.l@example.org",
        "JBSWY3DPEHPK3PXP",
        &[],
    ),
    (
        "Zephyrine",
        "olwen.q",
        "gezdgnbvgy3tqojqgezdgnbvgy3tqojq",
        &["--algorithm", "sha256", "--digits", "8"],
    ),
    (
        "Brambleworth",
        "tiberius_k",
        "KRUGS4ZANFZSAYJAONSWG4TFOQQGQ2LO",
        &["--hotp", "--counter", "3"],
    ),
];
/// Added through an otpauth:// URI.
const URI_ACCOUNT: (&str, &str, &str) =
    ("Vexillum", "ysolde-p", "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U");

/// Decodes RFC 4648 base32 (any case, no padding needed).
fn base32_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut bits, mut value, mut out) = (0u32, 0u64, Vec::new());
    for c in text.trim_end_matches('=').chars() {
        let v = ALPHABET
            .find(c.to_ascii_uppercase())
            .expect("base32 character");
        value = (value << 5) | v as u64;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((value >> bits) as u8);
            value &= (1 << bits) - 1;
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every 10-character window of `secret`, upper-cased: none may appear in the report.
fn windows(secret: &str) -> Vec<String> {
    let s: Vec<char> = secret.to_ascii_uppercase().chars().collect();
    s.windows(10).map(|w| w.iter().collect()).collect()
}

fn codes(env: &Env, ids: &[String]) -> Vec<String> {
    ids.iter()
        .map(|id| env.ok(&["code", id, "-q"], None).trim().to_string())
        .collect()
}

#[test]
fn diagnostics_hold_versions_and_counts_and_nothing_secret_or_personal() {
    let mut env = Env::new();
    env.use_session_bus_as_system_bus();
    let _timedated = FakeTimedated::start(env.bus.address(), true);
    let config_dir = env.root().join("config/latchkey");
    std::fs::create_dir_all(&config_dir).expect("mkdir");
    std::fs::write(
        config_dir.join("config.toml"),
        "log_level = \"latchkeyd=debug\"\n",
    )
    .expect("config");
    let _daemon = env
        .bus
        .spawn_daemon(&target_bin("latchkeyd"))
        .expect("daemon");
    env.ok(
        &["init", "--passphrase-stdin"],
        Some(&format!("{PASSPHRASE}\n")),
    );

    let mut ids = Vec::new();
    for (issuer, account, secret, extra) in ACCOUNTS {
        let mut args = vec![
            "add",
            "--issuer",
            issuer,
            "--account",
            account,
            "--secret",
            secret,
        ];
        args.extend_from_slice(extra);
        ids.push(env.ok(&args, None).trim().to_string());
    }
    let (issuer, account, secret) = URI_ACCOUNT;
    let uri = format!("otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}");
    ids.push(env.ok(&["add", &uri], None).trim().to_string());

    // A log left by run.sh's background daemon, with things that must not survive redaction.
    let stray = "2026-01-01T00:00:00+0000 host latchkeyd[77]: seed JBSWY3DPEHPK3PXP code 492039 uri otpauth://totp/x?secret=ABCD";
    std::fs::write(
        env.root().join("runtime/latchkeyd.log"),
        format!("{stray}\n"),
    )
    .expect("log");

    let before = codes(&env, &ids);
    let report = env.ok(&["diagnostics"], None);
    let after = codes(&env, &ids);

    let status: serde_json::Value =
        serde_json::from_str(&env.ok(&["status", "--json"], None)).expect("json");
    let daemon_version = status["daemon_version"].as_str().expect("version");
    assert!(
        report.contains(&format!("latchkey (CLI): {}", env!("CARGO_PKG_VERSION"))),
        "{report}"
    );
    assert!(
        report.contains(&format!("latchkeyd: {daemon_version}")),
        "{report}"
    );
    assert!(report.contains("- accounts: 4"), "{report}");
    assert!(
        report.contains("- initialized: yes") && report.contains("- locked: no"),
        "{report}"
    );
    assert!(
        report.contains("- kernel: ") && report.contains("- OS: "),
        "{report}"
    );
    assert!(
        report.contains("log_level = \"latchkeyd=debug\""),
        "settings are included: {report}"
    );
    assert!(report.contains("NTP-synchronised"), "{report}");
    assert!(
        report.contains("## Doctor") && report.contains("✓ daemon"),
        "{report}"
    );
    assert!(report.contains("## Daemon log"), "{report}");
    assert!(
        report.contains("latchkeyd[77]: seed [redacted] code [redacted]"),
        "{report}"
    );
    assert!(
        !report.contains(&env.root().join("home").display().to_string()),
        "home is ~"
    );

    assert!(
        !report.contains(PASSPHRASE) && !report.contains("quokka"),
        "passphrase leaked"
    );
    let upper = report.to_ascii_uppercase();
    let lower = report.to_ascii_lowercase();
    let secrets = ACCOUNTS.iter().map(|a| a.2).chain([URI_ACCOUNT.2, "ABCD"]);
    for secret in secrets {
        for w in windows(secret) {
            assert!(!upper.contains(&w), "seed {secret} leaked ({w})");
        }
        let h = hex(&base32_decode(secret));
        assert!(
            h.len() < 16 || !lower.contains(&h[..16]),
            "hex of {secret} leaked"
        );
    }
    assert!(!report.contains("492039"), "code in the log leaked");
    assert!(
        !report.contains("secret=ABCD"),
        "short secret= value leaked"
    );
    for code in before.iter().chain(&after) {
        assert!(!report.contains(code.as_str()), "code {code} leaked");
    }
    let names = ACCOUNTS
        .iter()
        .flat_map(|a| [a.0, a.1])
        .chain([URI_ACCOUNT.0, URI_ACCOUNT.1]);
    for name in names {
        assert!(
            !lower.contains(&name.to_ascii_lowercase()),
            "account name {name} leaked"
        );
    }

    // --output: a new private file; never overwritten without --force.
    let file = env.root().join("report.txt");
    env.ok(
        &["diagnostics", "--output", &file.display().to_string()],
        None,
    );
    assert_eq!(mode(&file), 0o600);
    let written = std::fs::read_to_string(&file).expect("report");
    assert!(written.contains("- accounts: 4") && !written.contains(PASSPHRASE));
    let (_, err) = env.fails(&["diagnostics", "--output", &file.display().to_string()], 1);
    assert!(err.contains("--force"), "{err}");
    chmod(&file, 0o644);
    env.ok(
        &[
            "diagnostics",
            "--output",
            &file.display().to_string(),
            "--force",
        ],
        None,
    );
    assert_eq!(mode(&file), 0o600, "--force leaves a private file too");
}
