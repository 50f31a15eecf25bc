//! `otpauth://` URIs (Google's Key Uri Format) in both directions, with a specific error for each fault.

use super::OtpParams;
use zeroize::Zeroizing;

/// An account as an otpauth URI describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UriAccount {
    pub issuer: String,
    pub account: String,
    pub params: OtpParams,
}

/// Why a URI was refused. Messages name the fault and never echo the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UriError {
    #[error("placeholder")]
    Placeholder,
}

/// Parses an `otpauth://totp|hotp|steam/...` URI.
pub fn parse_uri(uri: &str) -> Result<UriAccount, UriError> {
    todo!("otp helper")
}

/// Writes the canonical URI for an account (for export and QR codes).
pub fn to_uri(issuer: &str, account: &str, params: &OtpParams) -> Zeroizing<String> {
    todo!("otp helper")
}
