//! A foreign app that attacks the daemon: python3 with dbus-python (not one of Latchkey's
//! clients), run from a given executable path so several "apps" can attack at once.
//!
//! The script opens `conns` connections and calls `method` on `interface` `per` times on each,
//! without waiting for answers, and prints the tally of replies (`ok` or the error name) as one
//! JSON line after each reply. With `sustain`, every refused call is sent again, so the load
//! lasts until the process is stopped. It exits when its stdin closes or after 180 s.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const SCRIPT: &str = r#"
import json, sys, dbus, dbus.mainloop.glib
from gi.repository import GLib
addr, conns, per, iface_name, method, sustain = sys.argv[1:7]
args = sys.argv[7:]
dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
loop = GLib.MainLoop()
tally = {}
buses = [dbus.bus.BusConnection(addr) for _ in range(int(conns))]
def call(iface):
    getattr(iface, method)(*args, reply_handler=lambda *r: done(iface, 'ok'),
        error_handler=lambda e: done(iface, e.get_dbus_name()), timeout=170)
def done(iface, kind):
    tally[kind] = tally.get(kind, 0) + 1
    print(json.dumps(tally), flush=True)
    if sustain == '1' and kind != 'ok':
        GLib.idle_add(lambda: call(iface) and False)
for b in buses:
    obj = b.get_object('org.latchkey.Latchkey1', '/org/latchkey/Latchkey1', introspect=False)
    iface = dbus.Interface(obj, iface_name)
    for _ in range(int(per)):
        call(iface)
GLib.io_add_watch(sys.stdin, GLib.IO_HUP | GLib.IO_IN, lambda *a: loop.quit())
GLib.timeout_add_seconds(180, loop.quit)
print(json.dumps(tally), flush=True)
loop.run()
"#;

/// A running attacker; stopped by its PID when dropped.
pub struct Attacker {
    child: Child,
    lines: mpsc::Receiver<String>,
    pub tally: HashMap<String, u64>,
}

impl Attacker {
    /// Starts `python` (a path to a python3 executable) against the daemon on `bus`.
    #[allow(clippy::too_many_arguments)]
    pub fn start(
        bus: &latchkey_dbus::testing::TestBus,
        python: &Path,
        conns: u32,
        per: u32,
        interface: &str,
        method: &str,
        sustain: bool,
        args: &[&str],
    ) -> Self {
        let mut child = bus
            .command(python)
            .arg("-c")
            .arg(SCRIPT)
            .arg(bus.address())
            .arg(conns.to_string())
            .arg(per.to_string())
            .arg(format!("org.latchkey.Latchkey1.{interface}"))
            .arg(method)
            .arg(if sustain { "1" } else { "0" })
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 with dbus-python");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            lines,
            tally: HashMap::new(),
        }
    }

    /// Replies counted so far under `kind` (`ok` or an error name).
    pub fn count(&self, kind: &str) -> u64 {
        self.tally.get(kind).copied().unwrap_or(0)
    }

    /// All replies counted so far.
    pub fn replies(&self) -> u64 {
        self.tally.values().sum()
    }

    /// Reads tallies until `enough` holds or `within` passes; returns whether it held.
    pub fn wait(&mut self, within: Duration, enough: impl Fn(&Self) -> bool) -> bool {
        let deadline = Instant::now() + within;
        while !enough(self) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    if let Ok(t) = serde_json::from_str(&line) {
                        self.tally = t;
                    }
                }
                Err(_) => return false,
            }
        }
        true
    }
}

impl Drop for Attacker {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A copy of python3 at `dir/name`: a distinct executable, so a distinct identity to the daemon
/// (a symlink would resolve to the real file).
pub fn python_copy(dir: &Path, name: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    latchkey_dbus::testing::install_executable(&python(), &path).expect("copy python3");
    path
}

/// The system python3 (Debian's, with the dbus module).
pub fn python() -> std::path::PathBuf {
    std::fs::canonicalize("/usr/bin/python3").expect("python3")
}
