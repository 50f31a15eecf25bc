//! otpauth URIs: property-based round trips, a table of malformed URIs, and secret hygiene.
//! The table lives in [`malformed`].

mod malformed;

use latchkey_core::otp::{
    Algorithm, Kind, OtpParams, ParamError, Secret, SecretError, UriAccount, UriError, parse_uri,
    to_uri,
};
use proptest::prelude::*;

const SECRET: &str = "JBSWY3DPEHPK3PXP";

/// Characters that need escaping somewhere in a URI, plus non-ASCII ones.
const AWKWARD: &str = "[a-zA-Z0-9 %&?#/+=@.~:;,!'()*\\[\\]$é€日本😀-]";

/// A string strategy from a regex written at run time.
fn regex(pattern: &str) -> BoxedStrategy<String> {
    proptest::string::string_regex(pattern).unwrap().boxed()
}

fn issuer() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        regex(&format!("{AWKWARD}{{1,16}}")),
        // Google's spec says issuers have no colon; the common case gets extra weight.
        regex("[^:\\p{C}]{1,12}"),
        regex("\\PC{1,12}"),
    ]
}

/// Account names are non-empty and do not start with a space (the label syntax trims those).
fn account() -> impl Strategy<Value = String> {
    prop_oneof![
        regex(&format!("[^\\s\\p{{C}}]{AWKWARD}{{0,16}}")),
        regex("[^\\s\\p{C}]\\PC{0,12}"),
    ]
}

fn algorithm() -> impl Strategy<Value = Algorithm> {
    prop_oneof![
        Just(Algorithm::Sha1),
        Just(Algorithm::Sha256),
        Just(Algorithm::Sha512)
    ]
}

fn secret_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        8 => proptest::collection::vec(any::<u8>(), 1..=64),
        1 => proptest::collection::vec(any::<u8>(), 65..=1024),
    ]
}

fn params() -> impl Strategy<Value = OtpParams> {
    let kind = prop_oneof![
        (1..=86_400u32).prop_map(|period| Kind::Totp { period }),
        prop_oneof![Just(30u32), Just(60)].prop_map(|period| Kind::Totp { period }),
        any::<u64>().prop_map(|counter| Kind::Hotp { counter }),
        Just(Kind::Steam),
    ];
    (secret_bytes(), algorithm(), 6..=10u8, kind).prop_map(|(secret, algorithm, digits, kind)| {
        let secret = Secret::from_bytes(secret);
        match kind {
            Kind::Steam => OtpParams::new(secret, Algorithm::Sha1, 5, kind).unwrap(),
            _ => OtpParams::new(secret, algorithm, digits, kind).unwrap(),
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn round_trip(issuer in issuer(), account in account(), params in params()) {
        let uri = to_uri(&issuer, &account, &params);
        let parsed = parse_uri(&uri);
        let want = UriAccount { issuer, account, params };
        prop_assert_eq!(parsed, Ok(want), "uri: {}", uri.as_str());
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,80}", tail in "\\PC{0,40}") {
        let _ = parse_uri(&text);
        let _ = parse_uri(&format!("otpauth://totp/{text}"));
        let _ = parse_uri(&format!("otpauth://hotp/a?secret={SECRET}&{tail}"));
    }

    #[test]
    fn broken_uris_never_echo_the_secret(
        params in params(),
        cut in any::<prop::sample::Index>(),
        junk in "[%:?&#=/ ]{1,3}",
        at in any::<prop::sample::Index>(),
    ) {
        prop_assume!(params.secret.len() >= 10);
        let secret = params.secret.to_base32();
        let uri = to_uri("Issuer", "someone", &params);
        let truncated = &uri[..cut.index(uri.len())];
        let mut spliced = uri.as_str().to_owned();
        let mut position = at.index(spliced.len());
        while !spliced.is_char_boundary(position) {
            position -= 1;
        }
        spliced.insert_str(position, &junk);
        for broken in [truncated, spliced.as_str()] {
            if let Err(err) = parse_uri(broken) {
                let message = err.to_string();
                prop_assert!(!message.contains(secret.as_str()), "{message}");
                let debug = format!("{err:?}");
                prop_assert!(!debug.contains(secret.as_str()), "{}", debug);
            }
        }
    }
}

#[test]
fn echoed_values_are_cut_short() {
    let long = "X".repeat(500);
    let err = parse_uri(&format!(
        "otpauth://totp/a?secret={SECRET}&algorithm={long}"
    ))
    .unwrap_err();
    assert!(err.to_string().len() < 120, "{err}");
}

#[test]
fn pasted_secret_forms_are_accepted() {
    let want = Secret::from_base32(SECRET).unwrap();
    for form in [
        "jbswy3dpehpk3pxp",
        "JBSW%20Y3DP+EHPK%203PXP",
        "jbsw-y3dp-ehpk-3pxp",
        "JBSWY3DPEHPK3PXP%3D%3D%3D",
    ] {
        let account = parse_uri(&format!("otpauth://totp/a?secret={form}")).unwrap();
        assert_eq!(account.params.secret, want, "{form}");
    }
    let padded = parse_uri("otpauth://totp/a?secret=MZXW6===").unwrap();
    assert_eq!(padded.params.secret.as_bytes(), b"foo");
}

#[test]
fn lenient_where_other_apps_are() {
    let account =
        parse_uri(" OTPAUTH://TOTP/ACME%20Co%3Ajohn.doe%40email.com?SECRET=jbswy3dpehpk3pxp&Algorithm=sha256&digits=8&period=60&image=https%3A%2F%2Fx.invalid%2Fa.png&color=ff0000#x \n").unwrap();
    assert_eq!(account.issuer, "ACME Co");
    assert_eq!(account.account, "john.doe@email.com");
    assert_eq!(
        (account.params.algorithm, account.params.digits),
        (Algorithm::Sha256, 8)
    );
    assert_eq!(account.params.kind, Kind::Totp { period: 60 });
    // The issuer parameter wins over a different label prefix.
    let account = parse_uri(&format!(
        "otpauth://totp/Old:bob?secret={SECRET}&issuer=New"
    ))
    .unwrap();
    assert_eq!(
        (account.issuer.as_str(), account.account.as_str()),
        ("New", "bob")
    );
}

#[test]
fn debug_output_never_shows_the_secret_or_code() {
    let account = parse_uri(&format!("otpauth://totp/Acme:bob?secret={SECRET}")).unwrap();
    let code = account.params.time_code(59).unwrap();
    let bytes = format!("{:?}", account.params.secret.as_bytes());
    for debug in [
        format!("{account:?}"),
        format!("{:?}", account.params),
        format!("{:?}", account.params.secret),
        format!("{code:?}"),
        format!("{account:#?}"),
    ] {
        assert!(!debug.contains(SECRET), "{debug}");
        assert!(!debug.contains(&bytes), "{debug}");
        assert!(!debug.contains(code.code.as_str()), "{debug}");
        assert!(
            debug.contains("redacted") || debug.contains("Code"),
            "{debug}"
        );
    }
}
