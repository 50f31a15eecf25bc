//! The daemon's settings as the contract names and types them, so the CLI, the app and the
//! daemon's config.toml agree on every name, its type, and which changes weaken a protection.
//!
//! On the bus each setting is a property of `org.latchkey.Latchkey1.Settings`; [`Setting`]
//! reads and writes it by name with its type, [`Snapshot`] reads all of them at once.

use crate::proxy::SettingsProxy;

/// One daemon setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Setting {
    AutoLockTimeout,
    LockOnScreenLock,
    LockOnSuspend,
    LockOnSessionIdle,
    ApprovalRequiresUnlock,
    RequireAppConsent,
    PushPollInterval,
    LogLevel,
    AutomaticBackups,
    BackupFolder,
    BackupKeep,
}

/// What kind of value a setting holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// On or off.
    Flag,
    /// A number of seconds (0 means never, where the setting says so).
    Seconds,
    /// A count.
    Count,
    /// Text (a path, a log filter).
    Text,
}

/// A setting's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Flag(bool),
    Number(u32),
    Text(String),
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Flag(b) => write!(f, "{b}"),
            Value::Number(n) => write!(f, "{n}"),
            Value::Text(t) => f.write_str(t),
        }
    }
}

/// Why a text is not a value of a setting, or a name not a setting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingError {
    #[error("unknown setting {0:?}; settings: {names}", names = Setting::names())]
    Unknown(String),
    #[error("{0:?} is not true or false")]
    NotFlag(String),
    #[error("{0:?} is not a number of seconds")]
    NotSeconds(String),
    #[error("{0:?} is not a number")]
    NotCount(String),
    #[error("{0} takes {1}, not this value")]
    Mismatch(&'static str, &'static str),
}

impl Setting {
    /// Every setting, in the order people read them.
    pub const ALL: [Setting; 11] = [
        Setting::AutoLockTimeout,
        Setting::LockOnScreenLock,
        Setting::LockOnSuspend,
        Setting::LockOnSessionIdle,
        Setting::ApprovalRequiresUnlock,
        Setting::RequireAppConsent,
        Setting::PushPollInterval,
        Setting::LogLevel,
        Setting::AutomaticBackups,
        Setting::BackupFolder,
        Setting::BackupKeep,
    ];

