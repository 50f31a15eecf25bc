//! Enrolled push tokens, in their own file beside the vault (`push.json`, 0600, atomic writes).
//!
//! Not inside the vault on purpose: polling must sign `serial|timestamp` while the vault is
//! locked, so the device keys must be usable without the passphrase. See docs/security.md.

use super::keys::{DeviceKey, KeyError, ServerKey};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Version of the file format.
const VERSION: u32 = 1;

/// Why the push store could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is damaged: {message}")]
    Format { path: PathBuf, message: String },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// One enrolled push token.
#[derive(Clone, Serialize, Deserialize)]
pub struct PushToken {
    /// Stable opaque id, listed with the accounts.
    pub id: String,
    pub serial: String,
    pub issuer: String,
    pub label: String,
    /// The server's push endpoint (`/ttype/push`): polled, and answered unless a challenge names another.
    pub url: String,
    /// Whether TLS certificates are checked (the server's `sslverify`).
    pub sslverify: bool,
    /// Our private key, base64 PKCS#8.
    device_key: String,
    /// The server's public key, base64 DER.
    server_key: String,
    pub enrolled_at: u64,
}

impl std::fmt::Debug for PushToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushToken")
            .field("id", &self.id)
            .field("serial", &self.serial)
            .field("issuer", &self.issuer)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl Drop for PushToken {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.device_key);
    }
}

impl PushToken {
    /// A token from its enrollment result.
    pub fn new(
        serial: String,
        issuer: String,
        label: String,
        url: String,
        sslverify: bool,
        device_key: &DeviceKey,
        server_key: &ServerKey,
    ) -> Result<Self, KeyError> {
        Ok(Self {
            id: uuid::Uuid::new_v4().to_string(),
            serial,
            issuer,
            label,
            url,
            sslverify,
            device_key: device_key.to_pkcs8_base64()?.to_string(),
            server_key: server_key.to_base64(),
            enrolled_at: crate::clock::unix_now(),
        })
    }

    /// Our signing key.
    pub fn device_key(&self) -> Result<DeviceKey, KeyError> {
        DeviceKey::from_pkcs8_base64(&self.device_key)
    }

    /// The key that signs this token's challenges.
    pub fn server_key(&self) -> Result<ServerKey, KeyError> {
        ServerKey::from_text(&self.server_key)
    }
}

#[derive(Serialize, Deserialize)]
struct File {
    version: u32,
    tokens: Vec<PushToken>,
}

/// The push tokens and the file that holds them.
#[derive(Debug)]
pub struct PushStore {
    path: PathBuf,
    tokens: Vec<PushToken>,
}

impl PushStore {
    /// The store file beside `vault`.
    pub fn path_beside(vault: &Path) -> PathBuf {
        vault.with_file_name("push.json")
    }

    /// A store with nothing in it that is never saved (when the file could not be read).
    pub fn unusable(path: PathBuf) -> Self {
        Self {
            path,
            tokens: Vec::new(),
        }
    }

    /// Loads `path`; a missing file is an empty store. A damaged one is an error (never overwritten).
    pub fn load(path: PathBuf) -> Result<Self, StoreError> {
        let bytes = match std::fs::read(&path) {
            Ok(b) => Zeroizing::new(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self {
                    path,
                    tokens: Vec::new(),
                });
            }
            Err(source) => return Err(StoreError::Read { path, source }),
        };
        // Only the kind and place of the fault: serde's message can quote a value, and this
        // file holds private keys.
        let file: File = serde_json::from_slice(&bytes).map_err(|e| StoreError::Format {
            path: path.clone(),
            message: format!(
                "not a valid push token file ({:?} error at line {}, column {})",
                e.classify(),
                e.line(),
                e.column()
            ),
        })?;
        if file.version > VERSION {
            return Err(StoreError::Format {
                path,
                message: format!("version {} is newer than this Latchkey", file.version),
            });
        }
        Ok(Self {
            path,
            tokens: file.tokens,
        })
    }

    /// The enrolled tokens.
    pub fn tokens(&self) -> &[PushToken] {
        &self.tokens
    }

    /// The token with this id.
    pub fn get(&self, id: &str) -> Option<&PushToken> {
        self.tokens.iter().find(|t| t.id == id)
    }

    /// Adds a token and saves; on a write error nothing changes.
    pub fn add(&mut self, token: PushToken) -> Result<(), StoreError> {
        self.tokens.push(token);
        if let Err(e) = self.save() {
            self.tokens.pop();
            return Err(e);
        }
        Ok(())
    }

    /// Removes a token and saves; on a write error nothing changes.
    pub fn remove(&mut self, id: &str) -> Result<Option<PushToken>, StoreError> {
        let Some(i) = self.tokens.iter().position(|t| t.id == id) else {
            return Ok(None);
        };
        let token = self.tokens.remove(i);
        if let Err(e) = self.save() {
            self.tokens.insert(i, token);
            return Err(e);
        }
        Ok(Some(token))
    }

    fn save(&self) -> Result<(), StoreError> {
        let file = FileRef {
            version: VERSION,
            tokens: &self.tokens,
        };
        let text =
            Zeroizing::new(
                serde_json::to_vec_pretty(&file).map_err(|e| StoreError::Write {
                    path: self.path.clone(),
                    source: std::io::Error::other(e),
                })?,
            );
        crate::files::write_private_atomic(&self.path, &text).map_err(|source| StoreError::Write {
            path: self.path.clone(),
            source,
        })
    }
}

#[derive(Serialize)]
struct FileRef<'a> {
    version: u32,
    tokens: &'a [PushToken],
}
