//! Reading passphrases: from the terminal without echo, or one line per passphrase from stdin.

use crate::exit::CliError;
use std::io::BufRead;
use zeroize::Zeroizing;

/// Where passphrases come from for one command.
pub enum Source {
    Terminal,
    Stdin(std::io::StdinLock<'static>),
}

impl Source {
    /// Stdin when `--passphrase-stdin` was given, the terminal otherwise.
    pub fn new(from_stdin: bool) -> Self {
        if from_stdin {
            Source::Stdin(std::io::stdin().lock())
        } else {
            Source::Terminal
        }
    }

    /// Reads one passphrase, prompting with `prompt` on the terminal.
    pub fn read(&mut self, prompt: &str) -> Result<Zeroizing<String>, CliError> {
        match self {
            Source::Terminal => rpassword::prompt_password(prompt)
                .map(Zeroizing::new)
                .map_err(|e| {
                    CliError::other(format!(
                        "cannot read the passphrase from the terminal ({e}); use --passphrase-stdin"
                    ))
                }),
            Source::Stdin(lock) => {
                let mut line = Zeroizing::new(String::new());
                let n = lock.read_line(&mut line).map_err(|e| {
                    CliError::other(format!("cannot read the passphrase from stdin: {e}"))
                })?;
                if n == 0 {
                    return Err(CliError::other(
                        "no passphrase on stdin (expected one line)",
                    ));
                }
                while line.ends_with('\n') || line.ends_with('\r') {
                    line.pop();
                }
                Ok(line)
            }
        }
    }

    /// Reads a new passphrase; on a terminal, asks twice and checks they match.
    pub fn read_new(&mut self, prompt: &str) -> Result<Zeroizing<String>, CliError> {
        let first = self.read(prompt)?;
        if first.is_empty() {
            return Err(CliError::other("the passphrase must not be empty"));
        }
        if let Source::Terminal = self {
            let again = self.read("Repeat the passphrase: ")?;
            if *again != *first {
                return Err(CliError::other(
                    "the passphrases do not match; nothing was changed",
                ));
            }
        }
        Ok(first)
    }
}
