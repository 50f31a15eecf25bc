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
        let mut child = self.spawn(args);
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("stdin");
        child.wait_with_output().expect("latchkey")
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
