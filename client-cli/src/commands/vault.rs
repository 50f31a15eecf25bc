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

/// Unlocks the vault: through the login keyring when that is enabled and no passphrase was
/// piped in, else (or when the keyring cannot) with the passphrase.
pub async fn unlock(vault: &VaultProxy<'_>, from_stdin: bool) -> Result<(), CliError> {
    if !vault.locked().await? {
        eprintln!("The vault is already unlocked.");
        return Ok(());
    }
    if !from_stdin && vault.keyring_unlock().await.unwrap_or(false) {
        match vault.unlock_with_keyring().await {
            Ok(()) => {
                eprintln!("Vault unlocked through the login keyring.");
                return Ok(());
            }
            Err(e) => eprintln!("{}", latchkey_dbus::Error::from(e).message()),
        }
    }
    let retry = vault.unlock_retry_after().await.unwrap_or(0);
    let wait = retry.saturating_sub(crate::clock::unix_now());
    if wait > 0 {
        eprintln!("Too many wrong passphrases: the next attempt is possible in {wait} s.");
    }
    let pass = Source::new(from_stdin).read("Vault passphrase: ")?;
    vault.unlock(&pass).await?;
    eprintln!("Vault unlocked.");
    Ok(())
}

/// `HH:MM:SS UTC, N min ago` for a unix time.
fn when(t: u64) -> String {
    let ago = crate::clock::unix_now().saturating_sub(t);
    let (h, m, sec) = ((t / 3600) % 24, (t / 60) % 60, t % 60);
    let ago = if ago < 120 {
        format!("{ago} s ago")
    } else if ago < 7200 {
        format!("{} min ago", ago / 60)
    } else {
        format!("{} h ago", ago / 3600)
    };
    format!("{h:02}:{m:02}:{sec:02} UTC, {ago}")
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

/// Prints lock state (since when and why), accounts, unlock protection and pending requests.
pub async fn status(vault: &VaultProxy<'_>, json: bool) -> Result<(), CliError> {
    let initialized = vault.initialized().await?;
    let locked = vault.locked().await?;
    let accounts = vault.account_count().await?;
    let version = vault.version().await?;
    let reason = vault.lock_reason().await?;
    let since = vault.locked_since().await?;
    let failures = vault.unlock_failures().await?;
    let retry_after = vault.unlock_retry_after().await?;
    let keyring = vault.keyring_unlock().await?;
    let approvals = latchkey_dbus::ApprovalsProxy::new(vault.inner().connection()).await?;
    let pending = approvals.pending_count().await?;
    let backups = latchkey_dbus::BackupProxy::new(vault.inner().connection()).await?;
    let backup_error = backups.last_backup_error().await?;
    if json {
        let mut v = serde_json::json!({
            "initialized": initialized,
            "locked": locked,
            "accounts": accounts,
            "daemon_version": version,
            "unlock_failures": failures,
            "keyring_unlock": keyring,
            "pending_requests": pending,
            "backup_error": backup_error,
        });
        if locked {
            v["lock_reason"] = reason.into();
            v["locked_since"] = since.into();
        }
        if retry_after > crate::clock::unix_now() {
            v["unlock_retry_after"] = retry_after.into();
        }
        super::print_json(&v);
        return Ok(());
    }
    if !initialized {
        println!("No vault yet: create one with `latchkey init`.");
        return Ok(());
    }
    if locked {
        println!("Vault: locked ({reason}) since {}", when(since));
    } else {
        println!("Vault: unlocked");
    }
    println!("Accounts: {accounts}");
    if failures > 0 {
        let wait = retry_after.saturating_sub(crate::clock::unix_now());
        let delay = if wait > 0 {
            format!("; next attempt in {wait} s")
        } else {
            String::new()
        };
        println!("Wrong passphrases in a row: {failures}{delay}");
    }
    println!(
        "Keyring unlock: {}",
        if keyring { "enabled" } else { "off" }
    );
    if pending > 0 {
        println!("Pending requests: {pending} (latchkey approvals)");
    }
    if !backup_error.is_empty() {
        println!("Backups: the last automatic backup failed: {backup_error}");
    }
    println!("Daemon: latchkeyd {version}");
    Ok(())
}

/// Enables keyring unlock.
pub async fn keyring_enable(vault: &VaultProxy<'_>) -> Result<(), CliError> {
    vault.enable_keyring().await?;
    eprintln!(
        "Keyring unlock enabled: the vault now also opens with a random key kept in your login keyring."
    );
    eprintln!(
        "Anyone who can read your unlocked login keyring can unlock the vault; the passphrase is not stored."
    );
    Ok(())
}

/// Disables keyring unlock.
pub async fn keyring_disable(vault: &VaultProxy<'_>) -> Result<(), CliError> {
    vault.disable_keyring().await?;
    eprintln!("Keyring unlock disabled; the key was removed from the keyring.");
    Ok(())
}

/// Whether keyring unlock is enabled.
pub async fn keyring_status(vault: &VaultProxy<'_>, json: bool) -> Result<(), CliError> {
    let enabled = vault.keyring_unlock().await?;
    if json {
        super::print_json(&serde_json::json!({ "enabled": enabled }));
    } else {
        println!(
            "Keyring unlock: {}",
            if enabled { "enabled" } else { "off" }
        );
    }
    Ok(())
}
