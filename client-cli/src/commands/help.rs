//! `completions` and the manual page: both made from the same definitions as `--help`
//! (`crate::args`), so they cannot drift from what the command accepts.

use crate::args::Cli;
use crate::exit::CliError;
use clap::CommandFactory;

/// Prints `shell`'s completion script for `latchkey`.
pub fn completions(shell: clap_complete::Shell) -> Result<(), CliError> {
    clap_complete::generate(
        shell,
        &mut Cli::command(),
        "latchkey",
        &mut std::io::stdout(),
    );
    Ok(())
}

/// Prints the manual page, latchkey(1), in roff.
pub fn manual() -> Result<(), CliError> {
    clap_mangen::Man::new(Cli::command())
        .section("1")
        .render(&mut std::io::stdout())
        .map_err(|e| CliError::other(format!("cannot write the manual: {e}")))
}
