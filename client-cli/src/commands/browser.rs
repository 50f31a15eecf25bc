//! `browser install` / `uninstall` / `status` / `manifest`: the native-messaging host manifests
//! that let Latchkey's extension (and no other) start `latchkey-browser-host`.
//!
//! A manifest names the host's absolute path and the one extension allowed to start it (the
//! Chromium id fixed by the extension's key, the Firefox add-on id). `install` writes them for
//! this user; the package installs the same files system-wide (`manifest` prints them, so both
//! come from one definition), and `status` reports both. docs/browser.md explains the folders.

use super::service::locate_program;
use crate::args::{BrowserCommand, BrowserName};
use crate::exit::CliError;
use crate::{files, paths};
use latchkey_browser_host::manifest::{self, Browser};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Mode of a manifest: world-readable, like the files a package installs.
const FILE_MODE: u32 = 0o644;

pub fn run(command: BrowserCommand) -> Result<(), CliError> {
    match command {
        BrowserCommand::Install { host } => install(host.as_deref()),
        BrowserCommand::Uninstall => uninstall(),
        BrowserCommand::Status(j) => status(j.json),
        BrowserCommand::Manifest { browser, host } => print_manifest(browser, &host),
    }
}

/// Prints the manifest a package installs for `browser`; the host must be an absolute path.
fn print_manifest(browser: BrowserName, host: &Path) -> Result<(), CliError> {
    if !host.is_absolute() {
        return Err(CliError::other(format!(
            "--host {}: a browser starts the host by its absolute path; give one",
            host.display()
        )));
    }
    let browser = match browser {
        BrowserName::Firefox => Browser::Firefox,
        BrowserName::Chromium => Browser::Chromium,
        BrowserName::Chrome => Browser::Chrome,
    };
    print!("{}", browser.manifest(host));
    Ok(())
}

fn manifest_path(browser: Browser) -> PathBuf {
    browser.user_manifest(&paths::home(), &paths::config_home())
}

fn install(host: Option<&Path>) -> Result<(), CliError> {
    let host = locate_program(host, "latchkey-browser-host", "--host")?;
    println!("Using the host {}", host.display());
    for browser in Browser::ALL {
        let path = manifest_path(browser);
        files::write_atomic(&path, browser.manifest(&host).as_bytes(), FILE_MODE)
            .map_err(|e| CliError::other(format!("cannot write {}: {e}", path.display())))?;
        println!(
            "Installed the {} host manifest {}",
            browser.name(),
            path.display()
        );
    }
    println!(
        "Restart the browser if it runs, then add Latchkey's extension (browser/extension; see \
         docs/browser.md)."
    );
    Ok(())
}

fn uninstall() -> Result<(), CliError> {
    for browser in Browser::ALL {
        let path = manifest_path(browser);
        let removed = files::remove_if_exists(&path)
            .map_err(|e| CliError::other(format!("cannot remove {}: {e}", path.display())))?;
        if removed {
            println!(
                "Removed the {} host manifest {}",
                browser.name(),
                path.display()
            );
        }
    }
    Ok(())
}

/// What a browser's manifest file says.
enum State {
    Missing,
    /// Not a manifest this Latchkey writes (damaged, or another extension allowed).
    Foreign(String),
    /// Ours, starting the host at this path; whether that is an executable file.
    Installed {
        host: PathBuf,
        runs: bool,
    },
}

fn state_of(browser: Browser, path: &Path) -> State {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return State::Missing,
        Err(e) => return State::Foreign(format!("cannot be read: {e}")),
    };
    let Some(host) = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v["path"].as_str().map(PathBuf::from))
    else {
        return State::Foreign("is not a host manifest".into());
    };
    if text != browser.manifest(&host) {
        return State::Foreign(
            "is not the one `latchkey browser install` writes (run it again)".into(),
        );
    }
    let runs =
        std::fs::metadata(&host).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0);
    State::Installed { host, runs }
}

fn status(json: bool) -> Result<(), CliError> {
    let mut rows = Vec::new();
    for browser in Browser::ALL {
        let path = manifest_path(browser);
        let state = state_of(browser, &path);
        let system_path = browser.system_manifest();
        let system = system_path
            .as_ref()
            .map(|p| (state_of(browser, p), p))
            .filter(|(s, _)| !matches!(s, State::Missing));
        if json {
            let mut row = serde_json::json!({
                "browser": browser.name(),
                "manifest": path.display().to_string(),
            });
            fill_json(&mut row, "", &state);
            row["system_manifest"] = system_path.as_ref().map(|p| p.display().to_string()).into();
            fill_json(
                &mut row,
                "system_",
                system.as_ref().map_or(&State::Missing, |(s, _)| s),
            );
            rows.push(row);
            continue;
        }
        println!(
            "{}: {} ({})",
            browser.name(),
            describe(&state),
            path.display()
        );
        if let Some((s, p)) = system {
            println!(
                "{}: system-wide, {} ({})",
                browser.name(),
                describe(&s),
                p.display()
            );
        }
    }
    if json {
        println!("{}", serde_json::Value::from(rows));
    } else {
        println!(
            "Extension ids allowed: {} (Chromium, Google Chrome), {} (Firefox)",
            manifest::CHROMIUM_EXTENSION_ID,
            manifest::FIREFOX_EXTENSION_ID
        );
    }
    Ok(())
}

/// The state of a manifest file as `status --json` reports it, its keys prefixed by `prefix`.
fn fill_json(row: &mut serde_json::Value, prefix: &str, state: &State) {
    let (installed, host, runs, problem) = match state {
        State::Missing => (false, None, false, None),
        State::Foreign(why) => (false, None, false, Some(why.clone())),
        State::Installed { host, runs } => (true, Some(host.display().to_string()), *runs, None),
    };
    row[format!("{prefix}installed")] = installed.into();
    row[format!("{prefix}host")] = host.into();
    row[format!("{prefix}host_runs")] = runs.into();
    row[format!("{prefix}problem")] = problem.into();
}

/// A manifest's state in words.
fn describe(state: &State) -> String {
    match state {
        State::Missing => "not installed".to_string(),
        State::Foreign(why) => format!("the manifest {why}"),
        State::Installed { host, runs: true } => format!("installed, host {}", host.display()),
        State::Installed { host, runs: false } => format!(
            "installed, but the host {} is missing or not executable (run `latchkey browser \
             install` again)",
            host.display()
        ),
    }
}
