//! Shared by the service, doctor and diagnostics tests: the real CLI on a private bus, and a
//! stand-in for systemd-timedated so the clock check gives the same answer on every machine.

#![allow(dead_code)] // Each test file uses a different part.

use latchkey_dbus::testing::{TestBus, target_bin};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// The `latchkey` binary under test.
pub fn cli_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_latchkey"))
}

/// A private bus with temporary XDG directories; the CLI runs inside it.
pub struct Env {
    pub bus: TestBus,
    /// What the CLI sees as the system bus (timedated lives there); a dead socket by default.
    pub system_bus: String,
    /// Extra environment for every CLI run.
    pub extra_env: Vec<(String, String)>,
}

impl Env {
    /// A private bus whose activation file starts the built latchkeyd.
    pub fn new() -> Self {
        let bus = TestBus::start(&target_bin("latchkeyd")).expect("private bus");
        let system_bus = format!("unix:path={}", bus.root().join("no-system-bus").display());
        Self {
            bus,
            system_bus,
            extra_env: Vec::new(),
        }
    }

    /// The temporary root (`data/`, `config/`, `runtime/`, `home/`).
    pub fn root(&self) -> &Path {
        self.bus.root()
    }

    /// Makes the private session bus also the CLI's system bus, for a fake timedated.
    pub fn use_session_bus_as_system_bus(&mut self) {
        self.system_bus = self.bus.address().to_string();
    }

    /// The CLI with this environment, not yet started.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = self.bus.command(&cli_bin());
        cmd.args(args)
            .env("DBUS_SYSTEM_BUS_ADDRESS", &self.system_bus);
        for (k, v) in &self.extra_env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs the CLI with `stdin` (closed when `None`).
    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("latchkey runs");
        let mut input = child.stdin.take().expect("stdin");
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).expect("write stdin");
        }
        drop(input);
        child.wait_with_output().expect("latchkey finishes")
    }

    /// Runs and expects success; returns stdout.
    pub fn ok(&self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.run(args, stdin);
        assert!(
            out.status.success(),
            "latchkey {args:?} failed ({:?}):\nstdout: {}\nstderr: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 stdout")
    }

    /// Runs and expects exit code `code`; returns (stdout, stderr).
    pub fn fails(&self, args: &[&str], code: i32) -> (String, String) {
        self.fails_with(args, None, code)
    }

    /// Runs with `stdin` and expects exit code `code`; returns (stdout, stderr).
    pub fn fails_with(&self, args: &[&str], stdin: Option<&str>, code: i32) -> (String, String) {
        let out = self.run(args, stdin);
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(
            out.status.code(),
            Some(code),
            "latchkey {args:?}:\nstdout: {stdout}\nstderr: {stderr}"
        );
        (stdout, stderr)
    }

    /// `export --format FORMAT --plaintext --yes` with the vault passphrase `pass` (a line) on
    /// stdin, and `--output` when given; returns stdout.
    pub fn export_plain(&self, format: &str, pass: &str, output: Option<&str>) -> String {
        let mut args = vec![
            "export",
            "--format",
            format,
            "--plaintext",
            "--yes",
            "--passphrase-stdin",
        ];
        if let Some(path) = output {
            args.extend(["--output", path]);
        }
        self.ok(&args, Some(pass))
    }

    /// Runs, expects success, and parses stdout as JSON (for `--json` commands).
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args, None)).expect("valid JSON")
    }
}

/// The line of `text` that starts with `prefix` (e.g. "✗ vault "), or a panic showing `text`.
pub fn line<'a>(text: &'a str, prefix: &str) -> &'a str {
    text.lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starting with {prefix:?} in:\n{text}"))
}

/// A stand-in for `org.freedesktop.timedate1` on a test bus, answering `NTPSynchronized`.
/// Runs on a thread of this test process; stops on drop.
pub struct FakeTimedated {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

struct Timedate {
    synchronized: bool,
}

#[zbus::interface(name = "org.freedesktop.timedate1")]
impl Timedate {
    #[zbus(property, name = "NTPSynchronized")]
    fn ntp_synchronized(&self) -> bool {
        self.synchronized
    }
}

impl FakeTimedated {
    /// Owns `org.freedesktop.timedate1` on the bus at `address` until dropped.
    pub fn start(address: &str, synchronized: bool) -> Self {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<(), String>>();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let address = address.to_string();
        let thread = std::thread::spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = ready_tx.send(Err(e.to_string()));
                    return;
                }
            };
            runtime.block_on(async move {
                let built = async {
                    zbus::connection::Builder::address(address.as_str())?
                        .serve_at("/org/freedesktop/timedate1", Timedate { synchronized })?
                        .name("org.freedesktop.timedate1")?
                        .build()
                        .await
                }
                .await;
                match built {
                    Ok(conn) => {
                        let _ = ready_tx.send(Ok(()));
                        let _ = stop_rx.await;
                        drop(conn);
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e.to_string()));
                    }
                }
            });
        });
        ready_rx
            .recv_timeout(Duration::from_secs(20))
            .expect("fake timedated answers")
            .expect("fake timedated owns its name");
        Self {
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }
}

impl Drop for FakeTimedated {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// File mode bits of `path`.
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).expect("stat").permissions().mode() & 0o7777
}

/// Sets the mode bits of `path`.
pub fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}
