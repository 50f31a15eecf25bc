//! Pairing: a one-time invite code from a member, and the join request a new device writes
//! into the folder with it.
//!
//! The code is 20 random-looking bytes in base32 (32 characters in groups of four): 10 bytes of
//! secret and the first 10 bytes of the inviting device's id. The new device proves it holds
//! the code with an HMAC under a key derived from the secret; it trusts the inviting device's
//! replicas because their signing key makes an id that starts with the code's 10 bytes.

use super::device::{DeviceId, PublicKeys};
use data_encoding::{BASE32_NOPAD, BASE64};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

/// Bytes of secret in a code.
const SECRET: usize = 10;
/// Bytes of the inviting device's id in a code.
pub const PREFIX: usize = 10;
/// How long an invite stays valid, in milliseconds.
pub const LIFETIME_MS: u64 = 24 * 60 * 60 * 1000;
/// Most invites open at once.
pub const MAX_OPEN: usize = 8;
/// Largest join request read, in bytes.
pub const MAX_REQUEST: usize = 4096;
/// Most refused join requests a device remembers (and names in its replica's header).
pub const MAX_REFUSED: usize = 16;
const JOIN_INFO: &[u8] = b"latchkey-sync-v1 join";

/// Why a code or a join request is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InviteError {
    #[error(
        "the invite code is not valid: it is 32 letters and digits (dashes and spaces ignored); type it again"
    )]
    Code,
    #[error("the join request is malformed: {0}")]
    Request(String),
    #[error(
        "the join request does not match an open invite (expired, used, or not from this device)"
    )]
    NoInvite,
}

/// Why joining a group did not (or will not) work; each says what to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum JoinError {
    #[error(
        "no computer syncing through this folder made that invite code: check it for a typo (it names the inviting computer), or, if that computer's files have not reached this folder yet, wait until they have and join again"
    )]
    NoInviter,
    #[error(
        "the inviting computer refused this machine: the code matches no open invite there (mistyped, used already, or expired). Make a new invite on it and join again with the new code"
    )]
    Refused,
    #[error(
        "the invite expired before the inviting computer admitted this machine (was it off, or not syncing the folder?). Make a new invite on it and join again with the new code"
    )]
    Expired,
}

/// An open invite, kept in the inviting device's vault until used or expired.
#[derive(Clone, Serialize, Deserialize)]
pub struct Invite {
    #[serde(with = "hex_secret")]
    secret: Zeroizing<[u8; SECRET]>,
    pub expires_ms: u64,
}

impl std::fmt::Debug for Invite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Invite(<redacted>, expires {})", self.expires_ms)
    }
}

/// A code as the joining device holds it.
pub struct Code {
    secret: Zeroizing<[u8; SECRET]>,
    pub inviter: [u8; PREFIX],
}

impl Invite {
    /// A new invite from `inviter`, valid until `now_ms` + [`LIFETIME_MS`]; returns it and its code.
    pub fn new(
        inviter: DeviceId,
        now_ms: u64,
    ) -> Result<(Self, Zeroizing<String>), std::io::Error> {
        let mut secret = Zeroizing::new([0u8; SECRET]);
        super::random_fill(secret.as_mut())?;
        let mut raw = Zeroizing::new([0u8; SECRET + PREFIX]);
        raw[..SECRET].copy_from_slice(secret.as_ref());
        raw[SECRET..].copy_from_slice(&inviter.0[..PREFIX]);
        let plain = Zeroizing::new(BASE32_NOPAD.encode(raw.as_ref()));
        let mut code = Zeroizing::new(String::with_capacity(40));
        for (i, c) in plain.chars().enumerate() {
            if i > 0 && i % 4 == 0 {
                code.push('-');
            }
            code.push(c);
        }
        Ok((
            Self {
                secret,
                expires_ms: now_ms.saturating_add(LIFETIME_MS),
            },
            code,
        ))
    }

