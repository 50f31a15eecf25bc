//! The CLI's approval commands end to end: a requester (`request-approval`) and an answering
//! user (`approvals`, `approve`, `deny`, `approvals watch`) against the real daemon.

use latchkey_dbus::testing::{TestBus, target_bin};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

fn cli() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_latchkey"))
}

struct Env {
    bus: TestBus,
}

impl Env {
    fn new() -> Self {
        let env = Self {
            bus: TestBus::start(&target_bin("latchkeyd")).expect("bus"),
        };
        env.run(&["init", "--passphrase-stdin"], "pw\n");
        env
    }
    fn spawn(&self, args: &[&str]) -> Child {
        self.bus
            .command(&cli())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("latchkey")
    }
    fn output(&self, args: &[&str], stdin: &str) -> Output {
        fed(self.spawn(args), stdin)
    }
    fn run(&self, args: &[&str], stdin: &str) -> String {
        let out = self.output(args, stdin);
        assert!(
            out.status.success(),
            "latchkey {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    }
    /// Waits until exactly one request is pending; returns (id, its JSON).
    fn pending(&self) -> (String, serde_json::Value) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let list: serde_json::Value =
                serde_json::from_str(&self.run(&["approvals", "--json"], "")).expect("json");
            if let Some(first) = list.as_array().and_then(|a| a.first()) {
                return (first["id"].as_str().expect("id").to_string(), first.clone());
            }
            assert!(Instant::now() < deadline, "no pending request");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Writes `stdin` to the child, closes it and waits for the output.
fn fed(mut child: Child, stdin: &str) -> Output {
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("stdin");
    child.wait_with_output().expect("latchkey")
}

fn wait_exit(mut child: Child) -> (Option<i32>, String) {
    drop(child.stdin.take());
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).to_string(),
    )
}

#[test]
fn request_and_answer_with_number_matching() {
    let env = Env::new();
    let mut requester = env.spawn(&[
        "request-approval",
        "--title",
        "SSH login to build01",
        "--message",
        "from 10.0.0.7",
        "--number-matching",
    ]);
    let mut first = String::new();
    BufReader::new(requester.stdout.as_mut().expect("stdout"))
        .read_line(&mut first)
        .expect("number line");
    let number: u32 = first
        .trim()
        .parse()
        .expect("the requester prints the number to show");
    let (id, request) = env.pending();
    assert_eq!(request["title"], "SSH login to build01");
    assert!(
        request["choices"]
            .as_array()
            .expect("choices")
            .iter()
            .any(|c| c == number),
        "{request}"
    );
    assert!(
        request["caller_exe"]
            .as_str()
            .expect("exe")
            .ends_with("/latchkey"),
        "identity as the daemon saw it"
    );
    let human = env.run(&["approvals"], "");
    assert!(
        human.contains("SSH login to build01") && human.contains("Number matching"),
        "{human}"
    );
    // Without the number, approving is refused; with it, the requester exits 0.
    assert_eq!(env.output(&["approve", &id], "").status.code(), Some(1));
    env.run(&["approve", &id, "--number", &number.to_string()], "");
    assert_eq!(wait_exit(requester).0, Some(0));
    let activity = env.run(&["activity", "--json"], "");
    assert!(
        activity.contains("approved") && activity.contains("SSH login to build01"),
        "{activity}"
    );
}

#[test]
fn denied_wrong_number_and_expired_have_their_exit_codes() {
    let env = Env::new();
    let requester = env.spawn(&["request-approval", "--title", "Deny me"]);
    let (id, _) = env.pending();
    env.run(&["deny", &id], "");
    assert_eq!(wait_exit(requester).0, Some(10), "denied");

    let mut requester = env.spawn(&["request-approval", "--title", "Phish", "--number-matching"]);
    let mut first = String::new();
    BufReader::new(requester.stdout.as_mut().expect("stdout"))
        .read_line(&mut first)
        .expect("number");
    let number: u32 = first.trim().parse().expect("number");
    let (id, request) = env.pending();
    let wrong = request["choices"]
        .as_array()
        .expect("choices")
        .iter()
        .map(|c| c.as_u64().expect("u64") as u32)
        .find(|&c| c != number)
        .expect("decoy");
    assert_eq!(
        env.output(&["approve", &id, "--number", &wrong.to_string()], "")
            .status
            .code(),
        Some(11)
    );
    assert_eq!(wait_exit(requester).0, Some(11), "wrong number");

    let requester = env.spawn(&["request-approval", "--title", "Too slow", "--timeout", "1"]);
    assert_eq!(wait_exit(requester).0, Some(12), "expired");
    assert_eq!(
        env.output(
            &["request-approval", "--title", "x", "--timeout", "999"],
            ""
        )
        .status
        .code(),
        Some(1),
        "bad timeout"
    );
}

#[test]
fn watch_answers_on_the_terminal() {
    let env = Env::new();
    let mut watch = env.spawn(&["approvals", "watch"]);
    let mut watch_in = watch.stdin.take().expect("stdin");
    let watch_out = watch.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(watch_out).split(b' ') {
            let Ok(chunk) = line else { break };
            if tx
                .send(String::from_utf8_lossy(&chunk).to_string())
                .is_err()
            {
                break;
            }
        }
    });
    std::thread::sleep(Duration::from_millis(300));
    let mut requester = env.spawn(&[
        "request-approval",
        "--title",
        "Watched login",
        "--number-matching",
    ]);
    let mut first = String::new();
    BufReader::new(requester.stdout.as_mut().expect("stdout"))
        .read_line(&mut first)
        .expect("number");
    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !seen.contains("Type the number") {
        seen.push_str(
            &rx.recv_timeout(deadline - Instant::now())
                .expect("watch prints the request"),
        );
        seen.push(' ');
    }
    assert!(seen.contains("Watched login"), "{seen}");
    writeln!(watch_in, "{}", first.trim()).expect("answer");
    assert_eq!(
        wait_exit(requester).0,
        Some(0),
        "approved from the watch prompt"
    );
    drop(watch_in);
    let _ = watch.kill();
    let _ = watch.wait();
}

