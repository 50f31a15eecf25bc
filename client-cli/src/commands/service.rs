//! `service install` / `service uninstall`: latchkeyd as a systemd user service with D-Bus activation.
//!
//! Installs for the current user only; never starts a systemd manager. Where one runs, the unit is
//! enabled and started through `systemctl --user`; elsewhere the session bus starts latchkeyd on
//! first use from the activation file.

use crate::args::InstallArgs;
use crate::exit::CliError;
use crate::systemd::{self, Step};
use crate::{bus, files, paths, units};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Mode of every installed service file: world-readable, like the files a package installs.
const FILE_MODE: u32 = 0o644;

/// Where the three service files go for this user.
struct Targets {
    unit: PathBuf,
    sandbox: PathBuf,
    activation: PathBuf,
}

impl Targets {
    fn for_user() -> Self {
        let unit = paths::user_unit_dir().join(paths::UNIT_NAME);
        let sandbox = paths::user_unit_dir()
            .join(format!("{}.d", paths::UNIT_NAME))
            .join(paths::SANDBOX_NAME);
        let activation = paths::user_services_dir().join(paths::ACTIVATION_NAME);
        Self {
            unit,
            sandbox,
            activation,
        }
    }
}

/// Installs the unit, the activation file and optionally the sandbox drop-in, then enables the
/// unit where a user manager runs; prints each thing it does.
pub async fn install(args: InstallArgs) -> Result<(), CliError> {
    let daemon = locate_daemon(args.daemon.as_deref())?;
    println!("Using the daemon {}", daemon.display());
    let targets = Targets::for_user();
    let render_err = |e: units::RenderError| CliError::other(e.0);

    let unit = units::unit(&daemon, &paths::xdg_overrides()).map_err(render_err)?;
    write(&targets.unit, &unit)?;
    println!("Installed the systemd user unit {}", targets.unit.display());

    if args.sandbox {
        // ProtectHome=read-only leaves only these writable, and only if they exist at start.
        for dir in [paths::data_dir(), paths::config_dir()] {
            files::create_private_dir(&dir)
                .map_err(|e| CliError::other(format!("cannot create {}: {e}", dir.display())))?;
        }
        let dropin = units::sandbox(&paths::home(), &paths::data_dir(), &paths::config_dir())
            .map_err(render_err)?;
        write(&targets.sandbox, &dropin)?;
        println!(
            "Installed the sandbox drop-in {}",
            targets.sandbox.display()
        );
        if let Some(why) = userns_restriction() {
            println!(
                "Warning: this system restricts unprivileged user namespaces ({why}); the sandbox \
                 drop-in will keep latchkeyd from starting. Run `latchkey service install` without \
                 --sandbox to remove it."
            );
        }
    } else if remove(&targets.sandbox)? {
        println!(
            "Removed the sandbox drop-in {} (install with --sandbox to keep it)",
            targets.sandbox.display()
        );
        remove_dir_if_empty(&targets.sandbox);
    }

    let activation = units::activation(&daemon).map_err(render_err)?;
    write(&targets.activation, &activation)?;
    println!(
        "Installed the D-Bus activation file {}",
        targets.activation.display()
    );

    if systemd::user_manager_running().await {
        for step in systemd::INSTALL_STEPS {
            run_step(*step).await?;
        }
        println!("latchkeyd runs under systemd now and starts at every login.");
    } else {
        println!(
            "No systemd user manager runs here: latchkeyd will be started by D-Bus activation \
             when a client first calls it."
        );
    }
    reload_bus().await;
    Ok(())
}

/// Disables the unit where a user manager runs and removes the files `install` wrote.
pub async fn uninstall() -> Result<(), CliError> {
    let targets = Targets::for_user();
    let manager = systemd::user_manager_running().await;
    if manager && targets.unit.exists() {
        for step in systemd::UNINSTALL_STEPS_BEFORE {
            // Keep going: the files must go even if the unit was never enabled.
            if let Err(e) = run_step(*step).await {
                println!("{} (continuing)", e.message);
            }
        }
    }
    for (what, path) in [
        ("systemd user unit", &targets.unit),
        ("sandbox drop-in", &targets.sandbox),
        ("D-Bus activation file", &targets.activation),
    ] {
        if remove(path)? {
            println!("Removed the {what} {}", path.display());
        } else if path != &targets.sandbox {
            println!("No {what} to remove at {}", path.display());
        }
    }
    remove_dir_if_empty(&targets.sandbox);
    if manager {
        for step in systemd::UNINSTALL_STEPS_AFTER {
            run_step(*step).await?;
        }
    } else {
        println!("No systemd user manager runs here: nothing to disable.");
    }
    let pid = match reload_bus().await {
        Some(conn) => bus::daemon_pid(&conn).await,
        None => None,
    };
    if let Some(pid) = pid {
        println!(
            "latchkeyd is still running (PID {pid}); it stops at logout, or now with `kill {pid}` \
             (it locks the vault on exit)."
        );
    }
    for (what, dirs, name) in [
        ("unit", paths::unit_search_dirs(), paths::UNIT_NAME),
        (
            "activation file",
            paths::services_search_dirs(),
            paths::ACTIVATION_NAME,
        ),
    ] {
        for leftover in dirs
            .iter()
            .skip(1)
            .map(|d| d.join(name))
            .filter(|p| p.exists())
        {
            println!(
                "A system-wide {what} remains at {} (from a package: remove it with the package manager).",
                leftover.display()
            );
        }
    }
    Ok(())
}

