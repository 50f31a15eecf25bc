//! The work behind `Vault.Import`: parse off the dispatcher (scrypt), then apply in one write.

use super::{SharedState, lock_state, to_dbus_error};
use crate::import::{Format, ImportError, parse};
use crate::state::ImportReport;
use crate::state::StateError;
use latchkey_dbus::Error;
use std::collections::HashMap;
use zbus::zvariant::{OwnedValue, Value};
use zeroize::Zeroizing;

/// One dictionary per entry, as the bus carries them.
pub type Dicts = Vec<HashMap<String, OwnedValue>>;
/// `Import`'s reply: added, skipped, failed, notes.
pub type Reply = (Dicts, Dicts, Dicts, Vec<String>);

/// Parses `data` and imports it; returns the reply, the new ids (none on a dry run) and the
/// format's name.
pub async fn run(
    state: &SharedState,
    data: Zeroizing<Vec<u8>>,
    format: &str,
    passphrase: Zeroizing<String>,
    dry_run: bool,
) -> Result<(Reply, Vec<String>, &'static str), Error> {
    let format = Format::from_name(format).map_err(to_error)?;
    if lock_state(state).locked() {
        return Err(to_dbus_error(StateError::Locked));
    }
    let parsed = tokio::task::spawn_blocking(move || {
        let pass = (!passphrase.is_empty()).then_some(passphrase.as_bytes());
        parse(&data, format, pass)
    })
    .await
    .map_err(|e| Error::Storage(format!("internal error: {e}")))?
    .map_err(to_error)?;
    let (format, notes) = (parsed.format, parsed.notes);
    let state = state.clone();
    let report =
        tokio::task::spawn_blocking(move || lock_state(&state).import(parsed.entries, dry_run))
            .await
            .map_err(|e| Error::Storage(format!("internal error: {e}")))?
            .map_err(to_dbus_error)?;
    tracing::info!(
        event = "import",
        format = format.name(),
        dry_run,
        added = report.added.len(),
        skipped = report.skipped.len(),
        failed = report.failed.len(),
        "import: {} added, {} skipped, {} failed",
        report.added.len(),
        report.skipped.len(),
        report.failed.len()
    );
    let ids = report
        .added
        .iter()
        .filter(|a| !a.id.is_empty())
        .map(|a| a.id.clone())
        .collect();
    Ok((reply(report, notes), ids, format.name()))
}

fn to_error(e: ImportError) -> Error {
    match e {
        ImportError::BadPassphrase(_) | ImportError::BadPassphraseOrCorrupted(_) => {
            Error::BadPassphrase(e.to_string())
        }
        ImportError::PassphraseRequired(_) => Error::PassphraseRequired(e.to_string()),
        e => Error::InvalidArgument(e.to_string()),
    }
}

fn reply(r: ImportReport, notes: Vec<String>) -> Reply {
    let added = r
        .added
        .into_iter()
        .map(|a| dict(a.position, a.issuer, a.account, [("id", a.id)]))
        .collect();
    let skipped = r
        .skipped
        .into_iter()
        .map(|s| {
            dict(
                s.position,
                s.issuer,
                s.account,
                [("duplicate_of", s.duplicate_of)],
            )
        })
        .collect();
    let failed = r
        .failed
        .into_iter()
        .map(|f| {
            dict(
                f.position,
                f.issuer,
                f.account,
                [("reason", f.fault.to_string())],
            )
        })
        .collect();
    (added, skipped, failed, notes)
}

fn dict(
    position: usize,
    issuer: String,
    account: String,
    extra: [(&str, String); 1],
) -> HashMap<String, OwnedValue> {
    let position = u32::try_from(position).unwrap_or(u32::MAX);
    let mut d = HashMap::new();
    let fields = [
        ("position", Value::from(position)),
        ("issuer", Value::from(issuer)),
        ("account", Value::from(account)),
        (extra[0].0, Value::from(extra[0].1.clone())),
    ];
    for (k, v) in fields {
        if let Ok(v) = OwnedValue::try_from(v) {
            d.insert(k.to_string(), v);
        }
    }
    d
}
