//! The vault's keyring-slot key kept in the Secret Service (the login keyring), for opt-in
//! unlock without the passphrase (DESIGN §4, docs/vault-format.md §Keyring slot).
//!
//! One item per vault in the default collection: label [`ITEM_LABEL`], attributes
//! `application=latchkey`, `vault=<absolute vault path>`, `purpose=vault-unlock`, content type
//! `application/octet-stream`, the 32 key bytes as the secret. The transport is DH-encrypted
//! (`dh-ietf1024-sha256-aes128-cbc-pkcs7`) unless the provider only offers `plain`.
//!
//! Never prompts: a locked keyring is reported as [`KeyringError::Locked`] and the caller falls
//! back to the passphrase. Keys are held in `Zeroizing` buffers and never logged; copies made
//! inside the `secret-service` crate are not wiped by it (the daemon's allocator wipes freed heap).

use secret_service::{EncryptionType, SecretService};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;
use zeroize::Zeroizing;

/// The item's label, as shown in Seahorse and by `secret-tool search`.
pub const ITEM_LABEL: &str = "Latchkey vault unlock key";
/// Content type of the stored secret: raw key bytes.
const CONTENT_TYPE: &str = "application/octet-stream";
/// Length of the stored key (the keyring slot's XChaCha20-Poly1305 key).
const KEY_LEN: usize = 32;
/// Longest wait for the Secret Service (the D-Bus default reply timeout), so a hung provider
/// cannot hold an unlock forever.
const TIMEOUT: Duration = Duration::from_secs(25);

/// Why the key could not be stored, fetched or deleted; every message says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    /// No Secret Service (or no session bus, or no default keyring) to talk to.
    #[error("the login keyring is not available ({0}); use the passphrase")]
    Unavailable(String),
    /// The collection or item is locked; unlocking it would need a prompt, which we never show.
    #[error("the login keyring is locked; unlock it or use the passphrase")]
    Locked,
    /// No key is stored for this vault.
    #[error("no Latchkey unlock key is stored in the login keyring for this vault")]
    NotFound,
    /// The stored secret is not a 32-byte key (edited or written by something else).
    #[error(
        "the Latchkey item in the login keyring holds {0} bytes, not a 32-byte key; turn keyring unlock off and on again"
    )]
    Malformed(usize),
    /// Anything else the Secret Service or the bus reported.
    #[error("the login keyring failed: {0}")]
    Other(String),
}

/// A connection to the Secret Service with one open (encrypted) session; cheap, make one per use.
pub struct Keyring {
    service: SecretService<'static>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keyring")
    }
}

impl Keyring {
    /// Connects to the session bus named by the environment and opens a Secret Service session.
    pub async fn connect() -> Result<Self, KeyringError> {
        let conn = within(async {
            zbus::Connection::session()
                .await
                .map_err(|e| KeyringError::Unavailable(format!("no session bus: {e}")))
        })
        .await?;
        Self::with_connection(conn).await
    }

    /// Opens a Secret Service session on an existing bus connection (tests pass a private bus).
    pub async fn with_connection(conn: zbus::Connection) -> Result<Self, KeyringError> {
        within(async {
            let dh = SecretService::connect_with_existing(EncryptionType::Dh, conn.clone()).await;
            let service = match dh {
                Err(e) if error_name(&e).as_deref() == Some(NOT_SUPPORTED) => {
                    SecretService::connect_with_existing(EncryptionType::Plain, conn).await
                }
                other => other,
            };
            service.map(|service| Self { service }).map_err(map_error)
        })
        .await
    }

    /// Stores `key` for the vault at `vault_path`, replacing any key stored for it before.
    pub async fn store_key(
        &self,
        vault_path: &Path,
        key: &[u8; KEY_LEN],
    ) -> Result<(), KeyringError> {
        let vault = vault_attribute(vault_path)?;
        within(async {
            let collection = match self.service.get_default_collection().await {
                Err(secret_service::Error::NoResult) => {
                    return Err(KeyringError::Unavailable(
                        "there is no default keyring to keep the key in".to_owned(),
                    ));
                }
                other => other.map_err(map_error)?,
            };
            if collection.is_locked().await.map_err(map_error)? {
                return Err(KeyringError::Locked);
            }
            collection
                .create_item(ITEM_LABEL, attributes(&vault), key, true, CONTENT_TYPE)
                .await
                .map_err(map_error)?;
            Ok(())
        })
        .await
    }

    /// The key stored for the vault at `vault_path`.
    pub async fn fetch_key(
        &self,
        vault_path: &Path,
    ) -> Result<Zeroizing<[u8; KEY_LEN]>, KeyringError> {
        let vault = vault_attribute(vault_path)?;
        within(async {
            let found = self
                .service
                .search_items(attributes(&vault))
                .await
                .map_err(map_error)?;
            let mut wrong_len = None;
            for item in &found.unlocked {
                let secret = Zeroizing::new(item.get_secret().await.map_err(map_error)?);
                if secret.len() == KEY_LEN {
                    let mut key = Zeroizing::new([0u8; KEY_LEN]);
                    key.copy_from_slice(&secret);
                    return Ok(key);
                }
                wrong_len = Some(secret.len());
            }
            if let Some(len) = wrong_len {
                return Err(KeyringError::Malformed(len));
            }
            if !found.locked.is_empty() || self.default_is_locked().await? {
                // The item may be hidden in the locked collection: don't claim it is missing.
                return Err(KeyringError::Locked);
            }
            Err(KeyringError::NotFound)
        })
        .await
    }

