//! An independent RFC 4226 reference for the HOTP account.

use super::*;

/// An independent RFC 4226 generator for the HOTP account (totp-rs with a one-second step).
pub(crate) struct Hotp(totp_rs::TOTP);

impl Hotp {
    pub(crate) fn new() -> Result<Self> {
        let totp = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 0, 1, RFC4226_SECRET.to_vec())
            .map_err(|e| anyhow!("building the reference HOTP generator: {e}"))?;
        let hotp = Self(totp);
        for (counter, want) in RFC4226_CODES.iter().enumerate() {
            ensure!(
                hotp.code(counter as u64) == *want,
                "the reference generator disagrees with RFC 4226 at counter {counter}"
            );
        }
        Ok(hotp)
    }

    pub(crate) fn code(&self, counter: u64) -> String {
        self.0.generate(counter)
    }
}