/// The daemon binary: `--daemon`, else `latchkeyd` next to this executable; it must be executable.
fn locate_daemon(arg: Option<&Path>) -> Result<PathBuf, CliError> {
    locate_program(arg, "latchkeyd", "--daemon")
}

/// The program `name`: `arg` if given, else `name` next to this latchkey (or in the package's
/// libexec folder when it is not there); it must be an executable file (`option` is the flag
/// that names another).
pub(crate) fn locate_program(
    arg: Option<&Path>,
    name: &str,
    option: &str,
) -> Result<PathBuf, CliError> {
    let candidate = match arg {
        Some(p) => {
            std::path::absolute(p).map_err(|e| CliError::other(format!("{}: {e}", p.display())))?
        }
        None => {
            let exe = std::env::current_exe().map_err(|e| {
                CliError::other(format!(
                    "cannot find this program's path ({e}); use {option} PATH"
                ))
            })?;
            let beside = exe.parent().unwrap_or(Path::new("/")).join(name);
            // A package puts the daemon and the browser host in its libexec folder, not beside
            // the clients in /usr/bin (debian/release.env sets it at build time).
            match option_env!("LATCHKEY_LIBEXECDIR") {
                Some(dir) if !beside.exists() => Path::new(dir).join(name),
                _ => beside,
            }
        }
    };
    let hint = format!("build it (`cargo build --workspace`) or give its path with {option} PATH");
    let meta = std::fs::metadata(&candidate).map_err(|e| {
        CliError::other(format!(
            "no {name} at {} ({e}): {hint}",
            candidate.display()
        ))
    })?;
    if !meta.is_file() || meta.permissions().mode() & 0o111 == 0 {
        return Err(CliError::other(format!(
            "{} is not an executable file: {hint}",
            candidate.display()
        )));
    }
    Ok(candidate)
}

async fn run_step(step: Step) -> Result<(), CliError> {
    let line = systemd::command_line(step);
    systemd::run_step(step).await.map_err(|e| {
        CliError::other(format!(
            "`{line}` failed: {e}\nSee `systemctl --user status latchkeyd` and `journalctl --user -u latchkeyd`."
        ))
    })?;
    println!("Ran `{line}`");
    Ok(())
}

/// Asks the session bus to re-read its service files; returns the connection when there is a bus.
async fn reload_bus() -> Option<zbus::Connection> {
    match bus::session_quick().await {
        Ok(conn) => {
            match bus::reload_config(&conn).await {
                Ok(()) => {
                    println!("Asked the session bus to reload its configuration (ReloadConfig).")
                }
                Err(e) => println!(
                    "The session bus did not reload its configuration ({e}); it reads service files again when it restarts."
                ),
            }
            Some(conn)
        }
        Err(e) => {
            println!(
                "No session bus to reload now ({e}); a bus reads the service files when it starts."
            );
            None
        }
    }
}

/// Why user namespaces, which the sandbox drop-in needs, are unavailable, if the kernel says so.
fn userns_restriction() -> Option<String> {
    let read = |p: &str| {
        std::fs::read_to_string(p)
            .ok()
            .map(|s| s.trim().to_string())
    };
    if read("/proc/sys/kernel/unprivileged_userns_clone").as_deref() == Some("0") {
        return Some("kernel.unprivileged_userns_clone=0".into());
    }
    if read("/proc/sys/user/max_user_namespaces").as_deref() == Some("0") {
        return Some("user.max_user_namespaces=0".into());
    }
    if read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns").as_deref() == Some("1") {
        return Some("kernel.apparmor_restrict_unprivileged_userns=1".into());
    }
    None
}

fn write(path: &Path, text: &str) -> Result<(), CliError> {
    files::write_atomic(path, text.as_bytes(), FILE_MODE)
        .map_err(|e| CliError::other(format!("cannot write {}: {e}", path.display())))
}

fn remove(path: &Path) -> Result<bool, CliError> {
    files::remove_if_exists(path)
        .map_err(|e| CliError::other(format!("cannot remove {}: {e}", path.display())))
}

/// Removes the drop-in directory if nothing else (a user's own drop-in) is in it.
fn remove_dir_if_empty(file_in_dir: &Path) {
    if let Some(dir) = file_in_dir.parent() {
        let _ = std::fs::remove_dir(dir);
    }
}
