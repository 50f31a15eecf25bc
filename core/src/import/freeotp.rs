//! FreeOTP: its token preferences (`shared_prefs/tokens.xml` of `org.fedorahosted.freeotp`
//! before 2.0, and of FreeOTP+ `org.liberty.android.freeotpplus`, from a rooted phone) and the
//! encrypted backup FreeOTP 2 writes (`externalBackup.xml`, in fact a Java-serialized map).
//!
//! Token XML: each `<string>` other than `tokenOrder` is a token as JSON (`issuerExt`, `label`,
//! `type`, `algo`, `digits`, `period`, `counter`, `secret` as signed bytes). FreeOTP before 2.0
//! (and FreeOTP+) store an HOTP counter one below the next one to use — they increment before
//! showing a code and write `counter + 1` in their own URIs — so one is added here, as their URI
//! export would. `tokenOrder` gives the order the app showed.
//!
//! FreeOTP 2 backup: a map of strings. `masterKey` is JSON: PBKDF2 (`mAlgorithm`
//! `PBKDF2withHmacSHA1` or `…SHA512`, `mIterations`, `mSalt`) of the passphrase gives a 32-byte
//! key that opens `mEncryptedKey`, AES-256-GCM with the nonce in `mParameters` (DER
//! `GCMParameters`) and `mToken` as associated data. Each token `UUID` holds `{"key": …}`, its
//! secret sealed the same way under the master key, and `UUID-token` its fields; there the
//! counter is the next one to use, and a missing `algo` is the key's own HMAC (`mToken`).

use super::fields::Fields;
use super::{Entries, EntryError, EntryFault, ImportError, MAX_ENTRIES, crypt};
use crate::otp::Secret;
use der::Decode;
use serde::Deserialize;
use zeroize::Zeroizing;

