//! `import`: reads the export itself and sends its bytes to the daemon (which never opens paths).

use super::print_json;
use crate::args::{ImportArgs, ImportFormat};
use crate::exit::{CliError, USAGE};
use crate::passphrase::Source;
use latchkey_dbus::{Error, ImportEntry, VaultProxy};
use std::io::Read;
use zeroize::Zeroizing;

/// Largest export read, as the daemon accepts it (10 MiB).
const MAX_INPUT: u64 = 10 * 1024 * 1024;

/// Imports an export and prints what was added, skipped and refused.
pub async fn import(vault: &VaultProxy<'_>, a: ImportArgs) -> Result<(), CliError> {
    if a.source == "-" && a.passphrase_stdin {
        return Err(CliError::new(
            USAGE,
            "--passphrase-stdin cannot be used when the export itself comes from stdin",
        ));
    }
    let data = read_source(&a.source)?;
    let format = format_name(a.format);
    // The daemon recognises the file first: a passphrase is asked (or read from stdin) only when
    // the export turns out to be encrypted, and the request names the app.
    let (added, skipped, failed, notes) = match vault.import(&data, &format, "", a.dry_run).await {
        Err(e) => match Error::from(e) {
            Error::PassphraseRequired(why) => {
                let passphrase = if a.passphrase_stdin {
                    Source::new(true).read("")?
                } else {
                    eprintln!("{why}.");
                    Source::Terminal.read("Passphrase of the export: ")?
                };
                vault.import(&data, &format, &passphrase, a.dry_run).await?
            }
            other => return Err(other.into()),
        },
        Ok(reply) => reply,
    };
    if a.json {
        print_json(&serde_json::json!({
            "dry_run": a.dry_run,
            "added": added.iter().map(json).collect::<Vec<_>>(),
            "skipped": skipped.iter().map(json).collect::<Vec<_>>(),
            "failed": failed.iter().map(json).collect::<Vec<_>>(),
            "notes": notes,
        }));
    } else {
        print_summary(a.dry_run, &added, &skipped, &failed, &notes);
    }
    if failed.is_empty() {
        Ok(())
    } else {
        let n = failed.len();
        Err(CliError::other(format!(
            "{n} entr{} cannot be imported; nothing was imported",
            if n == 1 { "y" } else { "ies" }
        )))
    }
}

/// The export's bytes: the URI given on the command line, stdin for "-", or the file.
fn read_source(source: &str) -> Result<Zeroizing<Vec<u8>>, CliError> {
    let lower = source.get(..8).unwrap_or_default().to_ascii_lowercase();
    if lower == "otpauth:" || lower == "otpauth-" {
        return Ok(Zeroizing::new(source.as_bytes().to_vec()));
    }
    // Sized up front where the length is known, so growth leaves no copies of seeds behind.
    let mut data = Zeroizing::new(Vec::new());
    let result = if source == "-" {
        std::io::stdin().take(MAX_INPUT + 1).read_to_end(&mut data)
    } else {
        std::fs::File::open(source).and_then(|f| {
            let len = f
                .metadata()
                .map(|m| m.len())
                .unwrap_or(0)
                .min(MAX_INPUT + 1);
            data.reserve_exact(usize::try_from(len).unwrap_or(0) + 1);
            f.take(MAX_INPUT + 1).read_to_end(&mut data)
        })
    };
    result.map_err(|e| CliError::other(format!("cannot read {source}: {e}")))?;
    if data.len() as u64 > MAX_INPUT {
        return Err(CliError::other(format!(
            "{source} is larger than 10 MiB; that is not an authenticator export"
        )));
    }
    Ok(data)
}

fn format_name(f: ImportFormat) -> String {
    use clap::ValueEnum;
    f.to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_else(|| "auto".into())
}

fn json(e: &ImportEntry) -> serde_json::Value {
    let mut v = serde_json::json!({
        "position": e.position,
        "issuer": e.issuer,
        "account": e.account,
    });
    for (key, value) in [
        ("id", &e.id),
        ("duplicate_of", &e.duplicate_of),
        ("reason", &e.reason),
    ] {
        if let Some(value) = value {
            v[key] = serde_json::Value::from(value.as_str());
        }
    }
    v
}

fn print_summary(
    dry_run: bool,
    added: &[ImportEntry],
    skipped: &[ImportEntry],
    failed: &[ImportEntry],
    notes: &[String],
) {
    let verb = if dry_run || !failed.is_empty() {
        "Would add"
    } else {
        "Added"
    };
    if failed.is_empty() {
        println!("{verb} {} account(s).", added.len());
        for d in added {
            println!("  + {}", d.label());
        }
    }
    if !skipped.is_empty() {
        println!("Skipped {} duplicate(s):", skipped.len());
        for d in skipped {
            let of = d.duplicate_of.as_deref().unwrap_or_default();
            let why = if of.starts_with("entry ") {
                format!("same as {of}")
            } else {
                format!("already in the vault as {of}")
            };
            println!("  = entry {}: {}: {why}", d.position, d.label());
        }
    }
    if !failed.is_empty() {
        println!("Failed {} entr(y/ies); nothing was added:", failed.len());
        for d in failed {
            println!(
                "  ! entry {}: {}: {}",
                d.position,
                d.label(),
                d.reason.as_deref().unwrap_or_default()
            );
        }
    }
    for n in notes {
        println!("Note: {n}");
    }
    if dry_run {
        println!("Dry run: nothing was changed.");
    }
}
