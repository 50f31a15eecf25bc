//! `config get|set`: the daemon's settings, through its Settings interface.

use crate::exit::{CliError, USAGE};
use latchkey_dbus::SettingsProxy;

/// Setting names as config.toml spells them.
pub const KEYS: [&str; 11] = [
    "auto_lock_timeout",
    "lock_on_screen_lock",
    "lock_on_suspend",
    "lock_on_session_idle",
    "approval_requires_unlock",
    "require_app_consent",
    "push_poll_interval",
    "log_level",
    "automatic_backups",
    "backup_folder",
    "backup_keep",
];

async fn get_one(s: &SettingsProxy<'_>, key: &str) -> Result<String, CliError> {
    Ok(match key {
        "auto_lock_timeout" => s.auto_lock_timeout().await?.to_string(),
        "lock_on_screen_lock" => s.lock_on_screen_lock().await?.to_string(),
        "lock_on_suspend" => s.lock_on_suspend().await?.to_string(),
        "lock_on_session_idle" => s.lock_on_session_idle().await?.to_string(),
        "approval_requires_unlock" => s.approval_requires_unlock().await?.to_string(),
        "require_app_consent" => s.require_app_consent().await?.to_string(),
        "push_poll_interval" => s.push_poll_interval().await?.to_string(),
        "log_level" => s.log_level().await?,
        "automatic_backups" => s.automatic_backups().await?.to_string(),
        "backup_folder" => s.backup_folder().await?,
        "backup_keep" => s.backup_keep().await?.to_string(),
        other => return Err(unknown(other)),
    })
}

fn unknown(key: &str) -> CliError {
    CliError::new(
        USAGE,
        format!("unknown setting {key:?}; settings: {}", KEYS.join(", ")),
    )
}

fn boolean(value: &str) -> Result<bool, CliError> {
    match value.to_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Ok(true),
        "false" | "no" | "off" | "0" => Ok(false),
        _ => Err(CliError::new(
            USAGE,
            format!("{value:?} is not true or false"),
        )),
    }
}

fn seconds(value: &str) -> Result<u32, CliError> {
    value
        .parse::<u32>()
        .map_err(|_| CliError::new(USAGE, format!("{value:?} is not a number of seconds")))
}

/// Prints one setting, or all.
pub async fn get(s: &SettingsProxy<'_>, key: Option<&str>) -> Result<(), CliError> {
    match key {
        Some(k) => println!("{}", get_one(s, k).await?),
        None => {
            for k in KEYS {
                println!("{k} = {}", get_one(s, k).await?);
            }
        }
    }
    Ok(())
}

/// The question to ask a person when setting `key` to `value` switches a protection off or
/// weakens it; `None` when it does not.
async fn weakens(
    s: &SettingsProxy<'_>,
    key: &str,
    value: &str,
) -> Result<Option<String>, CliError> {
    let off = || boolean(value).map(|on| !on);
    Ok(match key {
        "require_app_consent" if off()? => {
            Some("Let every app get codes without asking you first?".to_string())
        }
        "approval_requires_unlock" if off()? => {
            Some("Let sign-in requests be approved while the vault is locked?".to_string())
        }
        "lock_on_screen_lock" | "lock_on_suspend" | "lock_on_session_idle" if off()? => {
            Some(format!("Stop locking the vault automatically ({key})?"))
        }
        "automatic_backups" if off()? => Some("Stop writing automatic backups?".to_string()),
        "auto_lock_timeout" => {
            let new = seconds(value)?;
            let old = s.auto_lock_timeout().await?;
            match new {
                0 => Some("Never lock the vault after inactivity?".to_string()),
                n if old != 0 && n > old => Some(format!(
                    "Keep the vault unlocked longer when idle ({old} s -> {n} s)?"
                )),
                _ => None,
            }
        }
        _ => None,
    })
}

/// Changes one setting; the daemon validates it, saves config.toml and applies it at once.
/// Switching a protection off needs a person at the terminal to confirm it.
pub async fn set(s: &SettingsProxy<'_>, key: &str, value: &str) -> Result<(), CliError> {
    if let Some(question) = weakens(s, key, value).await? {
        crate::person::confirm(&question)?;
    }
    let result = match key {
        "auto_lock_timeout" => s.set_auto_lock_timeout(seconds(value)?).await,
        "lock_on_screen_lock" => s.set_lock_on_screen_lock(boolean(value)?).await,
        "lock_on_suspend" => s.set_lock_on_suspend(boolean(value)?).await,
        "lock_on_session_idle" => s.set_lock_on_session_idle(boolean(value)?).await,
        "approval_requires_unlock" => s.set_approval_requires_unlock(boolean(value)?).await,
        "require_app_consent" => s.set_require_app_consent(boolean(value)?).await,
        "push_poll_interval" => s.set_push_poll_interval(seconds(value)?).await,
        "log_level" => s.set_log_level(value.to_string()).await,
        "automatic_backups" => s.set_automatic_backups(boolean(value)?).await,
        "backup_folder" => s.set_backup_folder(value).await,
        "backup_keep" => {
            let n = value
                .parse::<u32>()
                .map_err(|_| CliError::new(USAGE, format!("{value:?} is not a number")))?;
            s.set_backup_keep(n).await
        }
        other => return Err(unknown(other)),
    };
    result.map_err(|e| match e {
        zbus::Error::FDO(f) => CliError::new(USAGE, f.to_string()),
        other => other.into(),
    })?;
    eprintln!("{key} = {value}");
    Ok(())
}
