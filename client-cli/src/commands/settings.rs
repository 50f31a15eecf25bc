//! `config get|set`: the daemon's settings, through its Settings interface.

use crate::exit::{CliError, USAGE};
use latchkey_dbus::SettingsProxy;
use latchkey_dbus::settings::{SetError, Setting, SettingError};

fn usage(e: SettingError) -> CliError {
    CliError::new(USAGE, e.to_string())
}

/// Prints one setting, or all.
pub async fn get(s: &SettingsProxy<'_>, key: Option<&str>) -> Result<(), CliError> {
    match key {
        Some(k) => {
            let setting = Setting::from_name(k).map_err(usage)?;
            println!("{}", setting.get(s).await?);
        }
        None => {
            for setting in Setting::ALL {
                println!("{} = {}", setting.name(), setting.get(s).await?);
            }
        }
    }
    Ok(())
}

/// Changes one setting; the daemon validates it, saves config.toml and applies it at once.
/// Switching a protection off needs a person at the terminal to confirm it.
pub async fn set(s: &SettingsProxy<'_>, key: &str, value: &str) -> Result<(), CliError> {
    let setting = Setting::from_name(key).map_err(usage)?;
    let new = setting.parse(value).map_err(usage)?;
    let old = setting.get(s).await?;
    if let Some(question) = setting.weakens(&old, &new) {
        crate::person::confirm(&question)?;
    }
    setting.set(s, &new).await.map_err(|e| match e {
        SetError::Value(v) => usage(v),
        SetError::Bus(zbus::Error::FDO(f)) => CliError::new(USAGE, f.to_string()),
        SetError::Bus(other) => other.into(),
    })?;
    eprintln!("{key} = {value}");
    Ok(())
}
