//! Writing canonical `otpauth://` URIs that `parse` reads back exactly.

use percent_encoding::utf8_percent_encode;
use zeroize::Zeroizing;

use super::percent::COMPONENT;
use crate::otp::{Algorithm, Kind, OtpParams, STEAM_DIGITS, STEAM_PERIOD};

/// Builds the URI; see `super::to_uri`.
///
/// Always spells out `algorithm`, `digits` and `period`/`counter`, because some apps guess
/// wrong defaults. Non-secret parts are encoded first so the output buffer, which holds the
/// secret, can be allocated once at its final size and never reallocated.
pub(super) fn write(issuer: &str, account: &str, params: &OtpParams) -> Zeroizing<String> {
    let account_part = encode(account);
    // The label can carry the issuer only if it has no colon; otherwise the parameter alone
    // carries it, and a leading ':' (empty label issuer) protects colons in the account name.
    let label = if !issuer.is_empty() && !issuer.contains(':') {
        format!("{}:{account_part}", encode(issuer))
    } else if account.contains(':') {
        format!(":{account_part}")
    } else {
        account_part
    };
    let issuer_param = if issuer.is_empty() {
        String::new()
    } else {
        format!("&issuer={}", encode(issuer))
    };
    let (uri_type, options) = match params.kind {
        Kind::Totp { period } => (
            "totp",
            format!(
                "&algorithm={}&digits={}&period={period}",
                name(params.algorithm),
                params.digits
            ),
        ),
        Kind::Hotp { counter } => (
            "hotp",
            format!(
                "&algorithm={}&digits={}&counter={counter}",
                name(params.algorithm),
                params.digits
            ),
        ),
        Kind::Steam => (
            "steam",
            format!(
                "&algorithm={}&digits={STEAM_DIGITS}&period={STEAM_PERIOD}",
                name(Algorithm::Sha1)
            ),
        ),
    };
    let secret = params.secret.to_base32();
    let pieces = [
        "otpauth://",
        uri_type,
        "/",
        &label,
        "?secret=",
        &secret,
        &issuer_param,
        &options,
    ];
    let mut out = Zeroizing::new(String::with_capacity(pieces.iter().map(|p| p.len()).sum()));
    for piece in pieces {
        out.push_str(piece);
    }
    out
}

/// Percent-encodes a label part or parameter value.
fn encode(text: &str) -> String {
    utf8_percent_encode(text, COMPONENT).to_string()
}

/// The spelling Google's format uses for each algorithm.
fn name(algorithm: Algorithm) -> &'static str {
    match algorithm {
        Algorithm::Sha1 => "SHA1",
        Algorithm::Sha256 => "SHA256",
        Algorithm::Sha512 => "SHA512",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otp::Secret;

    #[test]
    fn canonical_forms() {
        let secret = || Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap();
        let totp =
            OtpParams::new(secret(), Algorithm::Sha256, 8, Kind::Totp { period: 60 }).unwrap();
        assert_eq!(
            write("ACME Co", "john.doe@email.com", &totp).as_str(),
            "otpauth://totp/ACME%20Co:john.doe@email.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Co&algorithm=SHA256&digits=8&period=60"
        );
        let hotp = OtpParams::new(secret(), Algorithm::Sha1, 6, Kind::Hotp { counter: 7 }).unwrap();
        assert_eq!(
            write("", "a:b", &hotp).as_str(),
            "otpauth://hotp/:a%3Ab?secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&counter=7"
        );
        let steam = OtpParams::new(secret(), Algorithm::Sha1, 5, Kind::Steam).unwrap();
        let uri = write("Steam", "gaben", &steam);
        assert_eq!(
            uri.as_str(),
            "otpauth://steam/Steam:gaben?secret=JBSWY3DPEHPK3PXP&issuer=Steam&algorithm=SHA1&digits=5&period=30"
        );
        // Sized exactly: no reallocation left a stray copy of the secret behind.
        assert_eq!(uri.capacity(), uri.len());
    }
}
