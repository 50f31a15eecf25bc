//! latchkeyd's integration tests, one binary: each module starts the real daemon on a private
//! D-Bus (and, where a test needs them, gnome-keyring, a privacyIDEA double, logind and
//! notification doubles) and drives it as its clients do.

mod approvals;
mod backups;
mod browser;
mod common;
mod crash_safety;
mod export_round_trip;
mod import_bus;
mod import_formats_bus;
mod introspection;
mod keyring_secret_service;
mod keyring_unlock;
mod lock_desktop;
mod locking;
mod memory_scan;
mod next_code;
mod push_bus;
mod sync;
mod systemd_notify;