    /// Whether `request` was made with this invite's code.
    pub fn admits(&self, request: &Request) -> bool {
        let Ok(proof) = BASE64.decode(request.proof.as_bytes()) else {
            return false;
        };
        mac(&self.secret, request.device, &request.keys)
            .verify_slice(&proof)
            .is_ok()
    }
}

impl Code {
    /// Reads a code as a person types it (any case, dashes and spaces ignored).
    pub fn parse(text: &str) -> Result<Self, InviteError> {
        let clean: Zeroizing<String> = Zeroizing::new(
            text.chars()
                .filter(|c| !matches!(c, '-' | ' ' | '\t'))
                .map(|c| c.to_ascii_uppercase())
                .collect(),
        );
        let raw = Zeroizing::new(
            BASE32_NOPAD
                .decode(clean.as_bytes())
                .map_err(|_| InviteError::Code)?,
        );
        if raw.len() != SECRET + PREFIX {
            return Err(InviteError::Code);
        }
        let mut secret = Zeroizing::new([0u8; SECRET]);
        secret.copy_from_slice(&raw[..SECRET]);
        let mut inviter = [0u8; PREFIX];
        inviter.copy_from_slice(&raw[SECRET..]);
        Ok(Self { secret, inviter })
    }

    /// The join request for the device with `keys`.
    pub fn request(&self, keys: &PublicKeys) -> Request {
        let device = keys.id();
        let proof = mac(&self.secret, device, keys).finalize().into_bytes();
        Request {
            device,
            keys: *keys,
            proof: BASE64.encode(&proof),
        }
    }

    /// Whether `device` is the one that made this code.
    pub fn is_inviter(&self, device: &DeviceId) -> bool {
        device.0[..PREFIX] == self.inviter
    }
}

/// A join request file (`<device>.lkjoin`): the new device's public keys and its proof.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub device: DeviceId,
    pub keys: PublicKeys,
    proof: String,
}

impl Request {
    /// Reads a join request file (bounded; the keys must make the id).
    pub fn parse(bytes: &[u8]) -> Result<Self, InviteError> {
        if bytes.len() > MAX_REQUEST {
            return Err(InviteError::Request("too large".into()));
        }
        let r: Request =
            serde_json::from_slice(bytes).map_err(|e| InviteError::Request(e.to_string()))?;
        if r.keys.id() != r.device {
            return Err(InviteError::Request(
                "the keys do not make the device id".into(),
            ));
        }
        Ok(r)
    }

    /// The file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

fn mac(secret: &[u8; SECRET], device: DeviceId, keys: &PublicKeys) -> Hmac<Sha256> {
    // A key of SHA-256's block size, so HMAC takes it as it is.
    let mut key = Zeroizing::new([0u8; 64]);
    // HKDF-Expand to 64 bytes (far below its limit) cannot fail.
    let _ = hkdf::Hkdf::<Sha256>::new(None, secret).expand(JOIN_INFO, key.as_mut());
    let mut m = <Hmac<Sha256> as hmac::digest::KeyInit>::new(&(*key).into());
    m.update(b"LKJOIN1");
    m.update(&device.0);
    m.update(&keys.sign);
    m.update(&keys.seal);
    m
}

mod hex_secret {
    use super::*;
    use data_encoding::HEXLOWER;
    use serde::{Deserializer, Serializer, de};
    pub fn serialize<S: Serializer>(v: &Zeroizing<[u8; SECRET]>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&Zeroizing::new(HEXLOWER.encode(v.as_ref())))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Zeroizing<[u8; SECRET]>, D::Error> {
        let text = Zeroizing::new(String::deserialize(d)?);
        let raw = Zeroizing::new(
            HEXLOWER
                .decode(text.as_bytes())
                .map_err(|_| de::Error::custom("an invite secret is hex"))?,
        );
        if raw.len() != SECRET {
            return Err(de::Error::custom("an invite secret is 10 bytes"));
        }
        let mut out = Zeroizing::new([0u8; SECRET]);
        out.copy_from_slice(&raw);
        Ok(out)
    }
}
