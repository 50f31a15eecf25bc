//! Drives a real `latchkey-gtk` through its automation hook (LATCHKEY_GTK_AUTOMATION=1):
//! one command per line on stdin, one JSON reply per line on stdout.

pub mod session;

use latchkey_dbus::testing::{TestBus, target_bin};
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Stdio};
use std::time::{Duration, Instant};

/// A running latchkey-gtk; killed on drop.
pub struct App {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

/// The X display the tests run on; the suite runs under `xvfb-run` (scripts/test.sh).
pub fn display() -> Option<String> {
    match std::env::var("DISPLAY") {
        Ok(d) if !d.is_empty() => Some(d),
        _ if std::env::var_os("LATCHKEY_SKIP_GTK_TESTS").is_some() => None,
        _ => panic!(
            "no DISPLAY: run the GTK tests under xvfb-run as scripts/test.sh does \
             (or set LATCHKEY_SKIP_GTK_TESTS=1 to skip them knowingly)"
        ),
    }
}

impl App {
    /// Starts the app on `bus` and the X display `display`.
    pub fn start(bus: &TestBus, display: &str) -> Self {
        let mut cmd = bus.command(&target_bin("latchkey-gtk"));
        cmd.env("DISPLAY", display)
            .env("GDK_BACKEND", "x11")
            .env("LATCHKEY_GTK_AUTOMATION", "1")
            .env("GTK_A11Y", "none")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Ok(x) = std::env::var("XAUTHORITY") {
            cmd.env("XAUTHORITY", x);
        }
        let mut child = cmd.spawn().expect("start latchkey-gtk");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        Self {
            child,
            stdin,
            stdout,
        }
    }

    /// Sends a command and returns the reply.
    pub fn cmd(&mut self, line: &str) -> Value {
        writeln!(self.stdin, "{line}").expect("write to the app");
        self.stdin.flush().expect("flush");
        let mut reply = String::new();
        self.stdout
            .read_line(&mut reply)
            .expect("read from the app");
        assert!(!reply.is_empty(), "the app exited (command {line:?})");
        serde_json::from_str(&reply).unwrap_or_else(|e| panic!("bad reply {reply:?}: {e}"))
    }

    /// The app's state (`page`, `shown`, `rows`, `dialogs`, `toast`, `unlock_error`).
    pub fn state(&mut self) -> Value {
        self.cmd("state")
    }

    /// Waits until `ok(state)` holds; panics with the last state after `secs` seconds.
    pub fn wait(&mut self, what: &str, secs: u64, ok: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let s = self.state();
            if ok(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; last state: {s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Runs a command that must answer `{"ok": true}`.
    pub fn ok(&mut self, line: &str) {
        let r = self.cmd(line);
        assert_eq!(r["ok"], Value::Bool(true), "{line}: {r}");
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A latchkey-gtk with accessibility on and no automation hook: the a11y scripts drive it.
pub struct Accessible(Child);

/// The address of `bus`'s accessibility bus (its launcher is activated by asking). Apps and
/// scripts are given it: otherwise they would take the one the X root window names, which is
/// the last one any test started on the shared Xvfb display.
pub fn a11y_address(bus: &TestBus) -> String {
    a11y_on(bus, None)
}

/// Like [`a11y_address`]; with `display`, the accessibility services are started on that X
/// display first (the registry presses keys through XTest on its own display).
fn a11y_on(bus: &TestBus, display: Option<&str>) -> String {
    if let Some(display) = display {
        let status = std::process::Command::new("dbus-send")
            .env("DBUS_SESSION_BUS_ADDRESS", bus.address())
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.UpdateActivationEnvironment",
                &format!("dict:string:string:DISPLAY,{display}"),
            ])
            .stdout(Stdio::null())
            .status()
            .expect("dbus-send");
        assert!(status.success(), "UpdateActivationEnvironment");
    }
    let out = std::process::Command::new("dbus-send")
        .env("DBUS_SESSION_BUS_ADDRESS", bus.address())
        .args([
            "--session",
            "--print-reply=literal",
            "--dest=org.a11y.Bus",
            "/org/a11y/bus",
            "org.a11y.Bus.GetAddress",
        ])
        .output()
        .expect("dbus-send");
    assert!(out.status.success(), "no accessibility bus: {out:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

impl Accessible {
    /// Starts the app on `bus` and `display`, its accessible tree on the bus's a11y bus.
    pub fn start(bus: &TestBus, display: &str) -> Self {
        Self::start_with(bus, display, &[])
    }

    /// Like [`Self::start`], with more environment (a language, say).
    pub fn start_with(bus: &TestBus, display: &str, env: &[(&str, &str)]) -> Self {
        let mut cmd = bus.command(&target_bin("latchkey-gtk"));
        cmd.envs(env.iter().copied());
        cmd.env("DISPLAY", display)
            .env("GDK_BACKEND", "x11")
            .env("GTK_A11Y", "atspi")
            .env("AT_SPI_BUS_ADDRESS", a11y_on(bus, Some(display)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        if let Ok(x) = std::env::var("XAUTHORITY") {
            cmd.env("XAUTHORITY", x);
        }
        Self(cmd.spawn().expect("start latchkey-gtk"))
    }
}

impl Drop for Accessible {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A private X server (Xvfb) for one test, stopped on drop. Tests that press keys through
/// XTest need one: keys go to whichever window has the focus on a display, and on the shared
/// display that may be another test's.
pub struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    /// Starts Xvfb on a free display number (it prints the number it took).
    pub fn start() -> Self {
        let mut child = std::process::Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb (package xvfb)");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout");
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("Xvfb's display");
        let display = format!(":{}", line.trim());
        Self { child, display }
    }

    /// The display, for `DISPLAY`.
    pub fn display(&self) -> &str {
        &self.display
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs one step of a script in `tests/a11y/` against the app, with `args` (the step first):
/// it reads and presses widgets through the accessibility tree, as a person with a screen
/// reader would. Returns what the script printed; a failed step fails the test with its output.
pub fn a11y_run(bus: &TestBus, display: &str, script: &str, args: &[&str]) -> String {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/a11y")
        .join(script);
    let mut cmd = bus.command(std::path::Path::new("/usr/bin/python3"));
    cmd.arg(&script)
        .args(args)
        .env("DISPLAY", display)
        .env("AT_SPI_BUS_ADDRESS", a11y_address(bus));
    if let Ok(x) = std::env::var("XAUTHORITY") {
        cmd.env("XAUTHORITY", x);
    }
    let out = cmd.output().expect("python3 (python3-pyatspi)");
    assert!(
        out.status.success(),
        "{args:?}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
