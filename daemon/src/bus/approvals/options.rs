//! RequestApproval's arguments, checked: bounded strings, known options, sane ranges.

use crate::approvals::{Claims, DEFAULT_CHOICES, DEFAULT_TIMEOUT, MAX_TIMEOUT, NumberMatch};
use latchkey_dbus::Error;
use std::collections::HashMap;
use zbus::zvariant::OwnedValue;

/// A request as the requester asked for it, once every argument passed its checks.
pub(super) struct Asked {
    pub claims: Claims,
    pub timeout: u32,
    /// The numbers to pick from, with number matching.
    pub number: Option<NumberMatch>,
}

/// Checks RequestApproval's title, message and options in the order the method always has.
pub(super) fn parse(
    title: String,
    message: String,
    options: &HashMap<String, OwnedValue>,
) -> Result<Asked, Error> {
    let title = bounded("title", title, 200)?;
    if title.trim().is_empty() {
        return Err(Error::InvalidArgument("a request needs a title".into()));
    }
    for key in options.keys() {
        if ![
            "account_id",
            "app_name",
            "location",
            "ip_address",
            "number_matching",
            "choices",
            "timeout",
        ]
        .contains(&key.as_str())
        {
            return Err(Error::InvalidArgument(format!("unknown option {key:?}")));
        }
    }
    let claims = Claims {
        title,
        message: bounded("message", message, 2000)?,
        account_id: bounded("account_id", opt_str(options, "account_id")?, 100)?,
        app_name: bounded("app_name", opt_str(options, "app_name")?, 200)?,
        location: bounded("location", opt_str(options, "location")?, 200)?,
        ip_address: bounded("ip_address", opt_str(options, "ip_address")?, 100)?,
        // Only the daemon's own consent for a browser names a site.
        site: String::new(),
    };
    let timeout = opt_u32(options, "timeout", DEFAULT_TIMEOUT)?;
    if !(1..=MAX_TIMEOUT).contains(&timeout) {
        return Err(Error::InvalidArgument(format!(
            "timeout must be between 1 and {MAX_TIMEOUT} seconds"
        )));
    }
    let matching = match options.get("number_matching") {
        None => false,
        Some(v) => bool::try_from(v)
            .map_err(|_| Error::InvalidArgument("number_matching must be a boolean".into()))?,
    };
    let choices = opt_u32(options, "choices", DEFAULT_CHOICES)?;
    if !(2..=9).contains(&choices) {
        return Err(Error::InvalidArgument(
            "choices must be between 2 and 9".into(),
        ));
    }
    let number = matching.then(|| NumberMatch::generate(choices as usize));
    Ok(Asked {
        claims,
        timeout,
        number,
    })
}

/// A string option; absent is empty.
fn opt_str(options: &HashMap<String, OwnedValue>, key: &str) -> Result<String, Error> {
    match options.get(key) {
        None => Ok(String::new()),
        Some(v) => String::try_from(
            v.try_clone()
                .map_err(|e| Error::InvalidArgument(e.to_string()))?,
        )
        .map_err(|_| Error::InvalidArgument(format!("option {key} must be a string"))),
    }
}

/// A uint32 option; absent is `default`.
fn opt_u32(options: &HashMap<String, OwnedValue>, key: &str, default: u32) -> Result<u32, Error> {
    match options.get(key) {
        None => Ok(default),
        Some(v) => u32::try_from(v)
            .map_err(|_| Error::InvalidArgument(format!("option {key} must be a uint32"))),
    }
}

/// `value` unless it is longer than `max` bytes.
fn bounded(field: &str, value: String, max: usize) -> Result<String, Error> {
    if value.len() > max {
        return Err(Error::InvalidArgument(format!(
            "{field} is longer than {max} bytes"
        )));
    }
    Ok(value)
}
