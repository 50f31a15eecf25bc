//! Reading `otpauth://` URIs; the decisions are listed in the parent module's documentation.

use super::percent::{Plus, decode};
use super::{UriAccount, UriError, echo};
use crate::otp::{Algorithm, DIGITS_RANGE, Kind, MAX_PERIOD, OtpParams, STEAM_DIGITS, Secret};

/// The host part of the URI.
#[derive(Clone, Copy, PartialEq, Eq)]
enum UriType {
    Totp,
    Hotp,
    Steam,
}

/// The known query parameters, still percent-encoded (so the secret is decoded exactly once).
#[derive(Default)]
struct Query<'a> {
    secret: Option<&'a str>,
    issuer: Option<&'a str>,
    algorithm: Option<&'a str>,
    digits: Option<&'a str>,
    period: Option<&'a str>,
    counter: Option<&'a str>,
    encoder: Option<&'a str>,
}

impl<'a> Query<'a> {
    /// Splits `a=1&b=2`, keeping known names (case-insensitive) and refusing repeats of them.
    fn split(query: &'a str) -> Result<Self, UriError> {
        let mut out = Self::default();
        for piece in query.split('&').filter(|piece| !piece.is_empty()) {
            let (raw_name, raw_value) = piece.split_once('=').unwrap_or((piece, ""));
            let name = decode(raw_name, Plus::Space, "parameter name")?.to_ascii_lowercase();
            let slot = match name.as_str() {
                "secret" => &mut out.secret,
                "issuer" => &mut out.issuer,
                "algorithm" => &mut out.algorithm,
                "digits" => &mut out.digits,
                "period" => &mut out.period,
                "counter" => &mut out.counter,
                "encoder" => &mut out.encoder,
                _ => continue,
            };
            if slot.replace(raw_value).is_some() {
                return Err(UriError::DuplicateParameter(name));
            }
        }
        Ok(out)
    }
}

/// Parses a whole URI; see `super::parse_uri`.
pub(super) fn parse(uri: &str) -> Result<UriAccount, UriError> {
    let uri = uri.trim();
    let (scheme, rest) = uri.split_once(':').ok_or(UriError::NotOtpauth)?;
    if !scheme.eq_ignore_ascii_case("otpauth") {
        return Err(UriError::NotOtpauth);
    }
    let rest = rest
        .strip_prefix("//")
        .ok_or(UriError::Malformed("expected \"//\" after \"otpauth:\""))?;
    if rest.chars().any(char::is_control) {
        return Err(UriError::Malformed("it contains control characters"));
    }
    // A fragment is not part of the key format; ignore it like other apps do.
    let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (host, label) = path.split_once('/').unwrap_or((path, ""));

    let uri_type = uri_type(host)?;
    let (label_issuer, account) = split_label(label)?;
    let query = Query::split(query)?;

    let raw_secret = query.secret.ok_or(UriError::MissingSecret)?;
    let secret = Secret::from_base32(&decode(raw_secret, Plus::Space, "secret")?)
        .map_err(UriError::InvalidSecret)?;

    let issuer = text(query.issuer, "issuer")?
        .filter(|issuer| !issuer.is_empty())
        .or(label_issuer)
        .unwrap_or_default();

    let steam = match text(query.encoder, "encoder")? {
        None => uri_type == UriType::Steam,
        Some(encoder) if encoder.eq_ignore_ascii_case("steam") && uri_type != UriType::Hotp => true,
        Some(encoder) => return Err(UriError::UnsupportedEncoder(echo(&encoder))),
    };
    let params = if steam {
        // Steam fixes SHA-1, 5 characters and 30 s; whatever the URI says about them is moot.
        OtpParams::new(secret, Algorithm::Sha1, STEAM_DIGITS, Kind::Steam)?
    } else {
        let algorithm = match text(query.algorithm, "algorithm")? {
            Some(name) => algorithm(&name)?,
            None => Algorithm::Sha1,
        };
        let digits = match text(query.digits, "digits")? {
            Some(value) => number(&value, &DIGITS_RANGE)
                .ok_or_else(|| UriError::InvalidDigits(echo(&value)))?,
            None => 6,
        };
        let kind = if uri_type == UriType::Hotp {
            let value = text(query.counter, "counter")?.ok_or(UriError::MissingCounter)?;
            let counter = number(&value, &(0..=u64::MAX))
                .ok_or_else(|| UriError::InvalidCounter(echo(&value)))?;
            Kind::Hotp { counter }
        } else {
            let period = match text(query.period, "period")? {
                Some(value) => number(&value, &(1..=MAX_PERIOD))
                    .ok_or_else(|| UriError::InvalidPeriod(echo(&value)))?,
                None => 30,
            };
            Kind::Totp { period }
        };
        OtpParams::new(secret, algorithm, digits, kind)?
    };
    Ok(UriAccount {
        issuer,
        account,
        params,
    })
}

