//! The work behind `Vault.Import`: parse off the dispatcher (scrypt), then apply in one write.

use super::{SharedState, blocking, lock_state};
use crate::import::{Format, parse};
use crate::state::ImportReport;
use crate::state::StateError;
use latchkey_dbus::{Error, ImportEntry, ImportReply};
use zeroize::Zeroizing;

/// Parses `data` and imports it; returns the reply, the new ids (none on a dry run) and the
/// format's name.
pub async fn run(
    state: &SharedState,
    data: Zeroizing<Vec<u8>>,
    format: &str,
    passphrase: Zeroizing<String>,
    dry_run: bool,
) -> Result<(ImportReply, Vec<String>, &'static str), Error> {
    let format = Format::from_name(format).map_err(StateError::from)?;
    if lock_state(state).locked() {
        return Err(Error::from(StateError::Locked));
    }
    let parsed = blocking(move || {
        let pass = (!passphrase.is_empty()).then_some(passphrase.as_bytes());
        parse(&data, format, pass).map_err(StateError::from)
    })
    .await??;
    let (format, notes) = (parsed.format, parsed.notes);
    let state = state.clone();
    let report = blocking(move || lock_state(&state).import(parsed.entries, dry_run)).await??;
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

fn reply(r: ImportReport, notes: Vec<String>) -> ImportReply {
    let entry = |position: usize, issuer: String, account: String| ImportEntry {
        position: u32::try_from(position).unwrap_or(u32::MAX),
        issuer,
        account,
        ..ImportEntry::default()
    };
    let added = r
        .added
        .into_iter()
        .map(|a| ImportEntry {
            id: Some(a.id),
            ..entry(a.position, a.issuer, a.account)
        })
        .collect();
    let skipped = r
        .skipped
        .into_iter()
        .map(|s| ImportEntry {
            duplicate_of: Some(s.duplicate_of),
            ..entry(s.position, s.issuer, s.account)
        })
        .collect();
    let failed = r
        .failed
        .into_iter()
        .map(|f| ImportEntry {
            reason: Some(f.fault.to_string()),
            ..entry(f.position, f.issuer, f.account)
        })
        .collect();
    (added, skipped, failed, notes)
}
