//! The replica file: a header naming the writer, the body sealed under a fresh key that is
//! wrapped for every member device, and the writer's signature over all of it
//! (docs/sync.md, "File format").
//!
//! ```text
//! "LKREPLIC" | u16 version = 1 | u32 N | header (N bytes of JSON) | body ciphertext ‖ tag | Ed25519 signature (64)
//! ```
//!
//! The data key is 32 random bytes per file. For each recipient it is wrapped as age wraps a
//! file key for an X25519 recipient: an ephemeral X25519 key per file, the shared secret through
//! HKDF-SHA256 (salt = ephemeral public ‖ recipient public) into a key-encryption key, and the
//! data key sealed under it. The body is XChaCha20-Poly1305 under the data key with everything
//! before it as associated data; the signature covers every byte before it.

use super::clock::Stamp;
use super::device::{DeviceId, Identity, PublicKeys};
use chacha20poly1305::aead::{Aead, AeadInPlace, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use data_encoding::BASE64;
use ed25519_dalek::{Signature, Signer, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

/// First bytes of every replica file.
pub const MAGIC: &[u8; 8] = b"LKREPLIC";
/// The format version this code writes and reads.
pub const VERSION: u16 = 1;
/// Largest replica file read, in bytes.
pub const MAX_FILE: usize = 32 << 20;
/// Largest header, in bytes.
pub const MAX_HEADER: usize = 64 << 10;
/// Most recipients (member devices) one replica is sealed to.
pub const MAX_RECIPIENTS: usize = 64;
const PREFIX: usize = 8 + 2 + 4;
const TAG: usize = 16;
const SIGNATURE: usize = 64;
const WRAP_INFO: &[u8] = b"latchkey-sync-v1 wrap";

/// Why a replica file was refused. Nothing of a refused file is merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("the file is {0} bytes, more than a replica may be ({MAX_FILE})")]
    TooLarge(usize),
    #[error("the file is truncated or not a replica")]
    Truncated,
    #[error("the file is not a Latchkey replica")]
    NotReplica,
    #[error("the replica has format version {0}, newer than this Latchkey reads")]
    Version(u16),
    #[error("the replica's header is malformed: {0}")]
    Header(String),
    #[error(
        "the replica's signature does not verify: it was altered, or not written by the device it names"
    )]
    Signature,
    #[error("the replica is not sealed for this device")]
    NotForUs,
    #[error("the replica does not decrypt: it was altered")]
    Decrypt,
    #[error("no random numbers from the system: {0}")]
    Random(String),
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    device: DeviceId,
    keys: PublicKeys,
    version: Stamp,
    ephemeral: String,
    nonce: String,
    recipients: Vec<Wrapped>,
    /// Members the writer has forgotten, in clear (authenticated by the signature): the
    /// forgotten device can no longer read a replica, but it learns from this that it was
    /// forgotten, and stops.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    forgotten: Vec<DeviceId>,
    /// Devices whose join request the writer refused (no open invite of its made it), in clear
    /// and signed: the joining device cannot open a replica yet, and learns from this that its
    /// code was wrong.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    refused: Vec<DeviceId>,
}

/// What a replica tells, in its signed header, the devices that cannot open its body.
#[derive(Debug, Clone, Copy, Default)]
pub struct Notices<'a> {
    /// Members the writer has forgotten.
    pub forgotten: &'a [DeviceId],
    /// Devices whose join request the writer refused.
    pub refused: &'a [DeviceId],
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wrapped {
    device: DeviceId,
    key: String,
}

/// What the header says, before anything is verified: who claims to have written the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claim {
    pub device: DeviceId,
    pub keys: PublicKeys,
    pub version: Stamp,
}

/// Seals `body` as `me`'s replica at `version` for `recipients`.
pub fn seal(
    me: &Identity,
    version: Stamp,
    recipients: &[(DeviceId, PublicKeys)],
    notices: &Notices,
    body: &[u8],
) -> Result<Vec<u8>, SealError> {
    let random = |e: std::io::Error| SealError::Random(e.to_string());
    let mut fresh = Zeroizing::new(Fresh {
        data_key: [0; 32],
        ephemeral: [0; 32],
        nonce: [0; 24],
    });
    super::random_fill(&mut fresh.data_key).map_err(random)?;
    super::random_fill(&mut fresh.ephemeral).map_err(random)?;
    super::random_fill(&mut fresh.nonce).map_err(random)?;
    seal_with(me, version, recipients, notices, body, &fresh)
}