const APP: &str = "FreeOTP";
/// Most PBKDF2 rounds run for a backup (FreeOTP writes 100,000).
pub const MAX_ROUNDS: u32 = 2_000_000;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Token {
    issuer_ext: Option<String>,
    issuer_int: Option<String>,
    #[serde(default)]
    label: String,
    #[serde(rename = "type")]
    kind: Option<String>,
    algo: Option<String>,
    digits: Option<i64>,
    period: Option<i64>,
    counter: Option<i64>,
    secret: Option<super::fields::Bytes>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MasterKey {
    #[serde(rename = "mAlgorithm")]
    algorithm: String,
    #[serde(rename = "mEncryptedKey")]
    encrypted_key: EncryptedKey,
    #[serde(rename = "mIterations")]
    iterations: u32,
    #[serde(rename = "mSalt")]
    salt: Vec<i16>,
}

#[derive(Deserialize)]
struct EncryptedKey {
    #[serde(rename = "mCipher")]
    cipher: String,
    #[serde(rename = "mCipherText")]
    cipher_text: Vec<i16>,
    #[serde(rename = "mParameters")]
    parameters: Vec<i16>,
    #[serde(rename = "mToken")]
    token: String,
}

#[derive(Deserialize)]
struct SealedToken {
    key: String,
}

/// Reads FreeOTP's token XML, or its encrypted backup (by its Java serialization magic).
pub fn parse(bytes: &[u8], passphrase: Option<&[u8]>) -> Result<Entries, ImportError> {
    if bytes.starts_with(&super::detect::JAVA_MAGIC) {
        return backup(bytes, passphrase);
    }
    let prefs = super::prefs::strings(bytes, APP)?;
    let order: Vec<String> = prefs
        .get("tokenOrder")
        .and_then(|o| serde_json::from_str(o).ok())
        .unwrap_or_default();
    let mut tokens: Vec<(&str, &str)> = prefs.iter().filter(|(n, _)| *n != "tokenOrder").collect();
    if tokens.len() > MAX_ENTRIES {
        return Err(ImportError::TooManyEntries);
    }
    // In the app's order; tokens it does not list keep their place after those it does.
    tokens.sort_by_key(|(name, _)| order.iter().position(|o| o == name).unwrap_or(usize::MAX));
    let entries = tokens
        .into_iter()
        .enumerate()
        .map(
            |(i, (name, json))| match serde_json::from_str::<Token>(json) {
                Ok(t) => token(t, i + 1, 1, None),
                Err(e) => Err(super::entry_error(
                    i + 1,
                    "",
                    name,
                    EntryFault::Label(format!("the token is not readable ({e})")),
                )),
            },
        )
        .collect();
    Ok((entries, vec![]))
}

fn malformed(fault: impl Into<String>) -> ImportError {
    ImportError::malformed(APP, fault)
}

/// One token; `counter_shift` is added to the stored counter; `key_algo` is the HMAC of the
/// key that sealed the secret (FreeOTP 2), used when the token names none.
pub fn token(
    t: Token,
    position: usize,
    counter_shift: i64,
    key_algo: Option<&str>,
) -> Result<super::Imported, EntryError> {
    let issuer = t
        .issuer_ext
        .clone()
        .filter(|i| !i.is_empty())
        .or_else(|| t.issuer_int.clone())
        .unwrap_or_default();
    let kind = t.kind.as_deref().unwrap_or("TOTP");
    let kind = if kind.eq_ignore_ascii_case("totp") && issuer == "Steam" {
        "STEAM"
    } else {
        kind
    };
    let secret = match &t.secret {
        Some(b) if !b.valid => Err(EntryFault::ByteSecret),
        Some(b) if !b.bytes.is_empty() => Ok(Secret::from_bytes(b.bytes.to_vec())),
        _ => Err(EntryFault::MissingSecret),
    };
    let algorithm = t.algo.clone().or_else(|| {
        key_algo
            .and_then(|a| a.strip_prefix("Hmac"))
            .map(str::to_string)
    });
    Fields {
        issuer,
        account: t.label.clone(),
        kind,
        algorithm: algorithm.as_deref(),
        digits: t.digits,
        period: t.period,
        counter: t.counter.map(|c| c.saturating_add(counter_shift)),
    }
    .build(position, secret)
}

/// Java's signed bytes as bytes; `None` if one is out of range.
fn bytes(list: &[i16]) -> Option<Zeroizing<Vec<u8>>> {
    list.iter()
        .map(|&b| (-128..=255).contains(&b).then_some(b as u8))
        .collect::<Option<Vec<u8>>>()
        .map(Zeroizing::new)
}

/// The GCM nonce in DER parameters: the octet string that is, or starts, the `GCMParameters`
/// sequence (RFC 5084) Java encodes.
fn nonce(parameters: &[i16]) -> Option<Vec<u8>> {
    use der::asn1::{AnyRef, OctetStringRef};
    let der = bytes(parameters)?;
    if let Ok(octets) = <&OctetStringRef>::from_der(&der) {
        return Some(octets.as_bytes().to_vec());
    }
    let any = AnyRef::from_der(&der).ok()?;
    if der::Tagged::tag(&any) != der::Tag::Sequence {
        return None;
    }
    let mut reader = der::SliceReader::new(any.value()).ok()?;
    let octets = <&OctetStringRef>::decode(&mut reader).ok()?;
    Some(octets.as_bytes().to_vec())
}

/// Opens a sealed key (AES-256-GCM, its `mToken` as associated data).
fn open(key: &[u8], sealed: &EncryptedKey) -> Result<Option<Zeroizing<Vec<u8>>>, ImportError> {
    if sealed.cipher != "AES/GCM/NoPadding" {
        return Err(malformed(format!(
            "unsupported cipher {}",
            super::echo(&sealed.cipher)
        )));
    }
    let nonce = nonce(&sealed.parameters).ok_or_else(|| malformed("a key has no GCM nonce"))?;
    let data = bytes(&sealed.cipher_text).ok_or_else(|| malformed("a key is not bytes"))?;
    Ok(crypt::open_with_aad(
        key,
        &nonce,
        &data,
        sealed.token.as_bytes(),
    ))
}

fn backup(file: &[u8], passphrase: Option<&[u8]>) -> Result<Entries, ImportError> {
    let map = super::javaser::hash_map(file)
        .map_err(|e| malformed(format!("not a FreeOTP backup ({})", e.0)))?;
    let master: MasterKey = map
        .get("masterKey")
        .ok_or_else(|| malformed("the backup has no masterKey"))
        .and_then(|m| {
            serde_json::from_str(m).map_err(|e| malformed(format!("bad masterKey ({e})")))
        })?;
    let derive: fn(&[u8], &[u8], u32) -> crypt::Key = match master.algorithm.as_str() {
        "PBKDF2withHmacSHA1" => crypt::pbkdf2_sha1,
        "PBKDF2withHmacSHA512" => crypt::pbkdf2_sha512,
        other => {
            return Err(malformed(format!(
                "unsupported key derivation {}",
                super::echo(other)
            )));
        }
    };
    if master.iterations == 0 || master.iterations > MAX_ROUNDS {
        return Err(ImportError::KdfParams {
            format: APP,
            detail: format!("{} PBKDF2 rounds, at most {MAX_ROUNDS}", master.iterations),
        });
    }
    let passphrase = passphrase.ok_or(ImportError::PassphraseRequired(APP))?;
    let salt = bytes(&master.salt).ok_or_else(|| malformed("the salt is not bytes"))?;
    let pass_key = derive(passphrase, &salt, master.iterations);
    let master_key =
        open(pass_key.as_slice(), &master.encrypted_key)?.ok_or(ImportError::BadPassphrase(APP))?;
    let mut ids: Vec<&String> = map
        .keys()
        .filter(|k| *k != "masterKey" && !k.ends_with("-token"))
        .collect();
    ids.sort();
    if ids.len() > MAX_ENTRIES {
        return Err(ImportError::TooManyEntries);
    }
    let entries = ids
        .into_iter()
        .enumerate()
        .map(|(i, id)| sealed_token(&map, id, &master_key, i + 1))
        .collect();
    Ok((entries, vec![]))
}

fn sealed_token(
    map: &std::collections::HashMap<String, String>,
    id: &str,
    master_key: &[u8],
    position: usize,
) -> Result<super::Imported, EntryError> {
    let fail = |fault: String| super::entry_error(position, "", id, EntryFault::Label(fault));
    let mut t: Token = map
        .get(&format!("{id}-token"))
        .ok_or_else(|| fail("the token's fields are missing".into()))
        .and_then(|j| serde_json::from_str(j).map_err(|e| fail(format!("bad token ({e})"))))?;
    let sealed: EncryptedKey = map
        .get(id)
        .and_then(|j| serde_json::from_str::<SealedToken>(j).ok())
        .and_then(|s| serde_json::from_str(&s.key).ok())
        .ok_or_else(|| fail("the token's key is not readable".into()))?;
    let secret = open(master_key, &sealed)
        .map_err(|e| fail(e.to_string()))?
        .ok_or_else(|| fail("the token's key does not decrypt (the file is damaged)".into()))?;
    t.secret = Some(super::fields::Bytes {
        bytes: secret,
        valid: true,
    });
    token(t, position, 0, Some(&sealed.token))
}
