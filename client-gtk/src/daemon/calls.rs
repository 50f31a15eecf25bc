//! Typed calls on the daemon, one function per thing the UI asks for.

use super::bridge;
use latchkey_dbus::settings::{SetError, Setting, Snapshot, Value as SettingValue};
use latchkey_dbus::{AccountInfo, Error, SettingsProxy, VaultProxy};
use std::collections::HashMap;
use zbus::proxy::CacheProperties;
use zbus::zvariant::Value;
use zeroize::Zeroizing;

async fn vault(conn: &zbus::Connection) -> Result<VaultProxy<'static>, Error> {
    Ok(VaultProxy::builder(conn)
        .cache_properties(CacheProperties::No)
        .build()
        .await?)
}

async fn settings(conn: &zbus::Connection) -> Result<SettingsProxy<'static>, Error> {
    Ok(SettingsProxy::builder(conn)
        .cache_properties(CacheProperties::No)
        .build()
        .await?)
}

/// What the unlock screen and the window need to know about the vault.
#[derive(Debug, Clone, Default)]
pub struct VaultState {
    /// A vault exists.
    pub initialized: bool,
    /// The vault is locked.
    pub locked: bool,
    /// Keyring unlock is enabled.
    pub keyring_unlock: bool,
    /// Unix time before which a passphrase is refused (brute-force delay).
    pub retry_after: u64,
    /// Consecutive wrong passphrases.
    pub failures: u32,
}

/// Reads the vault's state properties.
pub async fn state() -> Result<VaultState, Error> {
    bridge()
        .call(|c| async move {
            let v = vault(&c).await?;
            Ok(VaultState {
                initialized: v.initialized().await?,
                locked: v.locked().await?,
                keyring_unlock: v.keyring_unlock().await?,
                retry_after: v.unlock_retry_after().await?,
                failures: v.unlock_failures().await?,
            })
        })
        .await
}

/// Unlocks with a passphrase (wiped from memory after the call).
pub async fn unlock(passphrase: Zeroizing<String>) -> Result<(), Error> {
    bridge()
        .call(|c| async move { Ok(vault(&c).await?.unlock(&passphrase).await?) })
        .await
}

/// Creates the vault under `passphrase`; it is left unlocked.
pub async fn create(passphrase: Zeroizing<String>) -> Result<(), Error> {
    bridge()
        .call(|c| async move { Ok(vault(&c).await?.create(&passphrase).await?) })
        .await
}

/// Unlocks through the login keyring.
pub async fn unlock_with_keyring() -> Result<(), Error> {
    bridge()
        .call(|c| async move { Ok(vault(&c).await?.unlock_with_keyring().await?) })
        .await
}

/// Locks the vault.
pub async fn lock() -> Result<(), Error> {
    bridge()
        .call(|c| async move { Ok(vault(&c).await?.lock().await?) })
        .await
}

/// Turns keyring unlock on or off.
pub async fn set_keyring(enabled: bool) -> Result<(), Error> {
    bridge()
        .call(move |c| async move {
            let v = vault(&c).await?;
            if enabled {
                v.enable_keyring().await?
            } else {
                v.disable_keyring().await?
            }
            Ok(())
        })
        .await
}

/// Account metadata.
pub async fn list_accounts() -> Result<Vec<AccountInfo>, Error> {
    bridge()
        .call(|c| async move { Ok(vault(&c).await?.list_accounts().await?) })
        .await
}

/// The current code of an account: `(code, valid_from, valid_until)`.
pub async fn code(id: String) -> Result<(String, u64, u64), Error> {
    bridge()
        .call(|c| async move { Ok(vault(&c).await?.get_code(&id).await?) })
        .await
}

/// The code of the next time window: `(code, valid_from, valid_until)`.
pub async fn next_code(id: String) -> Result<(String, u64, u64), Error> {
    bridge()
        .call(|c| async move { Ok(vault(&c).await?.get_next_code(&id).await?) })
        .await
}

/// Adds an account from an `otpauth://` URI.
pub async fn add_uri(uri: Zeroizing<String>) -> Result<String, Error> {
    bridge()
        .call(|c| async move { Ok(vault(&c).await?.add_uri(&uri).await?) })
        .await
}

/// The fields of the add-account form.
#[derive(Clone)]
pub struct NewAccount {
    pub issuer: String,
    pub account: String,
    pub secret: Zeroizing<String>,
    pub kind: String,
    pub algorithm: String,
    pub digits: u32,
    pub period: u32,
    /// HOTP: the counter of the next code.
    pub counter: u64,
}

