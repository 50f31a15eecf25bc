//! One module per group of subcommands; each returns a `CliError`. The vault commands take the
//! vault proxy; `service`, `doctor` and `diagnostics` reach what they need themselves, because they
//! must work (and say why) when the daemon or the bus is missing.

pub mod access;
pub mod accounts;
pub mod approvals;
pub mod backup;
pub mod browser;
pub mod code;
pub mod diagnostics;
pub mod doctor;
pub mod export;
pub mod help;
pub mod import;
pub mod service;
pub mod settings;
pub mod sync;
pub mod vault;

use crate::exit::CliError;
use std::io::Read;
use zeroize::Zeroizing;

/// Reads a whole value (URI or secret) from stdin when the argument is "-".
pub fn value_or_stdin(arg: &str) -> Result<Zeroizing<String>, CliError> {
    if arg != "-" {
        return Ok(Zeroizing::new(arg.to_string()));
    }
    let mut text = Zeroizing::new(String::new());
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| CliError::other(format!("cannot read stdin: {e}")))?;
    Ok(Zeroizing::new(text.trim().to_string()))
}

/// Prints a JSON value on stdout.
pub fn print_json(value: &serde_json::Value) {
    println!("{value}");
}
