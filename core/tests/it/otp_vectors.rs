//! Published test vectors: RFC 4226 (HOTP), RFC 6238 (TOTP), Steam Guard, window edges, 10 digits.

use latchkey_core::otp::{Algorithm, Kind, OtpError, OtpParams, ParamError, Secret};

/// RFC 4226 Appendix D / RFC 6238 Appendix B seeds: "1234567890" repeated to the hash size.
fn rfc_seed(len: usize) -> Secret {
    Secret::from_bytes(b"1234567890".iter().copied().cycle().take(len).collect())
}

fn hotp(digits: u8, algorithm: Algorithm, seed_len: usize) -> OtpParams {
    OtpParams::new(
        rfc_seed(seed_len),
        algorithm,
        digits,
        Kind::Hotp { counter: 0 },
    )
    .unwrap()
}

fn totp(digits: u8, algorithm: Algorithm, seed_len: usize, period: u32) -> OtpParams {
    OtpParams::new(rfc_seed(seed_len), algorithm, digits, Kind::Totp { period }).unwrap()
}

/// RFC 4226 Appendix D: the 31-bit truncated values ("Decimal") and their 6-digit HOTPs.
const RFC4226: [(u64, u32, &str); 10] = [
    (0, 1284755224, "755224"),
    (1, 1094287082, "287082"),
    (2, 137359152, "359152"),
    (3, 1726969429, "969429"),
    (4, 1640338314, "338314"),
    (5, 868254676, "254676"),
    (6, 1918287922, "287922"),
    (7, 82162583, "162583"),
    (8, 673399871, "399871"),
    (9, 645520489, "520489"),
];

#[test]
fn rfc4226_hotp() {
    let params = hotp(6, Algorithm::Sha1, 20);
    for (counter, _, want) in RFC4226 {
        let code = params.counter_code(counter).unwrap();
        assert_eq!(code.code.as_str(), want, "counter {counter}");
        assert_eq!(code.window, None);
    }
}

#[test]
fn ten_and_nine_digits_are_the_truncated_value_zero_padded() {
    // A 31-bit value is below 10^10, so a 10-digit code is the whole value, zero-padded;
    // 9 digits is the value mod 10^9. Both come straight from RFC 4226's "Decimal" column.
    let ten = hotp(10, Algorithm::Sha1, 20);
    let nine = hotp(9, Algorithm::Sha1, 20);
    for (counter, value, _) in RFC4226 {
        assert_eq!(
            ten.counter_code(counter).unwrap().code.as_str(),
            format!("{value:010}")
        );
        assert_eq!(
            nine.counter_code(counter).unwrap().code.as_str(),
            format!("{:09}", value % 1_000_000_000)
        );
    }
    // Spot checks written out by hand, including leading zeros.
    assert_eq!(ten.counter_code(2).unwrap().code.as_str(), "0137359152");
    assert_eq!(ten.counter_code(7).unwrap().code.as_str(), "0082162583");
    assert_eq!(nine.counter_code(0).unwrap().code.as_str(), "284755224");
    // The same through TOTP: t = 59 with a 30 s step is counter 1.
    let totp10 = totp(10, Algorithm::Sha1, 20, 30);
    assert_eq!(totp10.time_code(59).unwrap().code.as_str(), "1094287082");
}

#[test]
fn rfc6238_totp() {
    // Appendix B: (time, SHA1, SHA256, SHA512), 8 digits, 30 s step.
    let table: [(u64, &str, &str, &str); 6] = [
        (59, "94287082", "46119246", "90693936"),
        (1111111109, "07081804", "68084774", "25091201"),
        (1111111111, "14050471", "67062674", "99943326"),
        (1234567890, "89005924", "91819424", "93441116"),
        (2000000000, "69279037", "90698825", "38618901"),
        (20000000000, "65353130", "77737706", "47863826"),
    ];
    let sha1 = totp(8, Algorithm::Sha1, 20, 30);
    let sha256 = totp(8, Algorithm::Sha256, 32, 30);
    let sha512 = totp(8, Algorithm::Sha512, 64, 30);
    for (time, want1, want256, want512) in table {
        assert_eq!(
            sha1.time_code(time).unwrap().code.as_str(),
            want1,
            "SHA1 at {time}"
        );
        assert_eq!(
            sha256.time_code(time).unwrap().code.as_str(),
            want256,
            "SHA256 at {time}"
        );
        assert_eq!(
            sha512.time_code(time).unwrap().code.as_str(),
            want512,
            "SHA512 at {time}"
        );
    }
}

#[test]
fn steam_guard() {
    // From KeePassXC's tests/TestTotp.cpp (testSteamTotp): codes produced by the Steam mobile
    // app for a throw-away account whose shared secret is this base32 string.
    let secret = Secret::from_base32("63BEDWCQZKTQWPESARIERL5DTTQFCJTK").unwrap();
    let params = OtpParams::new(secret, Algorithm::Sha1, 5, Kind::Steam).unwrap();
    assert_eq!(params.period(), Some(30));
    let code = params.time_code(1511200518).unwrap();
    assert_eq!(code.code.as_str(), "FR8RV");
    assert_eq!(code.window, Some((1511200500, 1511200530)));
    assert_eq!(params.time_code(1511200714).unwrap().code.as_str(), "9P3VP");
}

