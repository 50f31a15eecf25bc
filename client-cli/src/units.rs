//! The service files `latchkey service install` writes, rendered from the templates in the sources.

use std::path::{Path, PathBuf};

/// The systemd user unit template (`@bindir@` is the directory holding latchkeyd).
pub const UNIT_TEMPLATE: &str = include_str!("../../systemd/latchkeyd.service.in");
/// The optional namespacing drop-in, installed with `--sandbox`.
pub const SANDBOX_TEMPLATE: &str = include_str!("../../systemd/latchkeyd.service.d/sandbox.conf");

/// Why a template could not be filled in.
#[derive(Debug, PartialEq, Eq)]
pub struct RenderError(pub String);

/// Renders the unit for `daemon`; `env` pins XDG directories that differ from the defaults, so
/// the service uses the same vault as the shell that installed it.
pub fn unit(daemon: &Path, env: &[(&str, PathBuf)]) -> Result<String, RenderError> {
    let mut text = fill_bindir(UNIT_TEMPLATE, daemon)?;
    if !env.is_empty() {
        let assignments: Vec<String> = env
            .iter()
            .map(|(k, v)| quote_unit_value(&format!("{k}={}", v.display())))
            .collect::<Result<_, _>>()?;
        let line = format!(
            "# The XDG directories of the shell that ran `latchkey service install`.\nEnvironment={}\n",
            assignments.join(" ")
        );
        text = insert_after_section(&text, "[Service]", &line)?;
    }
    check_filled(text)
}

/// Renders the D-Bus activation file for `daemon`.
pub fn activation(daemon: &Path) -> Result<String, RenderError> {
    check_filled(fill_bindir(latchkey_dbus::ACTIVATION_FILE, daemon)?)
}

/// Renders the sandbox drop-in; the writable paths follow `data_dir`/`config_dir` when they are
/// not the defaults under `home`.
pub fn sandbox(home: &Path, data_dir: &Path, config_dir: &Path) -> Result<String, RenderError> {
    let mut text = SANDBOX_TEMPLATE.to_string();
    for (default, actual) in [
        (".local/share/latchkey", data_dir),
        (".config/latchkey", config_dir),
    ] {
        if home.join(default) != actual {
            let value = escape_specifiers(&plain_path(actual)?);
            text = text.replace(&format!("%h/{default}"), &value);
        }
    }
    check_filled(text)
}

/// `@bindir@/latchkeyd` becomes the daemon's path (so any binary name works), other `@bindir@`
/// its directory.
fn fill_bindir(template: &str, daemon: &Path) -> Result<String, RenderError> {
    let path = plain_path(daemon)?;
    let dir = daemon
        .parent()
        .map(plain_path)
        .transpose()?
        .ok_or_else(|| RenderError(format!("{} has no directory", daemon.display())))?;
    // Exec lines take `%` specifiers in units; the activation file has none, but `%` is refused
    // by plain_path anyway, so the same text works in both.
    Ok(template
        .replace("@bindir@/latchkeyd", &path)
        .replace("@bindir@", &dir))
}

/// A path usable unquoted in `ExecStart=` and D-Bus `Exec=`: absolute, no spaces, quotes,
/// backslashes, `%` or `$`.
fn plain_path(path: &Path) -> Result<String, RenderError> {
    let text = path
        .to_str()
        .ok_or_else(|| RenderError(format!("{} is not valid UTF-8", path.display())))?;
    if !path.is_absolute() {
        return Err(RenderError(format!("{text} is not an absolute path")));
    }
    if let Some(c) = text
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '\\' | '%' | '$'))
    {
        return Err(RenderError(format!(
            "{text} contains {c:?}, which service files cannot hold unquoted; move latchkeyd to a plain path"
        )));
    }
    Ok(text.to_string())
}

/// `%` starts a specifier in unit files.
fn escape_specifiers(text: &str) -> String {
    text.replace('%', "%%")
}

/// A double-quoted `Environment=` word.
fn quote_unit_value(text: &str) -> Result<String, RenderError> {
    if text.chars().any(char::is_control) {
        return Err(RenderError(format!("{text:?} contains control characters")));
    }
    let escaped = escape_specifiers(text)
        .replace('\\', "\\\\")
        .replace('"', "\\\"");
    Ok(format!("\"{escaped}\""))
}

fn insert_after_section(text: &str, section: &str, insert: &str) -> Result<String, RenderError> {
    let at = text
        .find(&format!("\n{section}\n"))
        .ok_or_else(|| RenderError(format!("the template has no {section} section")))?;
    let split = at + section.len() + 2;
    Ok(format!("{}{insert}{}", &text[..split], &text[split..]))
}

