//! Test support: a private `dbus-daemon` and real `latchkeyd` processes in a temporary home.
//!
//! Every process started here is stopped by its PID when its guard drops, so a failing test
//! leaves nothing running.

mod daemon;

pub use daemon::DaemonProcess;

use daemon::terminate;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A private session bus with its own XDG directories, torn down on drop.
pub struct TestBus {
    dir: tempfile::TempDir,
    bus: Child,
    address: String,
}

impl TestBus {
    /// Starts `dbus-daemon` with an activation directory that points at `daemon_bin`.
    pub fn start(daemon_bin: &Path) -> std::io::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("latchkey-test-")
            .tempdir()?;
        for sub in ["data", "config", "runtime", "services", "bus", "home"] {
            std::fs::create_dir_all(dir.path().join(sub))?;
        }
        set_mode(&dir.path().join("runtime"), 0o700)?;
        let activation =
            crate::ACTIVATION_FILE.replace("@bindir@/latchkeyd", &daemon_bin.display().to_string());
        std::fs::write(
            dir.path().join("services/org.latchkey.Latchkey1.service"),
            activation,
        )?;
        // Apps on this bus may reach the accessibility bus (the GTK tests read the app's
        // accessible tree); its launcher leaves with the bus.
        let a11y = Path::new("/usr/share/dbus-1/services/org.a11y.Bus.service");
        if a11y.is_file() {
            std::fs::copy(a11y, dir.path().join("services/org.a11y.Bus.service"))?;
        }
        let config = dir.path().join("bus.conf");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={bus}</listen>
  <servicedir>{services}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                bus = dir.path().join("bus").display(),
                services = dir.path().join("services").display()
            ),
        )?;
        let mut cmd = Command::new("dbus-daemon");
        cmd.arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        // Activated daemons inherit the bus's environment: give them the test's directories.
        apply_xdg(&mut cmd, dir.path());
        let mut bus = cmd.spawn()?;
        let stdout = bus
            .stdout
            .take()
            .ok_or_else(|| std::io::Error::other("no stdout"))?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let address = line.trim().to_string();
        if address.is_empty() {
            let _ = bus.kill();
            let _ = bus.wait();
            return Err(std::io::Error::other("dbus-daemon printed no address"));
        }
        Ok(Self { dir, bus, address })
    }

    /// The bus address, for `DBUS_SESSION_BUS_ADDRESS`.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The temporary root holding `data`, `config`, `runtime` and `home`.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// `$XDG_DATA_HOME/latchkey/vault.latchkey` for this environment.
    pub fn vault_path(&self) -> PathBuf {
        self.dir.path().join("data/latchkey/vault.latchkey")
    }

    /// A command with this bus and these XDG directories in its environment.
    pub fn command(&self, program: &Path) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear();
        for key in ["PATH", "RUST_BACKTRACE", "RUST_LOG", "LANG"] {
            if let Ok(v) = std::env::var(key) {
                cmd.env(key, v);
            }
        }
        apply_xdg(&mut cmd, self.dir.path());
        cmd.env("DBUS_SESSION_BUS_ADDRESS", &self.address);
        // The CLI asks a person at the terminal before it approves, grants or weakens; tests
        // answer for them. The tests of that question remove this.
        cmd.env("LATCHKEY_TEST_UNATTENDED", "1");
        cmd
    }

    /// Starts `latchkeyd` on this bus and waits until it owns its name.
    pub fn spawn_daemon(&self, daemon_bin: &Path) -> std::io::Result<DaemonProcess> {
        self.spawn_daemon_with(daemon_bin, &[])
    }

    /// Like [`Self::spawn_daemon`], with extra environment variables.
    pub fn spawn_daemon_with(
        &self,
        daemon_bin: &Path,
        env: &[(&str, &str)],
    ) -> std::io::Result<DaemonProcess> {
        let child = self
            .command(daemon_bin)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;
        let process = DaemonProcess { child };
        self.wait_for_name(Duration::from_secs(20))?;
        Ok(process)
    }

    /// Waits until `org.latchkey.Latchkey1` has an owner on this bus.
    pub fn wait_for_name(&self, timeout: Duration) -> std::io::Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            if self.name_owner_pid()?.is_some() {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(std::io::Error::other(
                    "latchkeyd did not take its bus name in time",
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Calls a method on the daemon with `dbus-send` arguments (e.g. `string:pw`); returns stdout.
    pub fn call(&self, interface_method: &str, args: &[&str]) -> std::io::Result<String> {
        let out = Command::new("dbus-send")
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .args([
                "--session",
                "--print-reply=literal",
                &format!("--dest={}", crate::BUS_NAME),
                crate::OBJECT_PATH,
                interface_method,
            ])
            .args(args)
            .output()?;
        if !out.status.success() {
            return Err(std::io::Error::other(
                String::from_utf8_lossy(&out.stderr).trim().to_string(),
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).to_string())
    }

    /// PID of the process that owns `org.latchkey.Latchkey1`, if any.
    pub fn name_owner_pid(&self) -> std::io::Result<Option<u32>> {
        let out = Command::new("dbus-send")
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .args([
                "--session",
                "--print-reply=literal",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.GetConnectionUnixProcessID",
                &format!("string:{}", crate::BUS_NAME),
            ])
            .stderr(Stdio::null())
            .output()?;
        if !out.status.success() {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&out.stdout);
        Ok(text.split_whitespace().last().and_then(|w| w.parse().ok()))
    }
}

impl Drop for TestBus {
    fn drop(&mut self) {
        // An activated daemon is the bus's child, not ours: stop it by PID first.
        if let Ok(Some(pid)) = self.name_owner_pid() {
            terminate(pid, Duration::from_secs(5));
        }
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

/// Where cargo put the workspace's binaries (the directory holding the running test's `deps/`).
pub fn target_bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    let mut dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
    if dir.ends_with("deps") {
        dir.pop();
    }
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} not built: run `cargo build --workspace` before the tests",
        path.display()
    );
    path
}

/// Points `cmd`'s home, XDG directories and test switches into `root`.
fn apply_xdg(cmd: &mut Command, root: &Path) {
    cmd.env("HOME", root.join("home"))
        .env("XDG_DATA_HOME", root.join("data"))
        .env("XDG_CONFIG_HOME", root.join("config"))
        .env("XDG_RUNTIME_DIR", root.join("runtime"))
        .env("LATCHKEY_INSECURE_TEST_KDF", "1")
        // Test processes call the daemon directly; the consent tests set this to 0.
        .env("LATCHKEY_TEST_TRUST_ALL_CALLERS", "1");
}

/// Sets `path`'s permission bits.
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

/// Copies the executable `from` to `to` (mode 0755) in a child process, so that no descriptor
/// open for writing on `to` ever exists in the test process. With many tests in one process, a
/// descriptor the test process had open would be inherited by whatever another thread forks
/// meanwhile, and running `to` would fail with "Text file busy" until that child execs.
pub fn install_executable(from: &Path, to: &Path) -> std::io::Result<()> {
    let status = Command::new("install")
        .args(["-m", "0755"])
        .arg(from)
        .arg(to)
        .status()?;
    if status.success() {
        Ok(())
    } else {
        Err(std::io::Error::other(format!(
            "install {} {}: {status}",
            from.display(),
            to.display()
        )))
    }
}

/// Writes an executable script to `path` (mode 0755) without the test process ever holding
/// `path` open for writing (see [`install_executable`]).
pub fn write_executable(path: &Path, contents: &str) -> std::io::Result<()> {
    let mut draft = path.as_os_str().to_owned();
    draft.push(".draft");
    let draft = PathBuf::from(draft);
    std::fs::write(&draft, contents)?;
    let installed = install_executable(&draft, path);
    std::fs::remove_file(&draft)?;
    installed
}

/// `code` with the character at `at` (dashes counted) changed, as a person mistypes it: still
/// well formed (base32 letters stay letters).
pub fn mistype(code: &str, at: usize) -> String {
    code.char_indices()
        .map(|(i, c)| match (i == at, c) {
            (true, 'A') => 'B',
            (true, _) => 'A',
            (false, c) => c,
        })
        .collect()
}
