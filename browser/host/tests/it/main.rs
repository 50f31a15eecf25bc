//! The host program as a browser runs it: frames on its stdin and stdout. What needs no daemon
//! (hello, refusals of what is no request, the extension check, an unreachable daemon) is
//! checked here; codes and consent in latchkeyd's `browser` tests and, through a real
//! Chromium, in the CLI's.

use latchkey_browser_host::manifest::{FIREFOX_EXTENSION_ID, chromium_origin};
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = (body.len() as u32).to_ne_bytes().to_vec();
    out.extend_from_slice(body);
    out
}

/// Runs the host with `args`, sends `input`, reads `expected` replies, then closes stdin as a
/// browser closes the port (requests still open then are dropped: nobody could read their
/// replies) and checks the host ends cleanly with nothing more written. Replies come sorted by
/// id (refusals of unreadable messages, without an id, first, in the order sent).
fn exchange(args: &[&str], input: &[u8], expected: usize) -> Vec<serde_json::Value> {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut child = Command::new(env!("CARGO_BIN_EXE_latchkey-browser-host"))
        .args(args)
        .env_clear()
        // No session bus: the daemon is unreachable by construction.
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", tmp.path().join("none").display()),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("host runs");
    // A host that hangs is killed (by its PID) so the test fails instead of waiting forever.
    let pid = child.id();
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if finished.recv_timeout(Duration::from_secs(20)).is_err() {
            // SAFETY: kill(2) on the PID of the child this test started and has not reaped.
            unsafe { libc::kill(pid as i32, libc::SIGKILL) };
        }
    });
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(input).expect("write");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut replies: Vec<serde_json::Value> = Vec::new();
    for _ in 0..expected {
        let mut len = [0u8; 4];
        stdout.read_exact(&mut len).expect("a reply's header");
        let len = u32::from_ne_bytes(len) as usize;
        assert!(len <= 1024 * 1024);
        let mut body = vec![0u8; len];
        stdout.read_exact(&mut body).expect("a reply");
        replies.push(serde_json::from_slice(&body).expect("a reply is JSON"));
    }
    drop(stdin);
    let mut rest = Vec::new();
    stdout.read_to_end(&mut rest).expect("read");
    let status = child.wait().expect("host ends");
    let _ = done.send(());
    watchdog.join().expect("watchdog");
    assert!(status.success(), "{status:?}");
    assert!(rest.is_empty(), "more replies than expected: {rest:?}");
    replies.sort_by_key(|r| r["id"].as_u64().unwrap_or(0));
    replies
}

#[test]
fn the_host_answers_hello_and_refuses_what_is_no_request_by_name() {
    let mut input = frame(br#"{"id":1,"type":"hello"}"#);
    input.extend(frame(b"not json"));
    input.extend(frame(br#"{"id":2,"type":"export-everything"}"#));
    input.extend(frame(&vec![b' '; 64 * 1024 + 1]));
    input.extend(frame(
        br#"{"id":3,"type":"accounts","origin":"https://github.com"}"#,
    ));
    let replies = exchange(&[&chromium_origin()], &input, 5);
    let names: Vec<(Option<u64>, &str)> = replies
        .iter()
        .map(|r| (r["id"].as_u64(), r["error"]["name"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        names,
        [
            (None, "MalformedMessage"),
            (None, "MessageTooLarge"),
            (Some(1), ""),
            (Some(2), "MalformedMessage"),
            (Some(3), "DaemonUnreachable"),
        ],
        "{replies:?}"
    );
    assert_eq!(replies[2]["ok"], true);
    assert_eq!(replies[2]["protocol"], 1);
}

#[test]
fn another_extension_gets_nothing_and_a_cut_off_message_ends_the_host() {
    let ask = frame(br#"{"id":1,"type":"accounts","origin":"https://github.com"}"#);
    let replies = exchange(
        &["chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"],
        &ask,
        1,
    );
    assert_eq!(replies[0]["error"]["name"], "UnknownExtension");
    // Firefox names the add-on after the manifest's path.
    let replies = exchange(
        &["/x/org.latchkey.browser.json", FIREFOX_EXTENSION_ID],
        &ask,
        1,
    );
    assert_eq!(replies[0]["error"]["name"], "DaemonUnreachable");
    // Half a message, then the pipe closes: no reply, and the host ends cleanly.
    let mut cut = ask.clone();
    cut.truncate(ask.len() - 3);
    assert!(exchange(&[&chromium_origin()], &cut, 0).is_empty());
}
