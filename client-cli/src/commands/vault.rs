//! `init`, `unlock`, `lock`, `passwd`, `status`.

use crate::exit::CliError;
use crate::passphrase::Source;
use latchkey_dbus::VaultProxy;

/// Creates the vault.
pub async fn init(vault: &VaultProxy<'_>, from_stdin: bool) -> Result<(), CliError> {
    if vault.initialized().await? {
        return Err(CliError::other(
            "a vault already exists; it is never overwritten",
        ));
    }
    let pass = Source::new(from_stdin).read_new("New vault passphrase: ")?;
    vault.create(&pass).await?;
    eprintln!("Vault created and unlocked.");
    Ok(())
}

/// Unlocks the vault.
pub async fn unlock(vault: &VaultProxy<'_>, from_stdin: bool) -> Result<(), CliError> {
    if !vault.locked().await? {
        eprintln!("The vault is already unlocked.");
        return Ok(());
    }
    let pass = Source::new(from_stdin).read("Vault passphrase: ")?;
    vault.unlock(&pass).await?;
    eprintln!("Vault unlocked.");
    Ok(())
}

/// Locks the vault.
pub async fn lock(vault: &VaultProxy<'_>) -> Result<(), CliError> {
    vault.lock().await?;
    eprintln!("Vault locked.");
    Ok(())
}

/// Changes the passphrase.
pub async fn passwd(vault: &VaultProxy<'_>, from_stdin: bool) -> Result<(), CliError> {
    let mut source = Source::new(from_stdin);
    let old = source.read("Current passphrase: ")?;
    let new = source.read_new("New passphrase: ")?;
    vault.change_passphrase(&old, &new).await?;
    eprintln!("Passphrase changed.");
    Ok(())
}

/// Prints lock state and account count.
pub async fn status(vault: &VaultProxy<'_>, json: bool) -> Result<(), CliError> {
    let initialized = vault.initialized().await?;
    let locked = vault.locked().await?;
    let accounts = vault.account_count().await?;
    let version = vault.version().await?;
    if json {
        super::print_json(&serde_json::json!({
            "initialized": initialized,
            "locked": locked,
            "accounts": accounts,
            "daemon_version": version,
        }));
    } else if !initialized {
        println!("No vault yet: create one with `latchkey init`.");
    } else {
        let state = if locked { "locked" } else { "unlocked" };
        println!("Vault: {state}\nAccounts: {accounts}\nDaemon: latchkeyd {version}");
    }
    Ok(())
}
