//! The script a known interpreter runs: `/usr/bin/python3.11` alone tells the user nothing about
//! which of their Python programs asks for a code, and a decision remembered for the interpreter
//! would let every script it runs through.
//!
//! The script's path comes from the process's own command line (`/proc/PID/cmdline`), which the
//! process can rewrite: like the executable's path it is a label, not proof of who asks, and it
//! is shown and remembered as such. It is read once, when the caller's identity is pinned.

use std::path::{Path, PathBuf};

/// Interpreters whose first operand is the program they run, by executable name (a version
/// suffix such as `python3.11` or `lua5.4` counts as the same interpreter).
const INTERPRETERS: &[&str] = &[
    "python", "perl", "ruby", "node", "nodejs", "bash", "sh", "dash", "zsh", "fish", "ksh", "mksh",
    "gjs", "lua", "luajit", "php", "tclsh", "wish", "pwsh", "guile",
];

/// Options that take the next argument as their value, by interpreter family; every other
/// argument starting with `-` (or `+`, for shells) is a flag.
fn takes_value(interpreter: &str, option: &str) -> bool {
    match interpreter {
        "python" => matches!(option, "-W" | "-X" | "-Q"),
        "perl" => matches!(option, "-I" | "-M" | "-m"),
        "ruby" => matches!(option, "-I" | "-r" | "-E" | "-C"),
        "node" | "nodejs" => matches!(option, "-r" | "--require" | "--import" | "--loader"),
        "bash" | "sh" | "dash" | "zsh" | "ksh" | "mksh" => matches!(option, "-o" | "+o" | "-O"),
        _ => false,
    }
}

/// Options after which there is no script file: the program is inline (`-c`, `-e`) or a module.
fn runs_no_file(interpreter: &str, option: &str) -> bool {
    match interpreter {
        "python" => matches!(option, "-c" | "-m"),
        "perl" => matches!(option, "-e" | "-E"),
        "ruby" => option == "-e",
        "node" | "nodejs" => matches!(option, "-e" | "--eval" | "-p" | "--print"),
        "gjs" => option == "-c",
        "php" => option == "-r",
        _ if is_shell(interpreter) => option == "-c" || option == "-s",
        _ => false,
    }
}

fn is_shell(interpreter: &str) -> bool {
    matches!(
        interpreter,
        "bash" | "sh" | "dash" | "zsh" | "fish" | "ksh" | "mksh"
    )
}

/// The interpreter family `exe` belongs to, if it is one (`/usr/bin/python3.11` → `python`).
fn interpreter(exe: &str) -> Option<&'static str> {
    let name = Path::new(exe).file_name()?.to_str()?;
    let stem = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.' || c == '-');
    INTERPRETERS.iter().copied().find(|i| *i == stem)
}

/// The script file `argv` (a command line, `argv[0]` first) runs under interpreter `exe`,
/// resolved against `cwd` when relative; `None` for anything but an interpreter running a file.
pub fn from_args(exe: &str, argv: &[&str], cwd: Option<&Path>) -> Option<PathBuf> {
    let interpreter = interpreter(exe)?;
    let mut args = argv.iter().skip(1);
    while let Some(arg) = args.next() {
        if *arg == "--" {
            return args.next().and_then(|a| resolve(a, cwd));
        }
        let option = arg.starts_with('-') || (is_shell(interpreter) && arg.starts_with('+'));
        if !option || *arg == "-" {
            // `-` is standard input: no file to name.
            return (*arg != "-").then(|| resolve(arg, cwd)).flatten();
        }
        if runs_no_file(interpreter, arg) {
            return None;
        }
        if takes_value(interpreter, arg) {
            args.next();
        }
    }
    None
}

fn resolve(arg: &str, cwd: Option<&Path>) -> Option<PathBuf> {
    if arg.is_empty() {
        return None;
    }
    let path = Path::new(arg);
    if path.is_absolute() {
        Some(path.to_path_buf())
    } else {
        cwd.map(|c| c.join(path))
    }
}

/// The script process `pid` runs, when its executable `exe` is a known interpreter; made
/// absolute and, where it exists, canonical (symlinks resolved).
pub fn of(pid: u32, exe: &str) -> Option<String> {
    interpreter(exe)?;
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let text = String::from_utf8_lossy(&raw);
    let argv: Vec<&str> = text.trim_end_matches('\0').split('\0').collect();
    let cwd = std::fs::read_link(format!("/proc/{pid}/cwd")).ok();
    let script = from_args(exe, &argv, cwd.as_deref())?;
    let script = std::fs::canonicalize(&script).unwrap_or(script);
    Some(script.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(exe: &str, argv: &[&str]) -> Option<String> {
        from_args(exe, argv, Some(Path::new("/home/u"))).map(|p| p.display().to_string())
    }

    #[test]
    fn the_first_operand_of_an_interpreter_is_its_script() {
        let py = "/usr/bin/python3.11";
        assert_eq!(
            script(py, &["python3", "bot.py", "--x"]).as_deref(),
            Some("/home/u/bot.py")
        );
        assert_eq!(
            script(py, &["python3", "-u", "-W", "ignore", "/opt/a.py"]).as_deref(),
            Some("/opt/a.py")
        );
        assert_eq!(
            script(py, &["python3", "--", "-odd.py"]).as_deref(),
            Some("/home/u/-odd.py")
        );
        assert_eq!(
            script("/usr/bin/bash", &["bash", "-e", "+o", "posix", "run.sh"]).as_deref(),
            Some("/home/u/run.sh")
        );
        assert_eq!(
            script("/usr/bin/node", &["node", "-r", "x", "app.js"]).as_deref(),
            Some("/home/u/app.js")
        );
    }

    #[test]
    fn inline_programs_modules_and_other_executables_name_no_script() {
        let py = "/usr/bin/python3.11";
        assert_eq!(script(py, &["python3", "-c", "print(1)"]), None);
        assert_eq!(script(py, &["python3", "-m", "http.server"]), None);
        assert_eq!(script(py, &["python3", "-"]), None);
        assert_eq!(script(py, &["python3"]), None);
        assert_eq!(script("/usr/bin/sh", &["sh", "-c", "x"]), None);
        assert_eq!(script("/usr/bin/dbus-send", &["dbus-send", "a.py"]), None);
        assert_eq!(script("/usr/bin/pythonista", &["pythonista", "a.py"]), None);
        assert_eq!(from_args(py, &["python3", "rel.py"], None), None);
    }

    #[test]
    fn our_own_test_binary_is_no_interpreter() {
        let me = std::env::current_exe().expect("exe");
        assert_eq!(of(std::process::id(), &me.display().to_string()), None);
    }
}
