//! A table of malformed otpauth URIs, each with the specific error it must get.

use super::*;

#[test]
fn malformed_uris_get_specific_errors() {
    let cases: Vec<(String, UriError)> = vec![
        (
            format!("https://totp/a?secret={SECRET}"),
            UriError::NotOtpauth,
        ),
        (SECRET.into(), UriError::NotOtpauth),
        (
            format!("otpauth:totp/a?secret={SECRET}"),
            UriError::Malformed("expected \"//\" after \"otpauth:\""),
        ),
        (
            format!("otpauth://totp/a\nb?secret={SECRET}"),
            UriError::Malformed("it contains control characters"),
        ),
        (
            format!("otpauth://foo/a?secret={SECRET}"),
            UriError::UnknownType("foo".into()),
        ),
        (
            format!("otpauth:///a?secret={SECRET}"),
            UriError::UnknownType(String::new()),
        ),
        (
            format!("otpauth://totp/?secret={SECRET}"),
            UriError::MissingAccount,
        ),
        (
            format!("otpauth://totp?secret={SECRET}"),
            UriError::MissingAccount,
        ),
        (
            format!("otpauth://totp/Acme:%20?secret={SECRET}"),
            UriError::MissingAccount,
        ),
        (
            "otpauth://totp/Acme:bob?issuer=Acme".into(),
            UriError::MissingSecret,
        ),
        (
            "otpauth://totp/Acme:bob?secret=JBSWY3DP!HPK3PXP".into(),
            UriError::InvalidSecret(SecretError::InvalidCharacter { position: 9 }),
        ),
        (
            "otpauth://totp/Acme:bob?secret=JBSWY3DPE".into(),
            UriError::InvalidSecret(SecretError::InvalidLength),
        ),
        (
            "otpauth://totp/Acme:bob?secret=".into(),
            UriError::InvalidSecret(SecretError::Empty),
        ),
        (
            format!("otpauth://totp/a?secret={SECRET}&algorithm=MD5"),
            UriError::UnknownAlgorithm("MD5".into()),
        ),
        (
            format!("otpauth://totp/a?secret={SECRET}&digits=5"),
            UriError::InvalidDigits("5".into()),
        ),
        (
            format!("otpauth://totp/a?secret={SECRET}&digits=11"),
            UriError::InvalidDigits("11".into()),
        ),
        (
            format!("otpauth://totp/a?secret={SECRET}&digits=six"),
            UriError::InvalidDigits("six".into()),
        ),
        (
            format!("otpauth://totp/a?secret={SECRET}&period=0"),
            UriError::InvalidPeriod("0".into()),
        ),
        (
            format!("otpauth://totp/a?secret={SECRET}&period=86401"),
            UriError::InvalidPeriod("86401".into()),
        ),
        (
            format!("otpauth://totp/a?secret={SECRET}&period=-30"),
            UriError::InvalidPeriod("-30".into()),
        ),
        (
            format!("otpauth://hotp/a?secret={SECRET}"),
            UriError::MissingCounter,
        ),
        (
            format!("otpauth://hotp/a?secret={SECRET}&counter=x1"),
            UriError::InvalidCounter("x1".into()),
        ),
        (
            format!("otpauth://hotp/a?secret={SECRET}&counter=18446744073709551616"),
            UriError::InvalidCounter("18446744073709551616".into()),
        ),
        (
            format!("otpauth://totp/a?secret={SECRET}&encoder=foo"),
            UriError::UnsupportedEncoder("foo".into()),
        ),
        (
            format!("otpauth://hotp/a?secret={SECRET}&counter=1&encoder=steam"),
            UriError::UnsupportedEncoder("steam".into()),
        ),
        (
            format!("otpauth://totp/a?secret={SECRET}&secret={SECRET}"),
            UriError::DuplicateParameter("secret".into()),
        ),
        (
            format!("otpauth://totp/a?Digits=6&secret={SECRET}&digits=6"),
            UriError::DuplicateParameter("digits".into()),
        ),
        (
            format!("otpauth://totp/a%ZZ?secret={SECRET}"),
            UriError::BadPercentEncoding("label"),
        ),
        (
            "otpauth://totp/a?secret=JBSWY3DP%G1HPK3PXP".into(),
            UriError::BadPercentEncoding("secret"),
        ),
        (
            format!("otpauth://totp/a?secret={SECRET}&issuer=%"),
            UriError::BadPercentEncoding("issuer"),
        ),
        (
            format!("otpauth://totp/a%FF?secret={SECRET}"),
            UriError::NotUtf8("label"),
        ),
        (
            "otpauth://totp/a?secret=JBSWY3DP%FFHPK3PXP".into(),
            UriError::NotUtf8("secret"),
        ),
        (
            format!("otpauth://totp/a?secret={}", "A".repeat(1640)),
            UriError::Params(ParamError::SecretTooLong(1025)),
        ),
    ];
    for (uri, want) in cases {
        let got = parse_uri(&uri);
        assert_eq!(got.as_ref().map(|_| ()), Err(&want), "{uri}");
        let message = want.to_string();
        for fragment in [SECRET, "JBSWY3DP", "jbswy3dp", "HPK3PXP"] {
            assert!(!message.contains(fragment), "{uri} -> {message}");
        }
    }
}