/// The values [`seal`] draws at random for each file; fixed only for the test vector.
#[derive(zeroize::Zeroize)]
pub struct Fresh {
    pub data_key: [u8; 32],
    pub ephemeral: [u8; 32],
    pub nonce: [u8; 24],
}

/// [`seal`] with the random values given (the test vector in docs/sync.md).
pub fn seal_with(
    me: &Identity,
    version: Stamp,
    recipients: &[(DeviceId, PublicKeys)],
    notices: &Notices,
    body: &[u8],
    fresh: &Fresh,
) -> Result<Vec<u8>, SealError> {
    let data_key = Zeroizing::new(fresh.data_key);
    let eph = Zeroizing::new(fresh.ephemeral);
    let nonce = fresh.nonce;
    let eph = x25519_dalek::StaticSecret::from(*eph);
    let eph_pub = x25519_dalek::PublicKey::from(&eph).to_bytes();
    let mut wrapped = Vec::with_capacity(recipients.len());
    for (device, keys) in recipients.iter().take(MAX_RECIPIENTS) {
        let shared = eph.diffie_hellman(&x25519_dalek::PublicKey::from(keys.seal));
        let kek = kek(shared.as_bytes(), &eph_pub, &keys.seal).ok_or(SealError::NotForUs)?;
        let sealed = XChaCha20Poly1305::new(kek.as_ref().into())
            .encrypt(&XNonce::default(), data_key.as_slice())
            .map_err(|_| SealError::Decrypt)?;
        wrapped.push(Wrapped {
            device: *device,
            key: BASE64.encode(&sealed),
        });
    }
    let header = Header {
        device: me.id(),
        keys: me.public(),
        version,
        ephemeral: BASE64.encode(&eph_pub),
        nonce: BASE64.encode(&nonce),
        recipients: wrapped,
        forgotten: notices
            .forgotten
            .iter()
            .take(MAX_RECIPIENTS)
            .copied()
            .collect(),
        refused: notices
            .refused
            .iter()
            .take(MAX_RECIPIENTS)
            .copied()
            .collect(),
    };
    let header = serde_json::to_vec(&header).map_err(|e| SealError::Header(e.to_string()))?;
    let mut out = Vec::with_capacity(PREFIX + header.len() + body.len() + TAG + SIGNATURE);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_be_bytes());
    out.extend_from_slice(&(header.len() as u32).to_be_bytes());
    out.extend_from_slice(&header);
    let mut sealed = Zeroizing::new(Vec::with_capacity(body.len() + TAG));
    sealed.extend_from_slice(body);
    XChaCha20Poly1305::new(data_key.as_ref().into())
        .encrypt_in_place(XNonce::from_slice(&nonce), &out, &mut *sealed)
        .map_err(|_| SealError::Decrypt)?;
    out.extend_from_slice(&sealed);
    let signature = me.signing_key().sign(&out);
    out.extend_from_slice(&signature.to_bytes());
    Ok(out)
}

/// A parsed file whose signature and seal are not checked yet.
pub struct Parsed<'a> {
    bytes: &'a [u8],
    header_end: usize,
    header: Header,
}

/// Reads the framing and the header (bounded, no cryptography yet).
pub fn parse(bytes: &[u8]) -> Result<Parsed<'_>, SealError> {
    if bytes.len() > MAX_FILE {
        return Err(SealError::TooLarge(bytes.len()));
    }
    if bytes.len() < 8 {
        return Err(SealError::Truncated);
    }
    if &bytes[..8] != MAGIC {
        return Err(SealError::NotReplica);
    }
    if bytes.len() < PREFIX + TAG + SIGNATURE {
        return Err(SealError::Truncated);
    }
    let version = u16::from_be_bytes([bytes[8], bytes[9]]);
    if version != VERSION {
        return Err(SealError::Version(version));
    }
    let n = u32::from_be_bytes([bytes[10], bytes[11], bytes[12], bytes[13]]) as usize;
    if n == 0 || n > MAX_HEADER || PREFIX + n + TAG + SIGNATURE > bytes.len() {
        return Err(SealError::Truncated);
    }
    let header: Header = serde_json::from_slice(&bytes[PREFIX..PREFIX + n])
        .map_err(|e| SealError::Header(e.to_string()))?;
    if header.keys.id() != header.device {
        return Err(SealError::Header(
            "the keys do not make the device id".into(),
        ));
    }
    if header.recipients.len() > MAX_RECIPIENTS
        || header.forgotten.len() > MAX_RECIPIENTS
        || header.refused.len() > MAX_RECIPIENTS
    {
        return Err(SealError::Header("too many recipients".into()));
    }
    Ok(Parsed {
        bytes,
        header_end: PREFIX + n,
        header,
    })
}

