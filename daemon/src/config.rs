//! Settings from `$XDG_CONFIG_HOME/latchkey/config.toml`. Never holds secrets.
//!
//! A missing file means defaults; a malformed one is reported with its line and the daemon keeps
//! the settings it had, so a typo never takes the service down.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Daemon settings; every field has a default so an empty file is valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Log filter in `RUST_LOG` syntax (e.g. `info`, `latchkeyd=debug`); `RUST_LOG` wins if set.
    pub log_level: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            log_level: "info".into(),
        }
    }
}

/// Why the configuration file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
}

/// The configuration file used when none is given.
pub fn default_path() -> PathBuf {
    crate::paths::config_dir().join("config.toml")
}

impl Config {
    /// Loads `path`; a missing file gives the defaults.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    }
}
