//! Is a person answering? The CLI is an own client of the daemon, trusted to answer consent and
//! approval requests, grant access and switch protections off. Any process of the user can run
//! it, so those commands ask the person at the controlling terminal to type "yes" first: a script
//! with piped stdin, a background job or a process without a terminal cannot. The question is
//! read from `/dev/tty`, never stdin, after discarding anything typed ahead, and only when this
//! process is in the terminal's foreground process group.

use crate::exit::{CliError, NO_PERSON};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;

/// What tells the person where else they can answer.
const ELSEWHERE: &str = "answer in the Latchkey app, or run this command in a terminal";

/// Asks the person at the terminal to confirm `what` by typing "yes". Errors with exit code
/// [`NO_PERSON`] when there is no terminal to ask, and with `FAILURE` when the person declines.
pub fn confirm(what: &str) -> Result<(), CliError> {
    #[cfg(any(debug_assertions, feature = "test-hooks"))]
    if std::env::var_os("LATCHKEY_TEST_UNATTENDED").is_some_and(|v| v == "1") {
        return Ok(());
    }
    let tty = foreground_terminal().ok_or_else(|| {
        CliError::new(
            NO_PERSON,
            format!(
                "{what} needs a person: there is no terminal in the foreground to ask; {ELSEWHERE}"
            ),
        )
    })?;
    // Anything typed (or injected) before the question is not an answer to it.
    // SAFETY: tcflush on a terminal descriptor we own; no memory is passed.
    unsafe { libc::tcflush(tty.as_raw_fd(), libc::TCIFLUSH) };
    let mut out = &tty;
    write!(out, "{what}\nType yes to confirm: ")
        .and_then(|()| out.flush())
        .map_err(|e| CliError::other(format!("cannot ask at the terminal: {e}")))?;
    let mut answer = String::new();
    BufReader::new(&tty)
        .read_line(&mut answer)
        .map_err(|e| CliError::other(format!("cannot read the answer at the terminal: {e}")))?;
    if answer.trim().eq_ignore_ascii_case("yes") {
        Ok(())
    } else {
        Err(CliError::other("not confirmed: nothing was changed"))
    }
}

/// True when answers read from stdin come from a person: stdin is the controlling terminal and
/// this process is in its foreground. `approvals watch` reads its answers from stdin.
pub fn stdin_is_person() -> bool {
    #[cfg(any(debug_assertions, feature = "test-hooks"))]
    if std::env::var_os("LATCHKEY_TEST_UNATTENDED").is_some_and(|v| v == "1") {
        return true;
    }
    let stdin = std::io::stdin();
    let fd = stdin.as_raw_fd();
    // SAFETY: isatty and tcgetpgrp only read the state of a descriptor we hold.
    if unsafe { libc::isatty(fd) } != 1 || !is_foreground(fd) {
        return false;
    }
    // Stdin must be that very terminal, not another one the process holds.
    foreground_terminal().is_some_and(|tty| same_device(fd, tty.as_raw_fd()))
}

fn same_device(a: i32, b: i32) -> bool {
    let rdev = |fd: i32| {
        let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
        // SAFETY: fstat writes a full `stat` into the buffer when it returns 0.
        (unsafe { libc::fstat(fd, st.as_mut_ptr()) } == 0)
            .then(|| unsafe { st.assume_init() }.st_rdev)
    };
    matches!((rdev(a), rdev(b)), (Some(x), Some(y)) if x == y)
}

/// The controlling terminal, if this process has one and is in its foreground process group.
fn foreground_terminal() -> Option<File> {
    let tty = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOCTTY | libc::O_CLOEXEC)
        .open("/dev/tty")
        .ok()?;
    is_foreground(tty.as_raw_fd()).then_some(tty)
}

fn is_foreground(fd: i32) -> bool {
    // SAFETY: both calls only read process and terminal state.
    let (group, ours) = unsafe { (libc::tcgetpgrp(fd), libc::getpgrp()) };
    group > 0 && group == ours
}
