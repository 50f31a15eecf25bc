//! The latchkey CLI's integration tests, one binary: each module runs the real `latchkey` against
//! the real daemon on a private D-Bus, as a user at a terminal would.

mod approvals;
mod browser;
mod cli;
mod common;
mod diagnostics;
mod doctor;
mod export_backup;
mod import;
mod import_apps;
mod import_formats;
mod privacyidea;
mod push_privacyidea;
mod service;
mod sync;