    /// The name config.toml and the CLI use.
    pub fn name(self) -> &'static str {
        match self {
            Setting::AutoLockTimeout => "auto_lock_timeout",
            Setting::LockOnScreenLock => "lock_on_screen_lock",
            Setting::LockOnSuspend => "lock_on_suspend",
            Setting::LockOnSessionIdle => "lock_on_session_idle",
            Setting::ApprovalRequiresUnlock => "approval_requires_unlock",
            Setting::RequireAppConsent => "require_app_consent",
            Setting::PushPollInterval => "push_poll_interval",
            Setting::LogLevel => "log_level",
            Setting::AutomaticBackups => "automatic_backups",
            Setting::BackupFolder => "backup_folder",
            Setting::BackupKeep => "backup_keep",
        }
    }

    /// Every name, comma-separated, for messages.
    pub fn names() -> String {
        Self::ALL.map(Setting::name).join(", ")
    }

    /// The setting called `name`.
    pub fn from_name(name: &str) -> Result<Setting, SettingError> {
        Self::ALL
            .into_iter()
            .find(|s| s.name() == name)
            .ok_or_else(|| SettingError::Unknown(name.to_string()))
    }

    /// What kind of value it holds.
    pub fn kind(self) -> Kind {
        match self {
            Setting::AutoLockTimeout | Setting::PushPollInterval => Kind::Seconds,
            Setting::BackupKeep => Kind::Count,
            Setting::LogLevel | Setting::BackupFolder => Kind::Text,
            _ => Kind::Flag,
        }
    }

    /// Reads `text` as a value of this setting (`on`/`off`, `yes`/`no`, `1`/`0` for flags).
    pub fn parse(self, text: &str) -> Result<Value, SettingError> {
        match self.kind() {
            Kind::Flag => match text.to_lowercase().as_str() {
                "true" | "yes" | "on" | "1" => Ok(Value::Flag(true)),
                "false" | "no" | "off" | "0" => Ok(Value::Flag(false)),
                _ => Err(SettingError::NotFlag(text.to_string())),
            },
            Kind::Seconds => text
                .parse()
                .map(Value::Number)
                .map_err(|_| SettingError::NotSeconds(text.to_string())),
            Kind::Count => text
                .parse()
                .map(Value::Number)
                .map_err(|_| SettingError::NotCount(text.to_string())),
            Kind::Text => Ok(Value::Text(text.to_string())),
        }
    }

    /// The setting's current value, read from the daemon.
    pub async fn get(self, s: &SettingsProxy<'_>) -> zbus::Result<Value> {
        Ok(match self {
            Setting::AutoLockTimeout => Value::Number(s.auto_lock_timeout().await?),
            Setting::LockOnScreenLock => Value::Flag(s.lock_on_screen_lock().await?),
            Setting::LockOnSuspend => Value::Flag(s.lock_on_suspend().await?),
            Setting::LockOnSessionIdle => Value::Flag(s.lock_on_session_idle().await?),
            Setting::ApprovalRequiresUnlock => Value::Flag(s.approval_requires_unlock().await?),
            Setting::RequireAppConsent => Value::Flag(s.require_app_consent().await?),
            Setting::PushPollInterval => Value::Number(s.push_poll_interval().await?),
            Setting::LogLevel => Value::Text(s.log_level().await?),
            Setting::AutomaticBackups => Value::Flag(s.automatic_backups().await?),
            Setting::BackupFolder => Value::Text(s.backup_folder().await?),
            Setting::BackupKeep => Value::Number(s.backup_keep().await?),
        })
    }

    /// Asks the daemon to change the setting to `value` (it validates, saves and applies it).
    pub async fn set(self, s: &SettingsProxy<'_>, value: &Value) -> Result<(), SetError> {
        let mismatch = || {
            let wanted = match self.kind() {
                Kind::Flag => "true or false",
                Kind::Seconds => "a number of seconds",
                Kind::Count => "a number",
                Kind::Text => "text",
            };
            SetError::Value(SettingError::Mismatch(self.name(), wanted))
        };
        let flag = || match value {
            Value::Flag(b) => Ok(*b),
            _ => Err(mismatch()),
        };
        let number = || match value {
            Value::Number(n) => Ok(*n),
            _ => Err(mismatch()),
        };
        let text = || match value {
            Value::Text(t) => Ok(t.clone()),
            _ => Err(mismatch()),
        };
        match self {
            Setting::AutoLockTimeout => s.set_auto_lock_timeout(number()?).await,
            Setting::LockOnScreenLock => s.set_lock_on_screen_lock(flag()?).await,
            Setting::LockOnSuspend => s.set_lock_on_suspend(flag()?).await,
            Setting::LockOnSessionIdle => s.set_lock_on_session_idle(flag()?).await,
            Setting::ApprovalRequiresUnlock => s.set_approval_requires_unlock(flag()?).await,
            Setting::RequireAppConsent => s.set_require_app_consent(flag()?).await,
            Setting::PushPollInterval => s.set_push_poll_interval(number()?).await,
            Setting::LogLevel => s.set_log_level(text()?).await,
            Setting::AutomaticBackups => s.set_automatic_backups(flag()?).await,
            Setting::BackupFolder => s.set_backup_folder(&text()?).await,
            Setting::BackupKeep => s.set_backup_keep(number()?).await,
        }
        .map_err(SetError::from)
    }

    /// The question to ask a person before changing the setting from `old` to `new` when the
    /// change switches a protection off or weakens it; `None` when it does not.
    pub fn weakens(self, old: &Value, new: &Value) -> Option<String> {
        let off = matches!(new, Value::Flag(false));
        match self {
            Setting::RequireAppConsent if off => {
                Some("Let every app get codes without asking you first?".into())
            }
            Setting::ApprovalRequiresUnlock if off => {
                Some("Let sign-in requests be approved while the vault is locked?".into())
            }
            Setting::LockOnScreenLock | Setting::LockOnSuspend | Setting::LockOnSessionIdle
                if off =>
            {
                Some(format!(
                    "Stop locking the vault automatically ({})?",
                    self.name()
                ))
            }
            Setting::AutomaticBackups if off => Some("Stop writing automatic backups?".into()),
            Setting::AutoLockTimeout => match (old, new) {
                (_, Value::Number(0)) => Some("Never lock the vault after inactivity?".into()),
                (Value::Number(old), Value::Number(n)) if *old != 0 && n > old => Some(format!(
                    "Keep the vault unlocked longer when idle ({old} s -> {n} s)?"
                )),
                _ => None,
            },
            _ => None,
        }
    }
}

