//! Differential test against oathtool (OATH Toolkit): random keys, hashes, digits, periods and times.
//!
//! The RNG seed is printed and can be pinned with `LATCHKEY_OATH_SEED=<n>` to replay a failure.
//! oathtool is required: this test fails (it does not skip) when it is missing.

use std::process::Command;

use latchkey_core::otp::{Algorithm, Kind, OtpParams, Secret};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const TOTP_CASES: usize = 200;
const HOTP_CASES: usize = 50;

/// The oathtool binary: `$OATHTOOL` if set, else from `PATH`.
fn oathtool() -> Command {
    Command::new(std::env::var_os("OATHTOOL").unwrap_or_else(|| "oathtool".into()))
}

/// Runs oathtool and returns its single line of output.
fn run(args: &[String]) -> String {
    let output = match oathtool().args(args).output() {
        Ok(output) => output,
        Err(err) => panic!(
            "cannot run oathtool ({err}); install it (Debian/Ubuntu: `apt-get install oathtool`) \
             or point $OATHTOOL at it — this test does not skip"
        ),
    };
    assert!(
        output.status.success(),
        "oathtool {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn oath_name(algorithm: Algorithm) -> &'static str {
    match algorithm {
        Algorithm::Sha1 => "sha1",
        Algorithm::Sha256 => "sha256",
        Algorithm::Sha512 => "sha512",
    }
}

fn seed() -> u64 {
    match std::env::var("LATCHKEY_OATH_SEED") {
        Ok(text) => text.parse().expect("LATCHKEY_OATH_SEED must be a u64"),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
    }
}

fn random_key(rng: &mut StdRng) -> Vec<u8> {
    let len = rng.gen_range(10..=64);
    (0..len).map(|_| rng.r#gen()).collect()
}

fn random_algorithm(rng: &mut StdRng) -> Algorithm {
    [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512][rng.gen_range(0..3)]
}

#[test]
fn oathtool_is_the_one_we_expect() {
    // Guards the flags below: RFC 6238's SHA-256 vector through oathtool itself.
    let key = hex(b"12345678901234567890123456789012");
    let args = [
        "--totp=sha256",
        "-d",
        "8",
        "-s",
        "30s",
        "--now",
        "@1111111109",
        &key,
    ];
    assert_eq!(run(&args.map(String::from)), "68084774");
}

#[test]
fn totp_and_hotp_match_oathtool() {
    let seed = seed();
    println!("oathtool differential seed = {seed} (replay with LATCHKEY_OATH_SEED={seed})");
    let mut rng = StdRng::seed_from_u64(seed);
    let mut failures = Vec::new();

    for case in 0..TOTP_CASES {
        let key = random_key(&mut rng);
        let algorithm = random_algorithm(&mut rng);
        let digits = rng.gen_range(6..=8u8);
        let period = match rng.gen_range(0..5) {
            0 => 15,
            1 => 30,
            2 => 60,
            3 => 90,
            _ => rng.gen_range(1..300u32),
        };
        let time = rng.gen_range(0..=4_000_000_000u64);
        let params = OtpParams::new(
            Secret::from_bytes(key.clone()),
            algorithm,
            digits,
            Kind::Totp { period },
        )
        .unwrap();
        let ours = params.time_code(time).unwrap();
        let theirs = run(&[
            format!("--totp={}", oath_name(algorithm)),
            "-d".into(),
            digits.to_string(),
            "-s".into(),
            format!("{period}s"),
            "--now".into(),
            format!("@{time}"),
            hex(&key),
        ]);
        if ours.code.as_str() != theirs {
            failures.push(format!(
                "TOTP case {case}: {algorithm:?} digits={digits} period={period} t={time} key={}: ours {} oathtool {theirs}",
                hex(&key),
                ours.code.as_str()
            ));
        }
        let start = time - time % u64::from(period);
        assert_eq!(ours.window, Some((start, start + u64::from(period))));
    }

    for case in 0..HOTP_CASES {
        let key = random_key(&mut rng);
        let digits = rng.gen_range(6..=8u8);
        // Small, large and full-range counters.
        let counter = match rng.gen_range(0..3) {
            0 => rng.gen_range(0..1000u64),
            1 => rng.gen_range(0..=u64::from(u32::MAX) * 4),
            _ => rng.gen_range(0..=i64::MAX as u64),
        };
        // oathtool's HOTP is HMAC-SHA1 only.
        let params = OtpParams::new(
            Secret::from_bytes(key.clone()),
            Algorithm::Sha1,
            digits,
            Kind::Hotp { counter: 0 },
        )
        .unwrap();
        let ours = params.counter_code(counter).unwrap();
        let theirs = run(&[
            "--hotp".into(),
            "-d".into(),
            digits.to_string(),
            "-c".into(),
            counter.to_string(),
            hex(&key),
        ]);
        if ours.code.as_str() != theirs {
            failures.push(format!(
                "HOTP case {case}: digits={digits} counter={counter} key={}: ours {} oathtool {theirs}",
                hex(&key),
                ours.code.as_str()
            ));
        }
    }

    assert!(
        failures.is_empty(),
        "{} mismatches with oathtool (seed {seed}):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