    /// Deletes the key stored for the vault at `vault_path`; `Ok` if there was none.
    pub async fn delete_key(&self, vault_path: &Path) -> Result<(), KeyringError> {
        let vault = vault_attribute(vault_path)?;
        within(async {
            let found = self
                .service
                .search_items(attributes(&vault))
                .await
                .map_err(map_error)?;
            for item in &found.unlocked {
                item.delete().await.map_err(map_error)?;
            }
            if !found.locked.is_empty() {
                return Err(KeyringError::Locked);
            }
            Ok(())
        })
        .await
    }

    /// Whether the default collection exists and is locked.
    async fn default_is_locked(&self) -> Result<bool, KeyringError> {
        match self.service.get_default_collection().await {
            Err(secret_service::Error::NoResult) => Ok(false),
            other => other
                .map_err(map_error)?
                .is_locked()
                .await
                .map_err(map_error),
        }
    }
}

/// Stores `key` for the vault at `vault_path` in the default collection, replacing an older one.
pub async fn store_key(vault_path: &Path, key: &[u8; KEY_LEN]) -> Result<(), KeyringError> {
    Keyring::connect().await?.store_key(vault_path, key).await
}

/// Fetches the key stored for the vault at `vault_path`, never prompting.
pub async fn fetch_key(vault_path: &Path) -> Result<Zeroizing<[u8; KEY_LEN]>, KeyringError> {
    Keyring::connect().await?.fetch_key(vault_path).await
}

/// Deletes the key stored for the vault at `vault_path` (nothing stored is not an error).
pub async fn delete_key(vault_path: &Path) -> Result<(), KeyringError> {
    Keyring::connect().await?.delete_key(vault_path).await
}

/// The D-Bus error a provider returns when it lacks the DH algorithm.
const NOT_SUPPORTED: &str = "org.freedesktop.DBus.Error.NotSupported";

/// Runs `op` with the [`TIMEOUT`].
async fn within<T>(op: impl Future<Output = Result<T, KeyringError>>) -> Result<T, KeyringError> {
    tokio::time::timeout(TIMEOUT, op).await.unwrap_or_else(|_| {
        Err(KeyringError::Unavailable(format!(
            "the Secret Service did not answer within {} s",
            TIMEOUT.as_secs()
        )))
    })
}

/// The item's lookup attributes.
fn attributes(vault: &str) -> HashMap<&str, &str> {
    HashMap::from([
        ("application", "latchkey"),
        ("vault", vault),
        ("purpose", "vault-unlock"),
    ])
}

/// The vault path as an absolute UTF-8 string (attributes are strings).
fn vault_attribute(vault_path: &Path) -> Result<String, KeyringError> {
    let absolute = std::path::absolute(vault_path)
        .map_err(|e| KeyringError::Other(format!("cannot make the vault path absolute: {e}")))?;
    absolute.to_str().map(str::to_owned).ok_or_else(|| {
        KeyringError::Other(
            "the vault path is not valid UTF-8, so it cannot name a keyring item".to_owned(),
        )
    })
}

/// The D-Bus error name behind a Secret Service error, if it came from a method reply.
fn error_name(e: &secret_service::Error) -> Option<String> {
    use zbus::DBusError;
    match e {
        secret_service::Error::Zbus(zbus::Error::MethodError(name, _, _)) => Some(name.to_string()),
        secret_service::Error::Zbus(zbus::Error::FDO(fdo)) => Some(fdo.name().to_string()),
        secret_service::Error::ZbusFdo(fdo) => Some(fdo.name().to_string()),
        _ => None,
    }
}

/// Sorts a Secret Service error into the cases the daemon treats differently.
fn map_error(e: secret_service::Error) -> KeyringError {
    use secret_service::Error as E;
    match e {
        E::Locked | E::Prompt | E::PromptDisconnected => return KeyringError::Locked,
        E::Unavailable => {
            return KeyringError::Unavailable("no Secret Service provider".to_owned());
        }
        _ => {}
    }
    match error_name(&e).as_deref() {
        Some("org.freedesktop.Secret.Error.IsLocked") => KeyringError::Locked,
        Some(
            "org.freedesktop.DBus.Error.ServiceUnknown"
            | "org.freedesktop.DBus.Error.NameHasNoOwner"
            | "org.freedesktop.DBus.Error.NoReply"
            | "org.freedesktop.DBus.Error.Disconnected",
        ) => KeyringError::Unavailable("nothing provides org.freedesktop.secrets".to_owned()),
        _ => KeyringError::Other(e.to_string()),
    }
}
