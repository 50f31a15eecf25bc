//! The shared secret of an account: zeroized on drop, never printed, base32 in and out.

use zeroize::Zeroizing;

/// Raw secret bytes. `Debug` prints `<redacted>`; serde uses base32 (the vault body's form).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<Vec<u8>>);

/// Why a base32 secret was refused; never contains the secret itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("the secret is empty")]
    Empty,
    #[error("the secret is not valid base32: unexpected character at position {position}")]
    InvalidCharacter { position: usize },
    #[error("the secret is not valid base32: its length does not fit whole bytes")]
    InvalidLength,
}

impl Secret {
    /// Wraps raw bytes (e.g. from an import) without copying them elsewhere.
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(Zeroizing::new(bytes))
    }
    /// Decodes base32 as people paste it: any case, with or without `=` padding, spaces ignored.
    pub fn from_base32(text: &str) -> Result<Self, SecretError> {
        todo!("otp helper")
    }
    /// Unpadded upper-case base32, the form otpauth URIs use.
    pub fn to_base32(&self) -> Zeroizing<String> {
        todo!("otp helper")
    }
    /// The raw bytes, for HMAC.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

// Placeholder so the crate compiles while the otp module is a stub; replaced by the real base32 impls.
impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, _serializer: S) -> Result<S::Ok, S::Error> {
        todo!("otp helper")
    }
}

// Placeholder so the crate compiles while the otp module is a stub; replaced by the real base32 impls.
impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(_deserializer: D) -> Result<Self, D::Error> {
        todo!("otp helper")
    }
}