/// Recognises the host part, ignoring case.
fn uri_type(host: &str) -> Result<UriType, UriError> {
    match host.to_ascii_lowercase().as_str() {
        "totp" => Ok(UriType::Totp),
        "hotp" => Ok(UriType::Hotp),
        "steam" => Ok(UriType::Steam),
        _ => Err(UriError::UnknownType(echo(host))),
    }
}

/// Splits the decoded label at its first colon into (issuer prefix, account name).
fn split_label(raw: &str) -> Result<(Option<String>, String), UriError> {
    let label = decode(raw, Plus::Literal, "label")?;
    let (issuer, account) = match label.split_once(':') {
        Some((issuer, account)) => (Some(issuer), account.trim_start_matches(' ')),
        None => (None, label.as_str()),
    };
    if account.trim().is_empty() {
        return Err(UriError::MissingAccount);
    }
    let issuer = issuer
        .filter(|issuer| !issuer.is_empty())
        .map(str::to_owned);
    Ok((issuer, account.to_owned()))
}

/// Decodes a non-secret query value.
fn text(raw: Option<&str>, part: &'static str) -> Result<Option<String>, UriError> {
    raw.map(|raw| decode(raw, Plus::Space, part).map(|value| value.as_str().to_owned()))
        .transpose()
}

/// `SHA1`, `SHA256` or `SHA512` in any case, with or without a hyphen (`SHA-256`).
fn algorithm(name: &str) -> Result<Algorithm, UriError> {
    match name.to_ascii_uppercase().replace('-', "").as_str() {
        "SHA1" => Ok(Algorithm::Sha1),
        "SHA256" => Ok(Algorithm::Sha256),
        "SHA512" => Ok(Algorithm::Sha512),
        _ => Err(UriError::UnknownAlgorithm(echo(name))),
    }
}

/// A plain decimal number within `range`; `None` for anything else (signs and spaces included).
fn number<T: std::str::FromStr + PartialOrd>(
    value: &str,
    range: &std::ops::RangeInclusive<T>,
) -> Option<T> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok().filter(|n| range.contains(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "JBSWY3DPEHPK3PXP";

    #[test]
    fn google_example() {
        let got =
            parse("otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example")
                .unwrap();
        assert_eq!(got.issuer, "Example");
        assert_eq!(got.account, "alice@google.com");
        assert_eq!(got.params.algorithm, Algorithm::Sha1);
        assert_eq!(got.params.digits, 6);
        assert_eq!(got.params.kind, Kind::Totp { period: 30 });
        assert_eq!(got.params.secret, Secret::from_base32(SECRET).unwrap());
    }

    #[test]
    fn issuer_parameter_wins_and_label_spaces_are_trimmed() {
        let got =
            parse("otpauth://totp/Old%20Name%3A%20%20bob?secret=JBSWY3DPEHPK3PXP&issuer=New+Name")
                .unwrap();
        assert_eq!(
            (got.issuer.as_str(), got.account.as_str()),
            ("New Name", "bob")
        );
        let got = parse("otpauth://totp/Acme:bob?secret=JBSWY3DPEHPK3PXP&issuer=").unwrap();
        assert_eq!(got.issuer, "Acme");
        let got = parse("otpauth://totp/a+b?secret=JBSWY3DPEHPK3PXP").unwrap();
        assert_eq!((got.issuer.as_str(), got.account.as_str()), ("", "a+b"));
    }

    #[test]
    fn steam_forms() {
        for uri in [
            "otpauth://steam/Steam:gaben?secret=JBSWY3DPEHPK3PXP&issuer=Steam&digits=5",
            "otpauth://totp/Valve:gaben?secret=JBSWY3DPEHPK3PXP&issuer=Steam&algorithm=SHA1&digits=5&period=30&encoder=steam",
            "OTPAUTH://STEAM/gaben?SECRET=jbswy3dpehpk3pxp&Encoder=Steam",
        ] {
            let got = parse(uri).unwrap();
            assert_eq!(got.params.kind, Kind::Steam, "{uri}");
            assert_eq!(
                (got.params.algorithm, got.params.digits),
                (Algorithm::Sha1, 5)
            );
            assert_eq!(got.account, "gaben");
        }
    }

    #[test]
    fn hotp_and_options() {
        let got = parse("otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP&counter=18446744073709551615&digits=10&algorithm=sha-512&image=http%3A%2F%2Fa&color=red#frag").unwrap();
        assert_eq!(got.params.kind, Kind::Hotp { counter: u64::MAX });
        assert_eq!(
            (got.params.algorithm, got.params.digits),
            (Algorithm::Sha512, 10)
        );
    }

    #[test]
    fn numbers_are_plain_decimal() {
        assert_eq!(number("+6", &(6..=10u8)), None);
        assert_eq!(number(" 6", &(6..=10u8)), None);
        assert_eq!(number("06", &(6..=10u8)), Some(6));
        assert_eq!(number("256", &(6..=10u8)), None);
    }
}
