//! The largest argument each method accepts, in bytes.
//!
//! A D-Bus message arrives whole, as large as the bus allows (a session bus passes 100 MB), and
//! zbus has no limit of its own for what it receives. So the daemon measures every argument
//! before it does any work with it, and refuses with `InvalidArgument` naming the argument and
//! the limit, never repeating what was sent. Clients may check the same numbers first.

use crate::Error;

/// An account id (a UUID, 36 bytes) or a push token id.
pub const ID: usize = 64;
/// A request object path.
pub const PATH: usize = 128;
/// An issuer or account name; the vault allows less (see the daemon's `MAX_LABEL`).
pub const LABEL: usize = 1024;
/// A base32 seed.
pub const SECRET: usize = 1024;
/// An `otpauth://`, `otpauth-migration://` or push enrolment URI.
pub const URI: usize = 8192;
/// A passphrase.
pub const PASSPHRASE: usize = 1024;
/// A short word: a format, kind, algorithm, answer or log level.
pub const WORD: usize = 32;
/// A remembered identity (`exe:/path`, `script:/path`, `flatpak:app.id`) or a folder path.
pub const PATH_NAME: usize = 4200;
/// A file to import or restore.
pub const FILE: usize = 80 << 20;
/// Entries in an options or changes dictionary.
pub const ENTRIES: usize = 32;
/// A page's origin as a browser reports it (`https://host:port`), or a site.
pub const ORIGIN: usize = 320;
/// The sites of one account.
pub const SITES: usize = 32;
/// A browser extension's id or origin (`chrome-extension://…/`, `name@domain`).
pub const EXTENSION: usize = 128;

/// `Ok` if `value` (named `name` in the error) is at most `max` bytes.
pub fn check(name: &str, value: &[u8], max: usize) -> Result<(), Error> {
    if value.len() > max {
        return Err(Error::InvalidArgument(format!(
            "{name} is longer than {max} bytes; nothing was done"
        )));
    }
    Ok(())
}

/// `Ok` if the dictionary `name` has at most [`ENTRIES`] entries, each key at most [`WORD`]
/// bytes (its values are checked where they are read).
pub fn check_entries<'a>(
    name: &str,
    keys: impl ExactSizeIterator<Item = &'a String>,
) -> Result<(), Error> {
    if keys.len() > ENTRIES {
        return Err(Error::InvalidArgument(format!(
            "{name} has more than {ENTRIES} entries; nothing was done"
        )));
    }
    for key in keys {
        check(&format!("a key of {name}"), key.as_bytes(), WORD)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_argument_is_named_not_repeated() {
        let long = "x".repeat(ID + 1);
        let e = check("id", long.as_bytes(), ID).expect_err("too long");
        let text = e.message();
        assert!(text.contains("id is longer than 64 bytes"), "{text}");
        assert!(!text.contains("xx"), "the argument was repeated: {text}");
        check("id", "x".repeat(ID).as_bytes(), ID).expect("at the limit");
    }

    #[test]
    fn dictionaries_are_bounded_in_entries_and_keys() {
        let keys: Vec<String> = (0..=ENTRIES).map(|i| i.to_string()).collect();
        assert!(check_entries("options", keys.iter()).is_err());
        let long = ["k".repeat(WORD + 1)];
        assert!(check_entries("options", long.iter()).is_err());
        let fine = ["issuer".to_string()];
        check_entries("options", fine.iter()).expect("fine");
    }
}