#[test]
fn window_boundaries() {
    let params = totp(8, Algorithm::Sha1, 20, 30);
    // Steps 0, 1 and 2 are HOTP counters 0, 1 and 2 (RFC 4226 values mod 10^8).
    for (time, code, window) in [
        (0, "84755224", (0, 30)),
        (29, "84755224", (0, 30)),
        (30, "94287082", (30, 60)),
        (59, "94287082", (30, 60)),
        (60, "37359152", (60, 90)),
    ] {
        let got = params.time_code(time).unwrap();
        assert_eq!(
            (got.code.as_str(), got.window),
            (code, Some(window)),
            "t = {time}"
        );
    }
    let odd = totp(6, Algorithm::Sha1, 20, 7);
    assert_eq!(odd.time_code(20).unwrap().window, Some((14, 21)));
    assert_eq!(odd.time_code(21).unwrap().window, Some((21, 28)));
    // The far future: the end of the window saturates instead of overflowing.
    let day = totp(6, Algorithm::Sha1, 20, 86_400);
    let (start, end) = day.time_code(u64::MAX).unwrap().window.unwrap();
    assert_eq!(start, u64::MAX - u64::MAX % 86_400);
    assert_eq!(end, u64::MAX);
}

#[test]
fn kind_mismatches_and_validation() {
    assert_eq!(
        hotp(6, Algorithm::Sha1, 20).time_code(0),
        Err(OtpError::NotTimeBased)
    );
    assert_eq!(
        totp(6, Algorithm::Sha1, 20, 30).counter_code(0),
        Err(OtpError::NotCounterBased)
    );
    let steam = OtpParams::new(rfc_seed(20), Algorithm::Sha1, 5, Kind::Steam).unwrap();
    assert_eq!(steam.counter_code(0), Err(OtpError::NotCounterBased));
    assert_eq!(hotp(6, Algorithm::Sha1, 20).period(), None);

    let new = |secret: Secret, algorithm, digits, kind| {
        OtpParams::new(secret, algorithm, digits, kind).map(|_| ())
    };
    let t30 = Kind::Totp { period: 30 };
    assert_eq!(
        new(rfc_seed(20), Algorithm::Sha1, 5, t30),
        Err(ParamError::Digits(5))
    );
    assert_eq!(
        new(rfc_seed(20), Algorithm::Sha1, 11, t30),
        Err(ParamError::Digits(11))
    );
    assert_eq!(
        new(rfc_seed(20), Algorithm::Sha1, 6, Kind::Totp { period: 0 }),
        Err(ParamError::Period(0))
    );
    assert_eq!(
        new(
            rfc_seed(20),
            Algorithm::Sha1,
            6,
            Kind::Totp { period: 86_401 }
        ),
        Err(ParamError::Period(86_401))
    );
    assert_eq!(
        new(Secret::from_bytes(vec![]), Algorithm::Sha1, 6, t30),
        Err(ParamError::EmptySecret)
    );
    assert_eq!(
        new(rfc_seed(1025), Algorithm::Sha1, 6, t30),
        Err(ParamError::SecretTooLong(1025))
    );
    assert_eq!(
        new(
            rfc_seed(1024),
            Algorithm::Sha1,
            10,
            Kind::Hotp { counter: u64::MAX }
        ),
        Ok(())
    );
    assert_eq!(
        new(rfc_seed(20), Algorithm::Sha256, 5, Kind::Steam),
        Err(ParamError::SteamParams)
    );
    assert_eq!(
        new(rfc_seed(20), Algorithm::Sha1, 6, Kind::Steam),
        Err(ParamError::SteamParams)
    );

    // Fields are public: a broken value must give an error, not a panic (period 0 would divide
    // by zero, 11 digits would overflow).
    let mut broken = totp(6, Algorithm::Sha1, 20, 30);
    broken.kind = Kind::Totp { period: 0 };
    assert_eq!(
        broken.time_code(5),
        Err(OtpError::InvalidParams(ParamError::Period(0)))
    );
    let mut broken = hotp(6, Algorithm::Sha1, 20);
    broken.digits = 200;
    assert_eq!(
        broken.counter_code(5),
        Err(OtpError::InvalidParams(ParamError::Digits(200)))
    );
}

#[test]
fn params_serde_shape_for_the_vault() {
    let params = totp(8, Algorithm::Sha256, 10, 60);
    let json = serde_json::to_value(&params).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "secret": "GEZDGNBVGY3TQOJQ",
            "algorithm": "sha256",
            "digits": 8,
            "type": "totp",
            "period": 60,
        })
    );
    let back: OtpParams = serde_json::from_value(json).unwrap();
    assert_eq!(back, params);
    for params in [
        hotp(6, Algorithm::Sha1, 20),
        OtpParams::new(rfc_seed(20), Algorithm::Sha1, 5, Kind::Steam).unwrap(),
    ] {
        let text = serde_json::to_string(&params).unwrap();
        assert_eq!(serde_json::from_str::<OtpParams>(&text).unwrap(), params);
        assert_eq!(
            serde_json::from_slice::<OtpParams>(text.as_bytes()).unwrap(),
            params
        );
    }
}
