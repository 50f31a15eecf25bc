//! A real gnome-keyring-daemon on a test bus, stopped by its PID.

use latchkey_dbus::testing::TestBus;
use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A process this test started, stopped by its PID on drop (SIGTERM, then SIGKILL after 5 s).
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        // SAFETY: kill(2) on a child we spawned and have not reaped yet.
        unsafe { libc::kill(self.0.id() as i32, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts gnome-keyring-daemon (secrets only) on `bus`, with the login keyring unlocked by the
/// password "pass" on stdin when `unlock`, and waits until it owns `org.freedesktop.secrets`.
pub fn gnome_keyring(bus: &TestBus, unlock: bool) -> Proc {
    let program = Path::new("gnome-keyring-daemon");
    if let Err(e) = Command::new(program).arg("--version").output() {
        panic!(
            "gnome-keyring-daemon is needed ({e}): apt-get install gnome-keyring libsecret-tools \
             (TEST_PACKAGES in scripts/lib.sh)"
        );
    }
    let mut cmd = bus.command(program);
    cmd.args(["--foreground", "--components=secrets"]);
    if unlock {
        cmd.arg("--unlock");
    }
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = Proc(cmd.spawn().expect("start gnome-keyring-daemon"));
    if let Some(mut stdin) = child.0.stdin.take().filter(|_| unlock) {
        stdin
            .write_all(b"pass")
            .expect("write the keyring password");
    }
    wait_for_secrets(bus, true);
    child
}

/// Polls the bus until `org.freedesktop.secrets` has an owner (`owned`) or has none.
pub fn wait_for_secrets(bus: &TestBus, owned: bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let out = bus
            .command(Path::new("dbus-send"))
            .args([
                "--session",
                "--print-reply=literal",
                "--dest=org.freedesktop.DBus",
            ])
            .args(["/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner"])
            .arg("string:org.freedesktop.secrets")
            .output()
            .expect("dbus-send");
        if String::from_utf8_lossy(&out.stdout).contains("true") == owned {
            return;
        }
        assert!(Instant::now() < deadline, "secrets owned = {owned}: never");
        std::thread::sleep(Duration::from_millis(50));
    }
}