/// Why a setting was not changed.
#[derive(Debug, thiserror::Error)]
pub enum SetError {
    /// The value is not of the setting's kind.
    #[error(transparent)]
    Value(#[from] SettingError),
    /// The daemon refused the value (its message says why) or could not be reached.
    #[error(transparent)]
    Bus(#[from] zbus::Error),
}

/// Every setting's value at one moment, for a settings page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot(Vec<(Setting, Value)>);

impl Snapshot {
    /// Reads every setting from the daemon.
    pub async fn read(s: &SettingsProxy<'_>) -> zbus::Result<Snapshot> {
        let mut values = Vec::with_capacity(Setting::ALL.len());
        for setting in Setting::ALL {
            values.push((setting, setting.get(s).await?));
        }
        Ok(Snapshot(values))
    }

    /// The value of `setting`.
    pub fn get(&self, setting: Setting) -> Option<&Value> {
        self.0.iter().find(|(s, _)| *s == setting).map(|(_, v)| v)
    }

    /// Records that `setting` now has `value` (after a change the daemon accepted).
    pub fn set(&mut self, setting: Setting, value: Value) {
        match self.0.iter_mut().find(|(s, _)| *s == setting) {
            Some(entry) => entry.1 = value,
            None => self.0.push((setting, value)),
        }
    }

    /// A flag setting's value (false if it is not a flag).
    pub fn flag(&self, setting: Setting) -> bool {
        matches!(self.get(setting), Some(Value::Flag(true)))
    }

    /// A number setting's value (0 if it is not a number).
    pub fn number(&self, setting: Setting) -> u32 {
        match self.get(setting) {
            Some(Value::Number(n)) => *n,
            _ => 0,
        }
    }

    /// Every setting and its value, in [`Setting::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = &(Setting, Value)> {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_list_the_known() {
        for s in Setting::ALL {
            assert_eq!(Setting::from_name(s.name()), Ok(s));
        }
        let e = Setting::from_name("autolock").expect_err("unknown");
        assert!(
            e.to_string()
                .contains("auto_lock_timeout, lock_on_screen_lock"),
            "{e}"
        );
    }

    #[test]
    fn values_are_read_by_kind() {
        assert_eq!(Setting::LockOnSuspend.parse("Off"), Ok(Value::Flag(false)));
        assert_eq!(
            Setting::AutoLockTimeout.parse("300"),
            Ok(Value::Number(300))
        );
        assert!(matches!(
            Setting::AutoLockTimeout.parse("5m"),
            Err(SettingError::NotSeconds(_))
        ));
        assert!(matches!(
            Setting::BackupKeep.parse("-1"),
            Err(SettingError::NotCount(_))
        ));
        assert_eq!(
            Setting::BackupFolder.parse("/x"),
            Ok(Value::Text("/x".into()))
        );
    }

    #[test]
    fn weakening_changes_are_named() {
        let (on, off) = (Value::Flag(true), Value::Flag(false));
        assert!(Setting::RequireAppConsent.weakens(&on, &off).is_some());
        assert!(Setting::RequireAppConsent.weakens(&off, &on).is_none());
        let (n60, n600, n0) = (Value::Number(60), Value::Number(600), Value::Number(0));
        assert!(Setting::AutoLockTimeout.weakens(&n60, &n600).is_some());
        assert!(Setting::AutoLockTimeout.weakens(&n600, &n60).is_none());
        assert!(Setting::AutoLockTimeout.weakens(&n60, &n0).is_some());
        assert!(Setting::AutoLockTimeout.weakens(&n0, &n60).is_none());
        assert!(Setting::BackupKeep.weakens(&n60, &n0).is_none());
    }
}