/// Redacts the secret: a derived Debug would print the seed.
impl std::fmt::Debug for NewAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAccount")
            .field("issuer", &self.issuer)
            .field("account", &self.account)
            .field("secret", &"<redacted>")
            .field("kind", &self.kind)
            .field("algorithm", &self.algorithm)
            .field("digits", &self.digits)
            .field("period", &self.period)
            .finish()
    }
}

/// Adds an account from the form's fields.
pub async fn add_account(a: NewAccount) -> Result<String, Error> {
    bridge()
        .call(|c| async move {
            let v = vault(&c).await?;
            let id = v
                .add_account(
                    &a.issuer,
                    &a.account,
                    &a.secret,
                    &a.kind,
                    &a.algorithm,
                    a.digits,
                    a.period,
                    a.counter,
                )
                .await?;
            Ok(id)
        })
        .await
}

/// Renames an account.
pub async fn rename(id: String, issuer: String, account: String) -> Result<(), Error> {
    bridge()
        .call(|c| async move {
            let mut changes = HashMap::new();
            changes.insert("issuer", Value::from(issuer.as_str()));
            changes.insert("account", Value::from(account.as_str()));
            Ok(vault(&c).await?.update_account(&id, changes).await?)
        })
        .await
}

/// A change to an account's sites (the host names browser fill offers its codes on).
#[derive(Debug, Clone)]
pub enum SiteChange {
    /// Adds a site as typed: the daemon reads it (`https://github.com/login` → `github.com`)
    /// or refuses it with a named error.
    Add(String),
    /// Removes a site the account has (as the daemon wrote it).
    Remove(String),
}

/// Changes an account's sites and returns them as the daemon kept them. The list is read from
/// the daemon in the same call, so a site another client added meanwhile is not dropped.
pub async fn edit_sites(id: String, change: SiteChange) -> Result<Vec<String>, Error> {
    bridge()
        .call(|c| async move {
            let v = vault(&c).await?;
            let sites_of = |list: Vec<AccountInfo>| {
                list.into_iter()
                    .find(|a| a.id == id)
                    .map(|a| a.extra.sites.unwrap_or_default())
                    .ok_or_else(|| Error::NotFound(format!("no account {id}")))
            };
            let mut sites = sites_of(v.list_accounts().await?)?;
            match change {
                SiteChange::Add(site) => sites.push(site),
                SiteChange::Remove(site) => sites.retain(|s| *s != site),
            }
            let list: Vec<&str> = sites.iter().map(String::as_str).collect();
            let changes = HashMap::from([("sites", Value::from(list))]);
            v.update_account(&id, changes).await?;
            sites_of(v.list_accounts().await?)
        })
        .await
}

/// Removes an account.
pub async fn remove(id: String) -> Result<(), Error> {
    bridge()
        .call(|c| async move { Ok(vault(&c).await?.remove_account(&id).await?) })
        .await
}

/// Every daemon setting as it is now, for the preferences window.
pub async fn daemon_settings() -> Result<Snapshot, Error> {
    bridge()
        .call(|c| async move { Ok(Snapshot::read(&settings(&c).await?).await?) })
        .await
}

/// Changes one daemon setting (the daemon validates, saves and applies it).
pub async fn set_setting(setting: Setting, value: SettingValue) -> Result<(), Error> {
    bridge()
        .call(move |c| async move {
            match setting.set(&settings(&c).await?, &value).await {
                Ok(()) => Ok(()),
                Err(SetError::Bus(e)) => Err(e.into()),
                Err(SetError::Value(e)) => Err(Error::InvalidArgument(e.to_string())),
            }
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::NewAccount;
    use zeroize::Zeroizing;

    #[test]
    fn debug_hides_the_secret() {
        let a = NewAccount {
            issuer: "GitHub".into(),
            account: "alice".into(),
            secret: Zeroizing::new("JBSWY3DPEHPK3PXP".into()),
            kind: "totp".into(),
            algorithm: "SHA1".into(),
            digits: 6,
            period: 30,
            counter: 0,
        };
        let shown = format!("{a:?}");
        assert!(!shown.contains("JBSWY3DPEHPK3PXP"), "{shown}");
        assert!(shown.contains("GitHub"), "{shown}");
    }
}
