//! A device's identity: an Ed25519 key that signs its replicas and an X25519 key that replicas
//! are sealed to, and the id derived from both, so an id cannot be claimed with other keys.

use data_encoding::{BASE64, HEXLOWER};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Length of a device id in bytes (32 hex digits in names and JSON).
pub const ID_LEN: usize = 16;

/// A device's id: the first 16 bytes of SHA-256(signing key ‖ sealing key).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DeviceId(pub [u8; ID_LEN]);

impl DeviceId {
    /// The id as 32 lower-case hex digits (file names, JSON, the CLI).
    pub fn to_hex(&self) -> String {
        HEXLOWER.encode(&self.0)
    }

    /// Parses 32 hex digits (into the id itself: every stamp of a replica holds one, so this
    /// allocates nothing).
    pub fn from_hex(text: &str) -> Option<Self> {
        let mut id = [0u8; ID_LEN];
        if HEXLOWER.decode_len(text.len()).ok()? != ID_LEN {
            return None;
        }
        HEXLOWER.decode_mut(text.as_bytes(), &mut id).ok()?;
        Some(Self(id))
    }
}

impl std::fmt::Debug for DeviceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DeviceId({})", self.to_hex())
    }
}

impl std::fmt::Display for DeviceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl Serialize for DeviceId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

/// Reads a device id from borrowed or passing text, without the `String` that a `Cow<str>`
/// would always be with serde (a replica has several ids per account).
struct DeviceIdVisitor;

impl de::Visitor<'_> for DeviceIdVisitor {
    type Value = DeviceId;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a device id (32 hex digits)")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<DeviceId, E> {
        DeviceId::from_hex(text).ok_or_else(|| E::custom("a device id is 32 hex digits"))
    }
}

impl<'de> Deserialize<'de> for DeviceId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(DeviceIdVisitor)
    }
}

/// A device's public keys, as every member knows them.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PublicKeys {
    /// Ed25519 verifying key: checks the device's replicas.
    #[serde(with = "b64_32")]
    pub sign: [u8; 32],
    /// X25519 public key: replicas are sealed to it.
    #[serde(with = "b64_32")]
    pub seal: [u8; 32],
}

impl PublicKeys {
    /// The id these keys make.
    pub fn id(&self) -> DeviceId {
        let mut h = Sha256::new();
        h.update(self.sign);
        h.update(self.seal);
        let digest = h.finalize();
        let mut id = [0u8; ID_LEN];
        id.copy_from_slice(&digest[..ID_LEN]);
        DeviceId(id)
    }
}

/// This device's private keys; wiped on drop, never printed, kept only in the vault body.
#[derive(Clone, Serialize, Deserialize)]
pub struct Identity {
    #[serde(with = "b64_secret")]
    sign: Zeroizing<[u8; 32]>,
    #[serde(with = "b64_secret")]
    seal: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Identity({}, <redacted>)", self.id())
    }
}

impl Identity {
    /// A new identity from the OS's random generator.
    pub fn generate() -> Result<Self, std::io::Error> {
        let mut sign = Zeroizing::new([0u8; 32]);
        let mut seal = Zeroizing::new([0u8; 32]);
        super::random_fill(sign.as_mut())?;
        super::random_fill(seal.as_mut())?;
        Ok(Self { sign, seal })
    }

    /// An identity from fixed key bytes (test vectors).
    pub fn from_bytes(sign: [u8; 32], seal: [u8; 32]) -> Self {
        Self {
            sign: Zeroizing::new(sign),
            seal: Zeroizing::new(seal),
        }
    }

    /// The public half.
    pub fn public(&self) -> PublicKeys {
        PublicKeys {
            sign: self.signing_key().verifying_key().to_bytes(),
            seal: x25519_dalek::PublicKey::from(&self.sealing_key()).to_bytes(),
        }
    }

    /// This device's id.
    pub fn id(&self) -> DeviceId {
        self.public().id()
    }

    pub(super) fn signing_key(&self) -> ed25519_dalek::SigningKey {
        ed25519_dalek::SigningKey::from_bytes(&self.sign)
    }

    pub(super) fn sealing_key(&self) -> x25519_dalek::StaticSecret {
        x25519_dalek::StaticSecret::from(*self.seal)
    }
}

mod b64_32 {
    use super::*;
    pub fn serialize<S: Serializer>(v: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&BASE64.encode(v))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let text = <std::borrow::Cow<'_, str>>::deserialize(d)?;
        let bytes = BASE64
            .decode(text.as_bytes())
            .map_err(|_| de::Error::custom("a key is base64"))?;
        bytes
            .try_into()
            .map_err(|_| de::Error::custom("a key is 32 bytes"))
    }
}

mod b64_secret {
    use super::*;
    pub fn serialize<S: Serializer>(v: &Zeroizing<[u8; 32]>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&Zeroizing::new(BASE64.encode(v.as_ref())))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Zeroizing<[u8; 32]>, D::Error> {
        let text = Zeroizing::new(String::deserialize(d)?);
        let bytes = Zeroizing::new(
            BASE64
                .decode(text.as_bytes())
                .map_err(|_| de::Error::custom("a key is base64"))?,
        );
        let mut key = Zeroizing::new([0u8; 32]);
        if bytes.len() != 32 {
            return Err(de::Error::custom("a key is 32 bytes"));
        }
        key.copy_from_slice(&bytes);
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_id_reads_from_json_values_and_map_keys_and_refuses_other_text() {
        let id = DeviceId([0xab; ID_LEN]);
        assert_eq!(DeviceId::from_hex(&id.to_hex()), Some(id));
        for bad in [
            "",
            "ab",
            &"ab".repeat(ID_LEN + 1),
            &"AB".repeat(ID_LEN),
            &"zz".repeat(ID_LEN),
        ] {
            assert_eq!(DeviceId::from_hex(bad), None, "{bad:?}");
        }
        // An escaped string is not borrowed from the input: it reaches the visitor as well.
        let escaped = format!("\"\\u0061{}\"", &id.to_hex()[1..]);
        assert_eq!(serde_json::from_str::<DeviceId>(&escaped).expect("id"), id);
        let map: std::collections::BTreeMap<DeviceId, u8> =
            serde_json::from_str(&format!("{{\"{}\":1}}", id.to_hex())).expect("map");
        assert_eq!(map.get(&id), Some(&1));
        let err = serde_json::from_str::<DeviceId>("\"abc\"").unwrap_err();
        assert!(err.to_string().contains("32 hex digits"), "{err}");
    }
}