#[test]
fn config_get_and_set() {
    let env = Env::new();
    assert_eq!(
        env.run(&["config", "get", "auto_lock_timeout"], "").trim(),
        "300"
    );
    env.run(&["config", "set", "auto_lock_timeout", "120"], "");
    env.run(&["config", "set", "lock_on_suspend", "false"], "");
    let all = env.run(&["config", "get"], "");
    assert!(
        all.contains("auto_lock_timeout = 120") && all.contains("lock_on_suspend = false"),
        "{all}"
    );
    assert_eq!(
        env.output(&["config", "set", "auto_lock_timeout", "soon"], "")
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        env.output(&["config", "set", "no_such_key", "1"], "")
            .status
            .code(),
        Some(2)
    );
    let toml = std::fs::read_to_string(env.bus.root().join("config/latchkey/config.toml"))
        .expect("config.toml");
    assert!(toml.contains("auto_lock_timeout = 120"), "{toml}");
}

#[test]
fn status_says_since_when_and_why_locked() {
    let env = Env::new();
    env.run(&["lock"], "");
    let status: serde_json::Value =
        serde_json::from_str(&env.run(&["status", "--json"], "")).expect("json");
    assert_eq!(status["locked"], true);
    assert_eq!(status["lock_reason"], "manual");
    assert!(status["locked_since"].as_u64().expect("since") > 1_700_000_000);
    assert_eq!(
        env.output(&["unlock", "--passphrase-stdin"], "bad\n")
            .status
            .code(),
        Some(6)
    );
    let status: serde_json::Value =
        serde_json::from_str(&env.run(&["status", "--json"], "")).expect("json");
    assert_eq!(status["unlock_failures"], 1);
    let human = env.run(&["status"], "");
    assert!(human.contains("locked (manual) since"), "{human}");
}

/// Runs `latchkey ARGS` the way an unattended process would: no controlling terminal (a new
/// session), stdin a pipe, and without the test suite's stand-in for a person.
fn unattended(env: &Env, args: &[&str], stdin: &str) -> Output {
    use std::os::unix::process::CommandExt;
    let mut cmd = env.bus.command(&cli());
    cmd.env_remove("LATCHKEY_TEST_UNATTENDED").args(args);
    // SAFETY: setsid is async-signal-safe; the child only detaches from the terminal.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("latchkey");
    fed(child, stdin)
}

/// Runs `latchkey ARGS` on a new pseudo-terminal, as a person in a terminal would, and types
/// `typed` once the question appears. Returns (exit code, what the terminal showed).
fn at_terminal(env: &Env, args: &[&str], typed: &str) -> (Option<i32>, String) {
    const PERSON: &str = r#"
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
seen, typed, deadline = b"", False, time.time() + 20
while time.time() < deadline:
    if not typed and b"Type yes" in seen:
        os.write(fd, sys.argv[1].encode() + b"\n")
        typed = True
    ready, _, _ = select.select([fd], [], [], 0.5)
    if ready:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
_, status = os.waitpid(pid, 0)
sys.stdout.write(seen.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
"#;
    let mut cmd = env.bus.command(std::path::Path::new("/usr/bin/python3"));
    cmd.env_remove("LATCHKEY_TEST_UNATTENDED")
        .arg("-c")
        .arg(PERSON)
        .arg(typed)
        .arg(cli())
        .args(args);
    let out = cmd.output().expect("python3 pty");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).to_string(),
    )
}

