//! Exit codes, documented and stable so scripts can tell "locked" from "not found".

use latchkey_dbus::Error;

/// Success.
pub const OK: u8 = 0;
/// Any other error.
pub const FAILURE: u8 = 1;
/// Bad command-line usage (clap's own code).
pub const USAGE: u8 = 2;
/// The vault is locked.
pub const LOCKED: u8 = 3;
/// No such account (or the query matched none).
pub const NOT_FOUND: u8 = 4;
/// The daemon could not be reached or started.
pub const UNREACHABLE: u8 = 5;
/// Wrong passphrase.
pub const BAD_PASSPHRASE: u8 = 6;
/// No vault exists yet.
pub const NOT_INITIALIZED: u8 = 7;
/// The query matched several accounts.
pub const AMBIGUOUS: u8 = 8;
/// The command needs a person at a terminal and there is none.
pub const NO_PERSON: u8 = 9;

/// Shown at the end of `--help`.
pub const EXIT_CODES_HELP: &str = "Exit codes: 0 success, 1 other error, 2 usage, 3 vault locked, 4 not found, \
5 daemon unreachable, 6 wrong passphrase, 7 no vault yet, 8 query matches several accounts, 9 needs a person at a terminal.";

/// An error the CLI reports: a message for the person and an exit code for the script.
#[derive(Debug)]
pub struct CliError {
    pub code: u8,
    pub message: String,
}

impl CliError {
    /// An error with an explicit exit code.
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
    /// A generic failure (exit 1).
    pub fn other(message: impl Into<String>) -> Self {
        Self::new(FAILURE, message)
    }
}

impl From<zbus::Error> for CliError {
    fn from(e: zbus::Error) -> Self {
        Error::from(e).into()
    }
}

impl From<Error> for CliError {
    fn from(e: Error) -> Self {
        let code = match &e {
            Error::Locked(_) => LOCKED,
            Error::NotFound(_) => NOT_FOUND,
            Error::BadPassphrase(_) | Error::PassphraseRequired(_) => BAD_PASSPHRASE,
            Error::NotInitialized(_) => NOT_INITIALIZED,
            Error::ZBus(z) if is_unreachable(z) => UNREACHABLE,
            _ => FAILURE,
        };
        // The daemon's messages name no command (the app shows them too); the CLI adds its own.
        let message = match (&e, code) {
            (Error::ZBus(z), UNREACHABLE) => format!("cannot reach latchkeyd: {z}"),
            (Error::NotInitialized(_), _) => {
                format!("{}: create one with `latchkey init`", e.message())
            }
            (Error::UnknownFormat(m), _) => {
                format!("{m} with --format NAME (latchkey import --help lists the names)")
            }
            _ => e.message(),
        };
        Self { code, message }
    }
}

fn is_unreachable(e: &zbus::Error) -> bool {
    use zbus::fdo::Error as Fdo;
    match e {
        zbus::Error::InputOutput(_) | zbus::Error::Address(_) | zbus::Error::Handshake(_) => true,
        zbus::Error::FDO(f) => matches!(
            **f,
            Fdo::ServiceUnknown(_)
                | Fdo::NameHasNoOwner(_)
                | Fdo::NoReply(_)
                | Fdo::Disconnected(_)
                | Fdo::SpawnExecFailed(_)
                | Fdo::SpawnFailed(_)
                | Fdo::SpawnChildExited(_)
                | Fdo::SpawnChildSignaled(_)
                | Fdo::SpawnServiceNotFound(_)
                | Fdo::TimedOut(_)
                | Fdo::Timeout(_)
        ),
        zbus::Error::MethodError(name, _, _) => {
            let n = name.as_str();
            n == "org.freedesktop.DBus.Error.ServiceUnknown"
                || n == "org.freedesktop.DBus.Error.NoReply"
                || n == "org.freedesktop.DBus.Error.NameHasNoOwner"
                || n.starts_with("org.freedesktop.DBus.Error.Spawn")
        }
        _ => false,
    }
}