/// Refuses output that still holds an `@placeholder@`, so a template change cannot ship half-filled.
fn check_filled(text: String) -> Result<String, RenderError> {
    for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
        let mut rest = line;
        while let Some(start) = rest.find('@') {
            let after = &rest[start + 1..];
            let Some(end) = after.find('@') else { break };
            let name = &after[..end];
            if !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                return Err(RenderError(format!(
                    "the template still holds @{name}@: {line}"
                )));
            }
            rest = &after[end + 1..];
        }
    }
    Ok(text)
}

/// The program an `ExecStart=` (unit) or `Exec=` (activation file) line runs, for checks.
pub fn exec_program(file_text: &str, key: &str) -> Option<PathBuf> {
    let prefix = format!("{key}=");
    file_text
        .lines()
        .map(str::trim)
        .filter_map(|l| l.strip_prefix(&prefix))
        .filter_map(|v| {
            v.trim_start_matches(['-', '@', '+', '!', ':'])
                .split_whitespace()
                .next()
        })
        .map(PathBuf::from)
        .next_back()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_points_at_the_daemon_and_has_no_placeholders() {
        let text = unit(Path::new("/opt/lk/bin/latchkeyd"), &[]).expect("renders");
        assert!(
            text.contains("\nExecStart=/opt/lk/bin/latchkeyd\n"),
            "{text}"
        );
        let mut settings = text.lines().filter(|l| !l.starts_with('#'));
        assert!(
            settings.all(|l| !l.contains("@bindir@") && !l.contains("@docdir@")),
            "{text}"
        );
        assert_eq!(
            exec_program(&text, "ExecStart"),
            Some(PathBuf::from("/opt/lk/bin/latchkeyd"))
        );
    }

    #[test]
    fn any_binary_name_works() {
        let text = activation(Path::new("/home/u/build/latchkeyd-dev")).expect("renders");
        assert!(
            text.contains("\nExec=/home/u/build/latchkeyd-dev\n"),
            "{text}"
        );
        assert!(text.contains("SystemdService=latchkeyd.service"));
        assert_eq!(
            exec_program(&text, "Exec"),
            Some(PathBuf::from("/home/u/build/latchkeyd-dev"))
        );
    }

    #[test]
    fn unusable_paths_are_refused() {
        for bad in [
            "relative/latchkeyd",
            "/with space/latchkeyd",
            "/per%cent/latchkeyd",
            "/q\"/latchkeyd",
        ] {
            assert!(unit(Path::new(bad), &[]).is_err(), "{bad}");
        }
    }

    #[test]
    fn non_default_xdg_dirs_are_pinned_in_the_unit() {
        let env = [("XDG_DATA_HOME", PathBuf::from("/data/100%"))];
        let text = unit(Path::new("/usr/bin/latchkeyd"), &env).expect("renders");
        let service = text.find("[Service]\n").expect("section");
        let line = text
            .find("Environment=\"XDG_DATA_HOME=/data/100%%\"\n")
            .expect("environment line");
        assert!(line > service, "{text}");
    }

    #[test]
    fn sandbox_paths_follow_the_xdg_dirs() {
        let home = Path::new("/home/u");
        let default = sandbox(
            home,
            &home.join(".local/share/latchkey"),
            &home.join(".config/latchkey"),
        )
        .expect("renders");
        assert!(
            default.contains("ReadWritePaths=-%h/.local/share/latchkey -%h/.config/latchkey"),
            "{default}"
        );
        let moved = sandbox(
            home,
            Path::new("/srv/d/latchkey"),
            &home.join(".config/latchkey"),
        )
        .expect("renders");
        assert!(
            moved.contains("ReadWritePaths=-/srv/d/latchkey -%h/.config/latchkey"),
            "{moved}"
        );
    }

    #[test]
    fn the_plain_unit_holds_nothing_a_user_manager_cannot_apply() {
        // Each needs a privilege an unprivileged user manager only has inside a user namespace:
        // outside one the unit dies before exec (216/GROUP, 218/CAPABILITIES). They belong in
        // the opt-in sandbox drop-in.
        const NEED_USERNS: &[&str] = &[
            "CapabilityBoundingSet=",
            "AmbientCapabilities=",
            "PrivateUsers=",
            "PrivateDevices=",
            "ProtectKernelModules=",
            "ProtectKernelLogs=",
            "ProtectClock=",
            "SupplementaryGroups=",
        ];
        for line in UNIT_TEMPLATE.lines().map(str::trim) {
            assert!(!NEED_USERNS.iter().any(|d| line.starts_with(d)), "{line}");
        }
        assert!(SANDBOX_TEMPLATE.lines().any(|l| l == "PrivateUsers=yes"));
    }

    #[test]
    fn leftover_placeholders_are_caught() {
        assert!(check_filled("Documentation=file://@docdir@/x".into()).is_err());
        assert!(check_filled("# @bindir@ in a comment is fine\nUser=me@example".into()).is_ok());
    }
}