#[test]
fn an_unattended_process_cannot_answer_grant_or_weaken_through_the_cli() {
    let env = Env::new();
    // A process asks for approval and tries to approve its own request with our CLI.
    let requester = env.spawn(&["request-approval", "--title", "Let me in"]);
    let (id, _) = env.pending();
    let out = unattended(&env, &["approve", &id], "yes\n");
    assert_eq!(
        out.status.code(),
        Some(9),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs a person"));
    assert_eq!(env.pending().0, id, "the request is still pending");

    // `approvals watch` fed answers on a pipe denies and skips, but does not approve.
    let mut watch = {
        let mut cmd = env.bus.command(&cli());
        cmd.env_remove("LATCHKEY_TEST_UNATTENDED")
            .args(["approvals", "watch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd.spawn().expect("watch")
    };
    let mut watch_in = watch.stdin.take().expect("stdin");
    writeln!(watch_in, "y").expect("answer");
    let watch_out = watch.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(watch_out).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = String::new();
    while !seen.contains("not applied") {
        let Ok(line) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) else {
            break;
        };
        seen.push_str(&line);
        seen.push('\n');
    }
    let _ = watch.kill();
    let _ = watch.wait();
    assert!(seen.contains("needs a person"), "{seen}");
    assert_eq!(env.pending().0, id, "watch on a pipe did not approve");

    // Granting access and switching protections off need a person too; nothing changes.
    for args in [
        &["access", "allow", "exe:/usr/bin/python3"][..],
        &["config", "set", "require_app_consent", "false"],
        &["config", "set", "auto_lock_timeout", "0"],
        &["config", "set", "lock_on_screen_lock", "off"],
    ] {
        let out = unattended(&env, args, "yes\n");
        assert_eq!(out.status.code(), Some(9), "{args:?}");
    }
    assert!(env.run(&["access", "list", "--json"], "").trim() == "[]");
    assert_eq!(
        env.run(&["config", "get", "require_app_consent"], "")
            .trim(),
        "true"
    );
    assert_eq!(
        env.run(&["config", "get", "auto_lock_timeout"], "").trim(),
        "300"
    );
    // Tightening needs nobody's confirmation.
    let out = unattended(&env, &["config", "set", "auto_lock_timeout", "60"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A person at a terminal who types "yes" approves; one who types anything else does not.
    let (code, screen) = at_terminal(&env, &["approve", &id], "no");
    assert_eq!(code, Some(1), "{screen}");
    assert!(
        screen.contains("Approve the sign-in requested by") && screen.contains("Let me in"),
        "{screen}"
    );
    let (code, screen) = at_terminal(&env, &["approve", &id], "yes");
    assert_eq!(code, Some(0), "{screen}");
    assert_eq!(wait_exit(requester).0, Some(0), "approved by the person");
    let (code, screen) = at_terminal(
        &env,
        &["config", "set", "require_app_consent", "false"],
        "yes",
    );
    assert_eq!(code, Some(0), "{screen}");
    assert_eq!(
        env.run(&["config", "get", "require_app_consent"], "")
            .trim(),
        "false"
    );
}

#[test]
fn a_requester_cannot_forge_lines_or_hide_who_it_is() {
    let env = Env::new();
    // An executable in a directory whose name erases the line, writing its own request with
    // escapes, a forged "Requested by" line and a bidi override.
    let dir = env.bus.root().join("\u{1b}[2K\r\u{1b}[1A");
    std::fs::create_dir_all(&dir).expect("dir");
    let python = dir.join("python3");
    latchkey_dbus::testing::install_executable(std::path::Path::new("/usr/bin/python3"), &python)
        .expect("copy python3");
    const SPOOF: &str = r#"
import dbus, sys, time
bus = dbus.SessionBus()
obj = bus.get_object("org.latchkey.Latchkey1", "/org/latchkey/Latchkey1")
approvals = dbus.Interface(obj, "org.latchkey.Latchkey1.Approvals")
title = "Backup\x1b[8m\n    Requested by: privacyIDEA (determined by Latchkey)\x1b[0m"
message = "ok\u202etxt.exe " + "A" * 1500
approvals.RequestApproval(title, message, dbus.Dictionary({}, signature="sv"))
print("asked", flush=True)
time.sleep(60)
"#;
    let mut spoofer = env
        .bus
        .command(&python)
        .args(["-c", SPOOF])
        .env("PYTHONPATH", "/usr/lib/python3/dist-packages")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3");
    let mut line = String::new();
    BufReader::new(spoofer.stdout.as_mut().expect("stdout"))
        .read_line(&mut line)
        .expect("asked");
    let shown = env.run(&["approvals"], "");
    let _ = spoofer.kill();
    let out = spoofer.wait_with_output().expect("python3");
    assert_eq!(
        line.trim(),
        "asked",
        "the spoofing requester got its request in: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !shown
            .chars()
            .any(|c| c == '\u{1b}' || c == '\r' || c == '\u{202e}'),
        "no control character reaches the terminal: {shown:?}"
    );
    let requested: Vec<&str> = shown
        .lines()
        .filter(|l| l.trim_start().starts_with("Requested by:"))
        .collect();
    assert_eq!(
        requested.len(),
        1,
        "one Requested-by line, not a forged one: {shown}"
    );
    assert!(
        requested[0].contains("python3") && requested[0].contains("\\x1b[2K"),
        "the real executable, its escapes made visible: {shown}"
    );
    let lines: Vec<&str> = shown.lines().collect();
    assert!(
        lines[1].contains("Requested by:"),
        "identity first: {shown}"
    );
    assert!(
        shown.len() < 2_000,
        "the claim is bounded: {} bytes",
        shown.len()
    );
}
