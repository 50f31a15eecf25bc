//! Authy: the token lists in the app's shared preferences
//! (`shared_prefs/com.authy.storage.tokens.authenticator.xml` and `…tokens.authy.xml` of
//! `com.authy.authy`, from a rooted phone); Authy has no export of its own.
//!
//! The preference `com.authy.storage.tokens.authenticator.key` (or `….authy.key`) holds a JSON
//! array. Third-party tokens have `name`, `originalName`, `originalIssuer`, `accountType`,
//! `digits` and either `decryptedSecret` (base32) or, when backups are encrypted,
//! `encryptedSecret` (base64) and `salt`: the secret text is AES-256-CBC with a zero IV under
//! PBKDF2-HMAC-SHA1(backup password, the salt's UTF-8 bytes, 1,000 rounds, 32 bytes). Authy's
//! own tokens have a hex `secretSeed` and make 7-digit codes every 10 seconds. Codes are SHA-1;
//! third-party tokens use 30 seconds.

use super::fields::Fields;
use super::{Entries, EntryFault, ImportError, MAX_ENTRIES, crypt};
use crate::otp::Secret;
use data_encoding::HEXLOWER_PERMISSIVE;
use serde::Deserialize;
use zeroize::Zeroizing;

const APP: &str = "Authy";
const KEYS: [&str; 2] = [
    "com.authy.storage.tokens.authenticator.key",
    "com.authy.storage.tokens.authy.key",
];
const ROUNDS: u32 = 1000;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Token {
    original_name: Option<String>,
    original_issuer: Option<String>,
    account_type: Option<String>,
    #[serde(default)]
    name: String,
    digits: Option<i64>,
    decrypted_secret: Option<super::fields::SecretText>,
    encrypted_secret: Option<super::fields::SecretText>,
    salt: Option<String>,
    secret_seed: Option<super::fields::SecretText>,
}

/// Reads Authy's token preferences, decrypting the secrets with `passphrase` when needed.
pub fn parse(bytes: &[u8], passphrase: Option<&[u8]>) -> Result<Entries, ImportError> {
    let prefs = super::prefs::strings(bytes, APP)?;
    let mut tokens: Vec<Token> = Vec::new();
    let mut found = false;
    for key in KEYS {
        if let Some(json) = prefs.get(key) {
            found = true;
            let list: Vec<Token> = serde_json::from_str(json).map_err(|e| {
                ImportError::malformed(APP, format!("the token list is not readable ({e})"))
            })?;
            tokens.extend(list);
        }
    }
    if !found {
        return Err(ImportError::malformed(
            APP,
            "the file has no Authy token list (com.authy.storage.tokens.*.key)",
        ));
    }
    if tokens.len() > MAX_ENTRIES {
        return Err(ImportError::TooManyEntries);
    }
    let encrypted = tokens
        .iter()
        .any(|t| t.decrypted_secret.is_none() && t.secret_seed.is_none());
    let secrets: Vec<Result<Secret, EntryFault>> = if encrypted {
        let passphrase = passphrase.ok_or(ImportError::PassphraseRequired(APP))?;
        let secrets: Vec<_> = tokens.iter().map(|t| decrypt(t, passphrase)).collect();
        if !secrets.iter().any(Result::is_ok) {
            return Err(ImportError::BadPassphraseOrCorrupted(APP));
        }
        secrets
    } else {
        tokens.iter().map(plain_secret).collect()
    };
    let entries = tokens
        .iter()
        .zip(secrets)
        .enumerate()
        .map(|(i, (t, secret))| {
            let native = t.secret_seed.is_some();
            let (issuer, account) = labels(t);
            Fields {
                issuer,
                account,
                kind: "TOTP",
                algorithm: None,
                digits: t.digits.or(native.then_some(7)),
                period: Some(if native { 10 } else { 30 }),
                counter: None,
            }
            .build(i + 1, secret)
        })
        .collect();
    Ok((entries, vec![]))
}

fn plain_secret(t: &Token) -> Result<Secret, EntryFault> {
    match (&t.secret_seed, &t.decrypted_secret) {
        (Some(seed), _) => HEXLOWER_PERMISSIVE
            .decode(seed.0.trim().as_bytes())
            .map(Secret::from_bytes)
            .map_err(|_| EntryFault::Encoding("hex")),
        (None, secret) => super::fields::SecretText::decode(secret.as_ref()),
    }
}

/// A token's secret, decrypted when it is encrypted.
fn decrypt(t: &Token, passphrase: &[u8]) -> Result<Secret, EntryFault> {
    let (Some(sealed), Some(salt)) = (&t.encrypted_secret, &t.salt) else {
        return plain_secret(t);
    };
    let sealed = super::base64(APP, &sealed.0, "encrypted secret")
        .map_err(|_| EntryFault::Encoding("base64"))?;
    let key = crypt::pbkdf2_sha1(passphrase, salt.as_bytes(), ROUNDS);
    let plain = crypt::open_cbc(key.as_slice(), &[0u8; 16], &sealed).ok_or_else(|| {
        EntryFault::Label("the secret does not decrypt (wrong passphrase or damaged)".into())
    })?;
    let text = Zeroizing::new(
        String::from_utf8(plain.to_vec())
            .map_err(|_| EntryFault::Label("the secret does not decrypt".into()))?,
    );
    Ok(Secret::from_base32(&text)?)
}

/// Issuer and account as Authy shows them (the rules Aegis follows too).
fn labels(t: &Token) -> (String, String) {
    if t.secret_seed.is_some() {
        return (t.name.clone(), String::new());
    }
    let original = t.original_name.as_deref().unwrap_or_default();
    let (issuer, separator) = if let Some(issuer) = t.original_issuer.as_deref() {
        (issuer.to_string(), "")
    } else if let Some((prefix, _)) = original.split_once(':') {
        (prefix.to_string(), ":")
    } else if let Some((prefix, _)) = t.name.split_once(" - ") {
        (prefix.to_string(), " - ")
    } else {
        let kind = t.account_type.as_deref().unwrap_or_default();
        let mut chars = kind.chars();
        let capital = chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
        (capital, "")
    };
    let mut account = if issuer.is_empty() {
        t.name.clone()
    } else {
        t.name.replace(&format!("{issuer}{separator}"), "")
    };
    if let Some(rest) = account.strip_prefix(": ") {
        account = rest.to_string();
    }
    (issuer, account.trim().to_string())
}
