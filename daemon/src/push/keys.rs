//! The push keys: our device key pair (RSA 4096, as the privacyIDEA Authenticator uses) and the
//! server's public key. RSASSA-PKCS1-v1_5 with SHA-256; signatures travel as padded base32.
//!
//! Crypto is aws-lc-rs (AWS-LC: constant-time RSA key generation, signing and verification,
//! FIPS-validated upstream). The `rsa` crate is avoided because of RUSTSEC-2023-0071 (Marvin
//! timing side channel in its private-key operations, no fixed release); ring cannot generate
//! RSA keys.

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der, PublicKeyX509Der};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{
    KeyPair as _, ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, UnparsedPublicKey,
};
use data_encoding::{BASE32, BASE64};
use zeroize::Zeroizing;

/// Why a key operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("cannot generate the device key")]
    Generate,
    #[error("the stored device key is damaged")]
    BadDeviceKey,
    #[error("the server's public key is not an RSA public key")]
    BadServerKey,
    #[error("signing failed")]
    Sign,
    #[error("the server's signature is not valid base32")]
    SignatureEncoding,
    #[error("the server's signature does not verify")]
    BadSignature,
}

/// Our private key; the PKCS#8 bytes are wiped when dropped. Debug never shows them.
pub struct DeviceKey {
    pair: KeyPair,
}

impl std::fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceKey(<redacted>)")
    }
}

impl DeviceKey {
    /// A fresh RSA 4096 key pair (slow: call off the async dispatcher).
    pub fn generate() -> Result<Self, KeyError> {
        let pair = KeyPair::generate(KeySize::Rsa4096).map_err(|_| KeyError::Generate)?;
        Ok(Self { pair })
    }

    /// Reads a key saved with [`DeviceKey::to_pkcs8_base64`].
    pub fn from_pkcs8_base64(text: &str) -> Result<Self, KeyError> {
        let der = Zeroizing::new(
            BASE64
                .decode(text.as_bytes())
                .map_err(|_| KeyError::BadDeviceKey)?,
        );
        let pair = KeyPair::from_pkcs8(&der).map_err(|_| KeyError::BadDeviceKey)?;
        Ok(Self { pair })
    }

    /// The private key as base64 PKCS#8, for the push store.
    pub fn to_pkcs8_base64(&self) -> Result<Zeroizing<String>, KeyError> {
        let der: Pkcs8V1Der<'static> = self.pair.as_der().map_err(|_| KeyError::BadDeviceKey)?;
        Ok(Zeroizing::new(BASE64.encode(der.as_ref())))
    }

    /// The public key as privacyIDEA wants it: base64 SubjectPublicKeyInfo DER, no PEM armour.
    pub fn public_spki_base64(&self) -> Result<String, KeyError> {
        let der: PublicKeyX509Der<'static> = self
            .pair
            .public_key()
            .as_der()
            .map_err(|_| KeyError::BadDeviceKey)?;
        Ok(BASE64.encode(der.as_ref()))
    }

    /// Signs `text` (UTF-8) and returns the base32 signature privacyIDEA expects.
    pub fn sign(&self, text: &str) -> Result<String, KeyError> {
        let mut sig = vec![0u8; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                text.as_bytes(),
                &mut sig,
            )
            .map_err(|_| KeyError::Sign)?;
        Ok(BASE32.encode(&sig))
    }
}

/// The server's public key: DER (PKCS#1 as privacyIDEA sends it, or SubjectPublicKeyInfo).
#[derive(Clone, PartialEq, Eq)]
pub struct ServerKey {
    der: Vec<u8>,
}

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ServerKey({} bytes)", self.der.len())
    }
}

impl ServerKey {
    /// Reads the key from the enrollment answer: base64 of the PEM body (newlines, headers and
    /// URL-safe characters tolerated). Checked by parsing it as an RSA public key.
    pub fn from_text(text: &str) -> Result<Self, KeyError> {
        let body: String = text
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect::<String>()
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c {
                '-' => '+',
                '_' => '/',
                c => c,
            })
            .collect();
        let der = BASE64
            .decode(body.as_bytes())
            .map_err(|_| KeyError::BadServerKey)?;
        ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &der)
            .map_err(|_| KeyError::BadServerKey)?;
        let key = Self { der };
        Ok(key)
    }

    /// The key as stored: base64 DER.
    pub fn to_base64(&self) -> String {
        BASE64.encode(&self.der)
    }

    /// Checks the server's base32 `signature` over `text`.
    pub fn verify(&self, text: &str, signature: &str) -> Result<(), KeyError> {
        let sig = BASE32
            .decode(signature.trim().as_bytes())
            .map_err(|_| KeyError::SignatureEncoding)?;
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &self.der)
            .verify(text.as_bytes(), &sig)
            .map_err(|_| KeyError::BadSignature)
    }
}