impl Parsed<'_> {
    /// Who the header says wrote the file (not verified).
    pub fn claim(&self) -> Claim {
        Claim {
            device: self.header.device,
            keys: self.header.keys,
            version: self.header.version,
        }
    }

    /// Whether the writer says it forgot `device` (meaningful once [`Self::verify`] passed).
    pub fn forgot(&self, device: &DeviceId) -> bool {
        self.header.forgotten.contains(device)
    }

    /// Whether the writer says it refused `device`'s join request (meaningful once
    /// [`Self::verify`] passed).
    pub fn refused(&self, device: &DeviceId) -> bool {
        self.header.refused.contains(device)
    }

    /// Checks the signature with `trusted` (the writer's keys as this device knows them).
    pub fn verify(&self, trusted: &PublicKeys) -> Result<(), SealError> {
        if *trusted != self.header.keys {
            return Err(SealError::Signature);
        }
        let (signed, signature) = self.bytes.split_at(self.bytes.len() - SIGNATURE);
        let key = VerifyingKey::from_bytes(&trusted.sign).map_err(|_| SealError::Signature)?;
        let signature = Signature::from_slice(signature).map_err(|_| SealError::Signature)?;
        key.verify_strict(signed, &signature)
            .map_err(|_| SealError::Signature)
    }

    /// Opens the body with `me`'s key ([`Self::verify`] first).
    pub fn open(&self, me: &Identity) -> Result<Zeroizing<Vec<u8>>, SealError> {
        let id = me.id();
        let stanza = self
            .header
            .recipients
            .iter()
            .find(|w| w.device == id)
            .ok_or(SealError::NotForUs)?;
        let eph: [u8; 32] = BASE64
            .decode(self.header.ephemeral.as_bytes())
            .ok()
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| SealError::Header("bad ephemeral key".into()))?;
        let nonce: [u8; 24] = BASE64
            .decode(self.header.nonce.as_bytes())
            .ok()
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| SealError::Header("bad nonce".into()))?;
        let wrapped = BASE64
            .decode(stanza.key.as_bytes())
            .map_err(|_| SealError::Header("bad wrapped key".into()))?;
        let secret = me.sealing_key();
        let mine = x25519_dalek::PublicKey::from(&secret).to_bytes();
        let shared = secret.diffie_hellman(&x25519_dalek::PublicKey::from(eph));
        let kek = kek(shared.as_bytes(), &eph, &mine).ok_or(SealError::Decrypt)?;
        let data_key = Zeroizing::new(
            XChaCha20Poly1305::new(kek.as_ref().into())
                .decrypt(&XNonce::default(), wrapped.as_slice())
                .map_err(|_| SealError::Decrypt)?,
        );
        if data_key.len() != 32 {
            return Err(SealError::Decrypt);
        }
        let (aad, rest) = self.bytes.split_at(self.header_end);
        let sealed = &rest[..rest.len() - SIGNATURE];
        XChaCha20Poly1305::new(data_key.as_slice().into())
            .decrypt(XNonce::from_slice(&nonce), Payload { msg: sealed, aad })
            .map(Zeroizing::new)
            .map_err(|_| SealError::Decrypt)
    }
}

/// The key-encryption key for one recipient; `None` for a shared secret of zero (a low-order
/// public key, which would make the wrap readable by anyone).
fn kek(shared: &[u8; 32], eph: &[u8; 32], recipient: &[u8; 32]) -> Option<Zeroizing<[u8; 32]>> {
    if shared.iter().all(|b| *b == 0) {
        return None;
    }
    let mut salt = [0u8; 64];
    salt[..32].copy_from_slice(eph);
    salt[32..].copy_from_slice(recipient);
    let mut out = Zeroizing::new([0u8; 32]);
    hkdf::Hkdf::<Sha256>::new(Some(&salt), shared)
        .expand(WRAP_INFO, out.as_mut())
        .ok()?;
    Some(out)
}
