//! A Flatpak app id, believed only from a sandbox that an unprivileged process could not build.
//!
//! The id comes from `[Application] name=` in the sandbox's `/.flatpak-info`. Any process can
//! make a user namespace, mount a tmpfs, write such a file and `chroot` into it (`unshare -Urm`),
//! so the file is believed only when, as xdg-desktop-portal requires and more:
//! the caller lives in another mount namespace than ours; that mount namespace is owned by *our*
//! user namespace (so whoever made it was privileged: setuid bubblewrap or a system helper — a
//! namespace built with `unshare -Urm` or unprivileged bubblewrap is owned by a user namespace of
//! our uid); the file is opened through `/proc/PID/root` without following a symlink, is a
//! regular file owned by root, not writable by group or others, on a read-only mount; and the id
//! is valid Flatpak app id syntax. Anything else is not a Flatpak identity.

use super::process::{FileId, file_id};
use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};

/// `ioctl(NS_GET_USERNS)`: the user namespace owning a namespace (linux/nsfs.h).
const NS_GET_USERNS: libc::c_ulong = 0xb701;
/// Largest `.flatpak-info` read.
const MAX_INFO: u64 = 64 * 1024;

/// Why a `.flatpak-info` was not believed (logged, never shown as an identity).
#[derive(Debug, thiserror::Error)]
pub enum Unverified {
    #[error("the caller shares the daemon's mount namespace")]
    SameMountNamespace,
    #[error("the caller's mount namespace cannot be read")]
    UnknownMountNamespace,
    #[error(
        "its mount namespace is owned by a user namespace an unprivileged process could have made"
    )]
    UnprivilegedNamespace,
    #[error("cannot open it: {0}")]
    Open(std::io::Error),
    #[error("it is not a regular file owned by root and writable only by root")]
    Ownership,
    #[error("it is not on a read-only mount")]
    Writable,
    #[error("it is unreadable or too large")]
    Unreadable,
    #[error("it names no valid app id")]
    InvalidAppId,
}

/// The verified app id of `pid`'s sandbox; `Ok(None)` when the caller is not in one.
pub fn verified_app_id(
    pid: u32,
    mount_ns: Option<FileId>,
    own_mount_ns: Option<FileId>,
) -> Result<Option<String>, Unverified> {
    if pid == 0 {
        return Ok(None);
    }
    let file = match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC)
        .open(format!("/proc/{pid}/root/.flatpak-info"))
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Unverified::Open(e)),
    };
    let mount_ns = mount_ns.ok_or(Unverified::UnknownMountNamespace)?;
    if Some(mount_ns) == own_mount_ns {
        return Err(Unverified::SameMountNamespace);
    }
    if !owned_by_our_user_namespace(pid) {
        return Err(Unverified::UnprivilegedNamespace);
    }
    let meta = file.metadata().map_err(|_| Unverified::Unreadable)?;
    if !meta.file_type().is_file() || meta.uid() != 0 || meta.mode() & 0o022 != 0 {
        return Err(Unverified::Ownership);
    }
    if !on_read_only_mount(&file) {
        return Err(Unverified::Writable);
    }
    if meta.len() > MAX_INFO {
        return Err(Unverified::Unreadable);
    }
    let mut text = String::new();
    file.take(MAX_INFO)
        .read_to_string(&mut text)
        .map_err(|_| Unverified::Unreadable)?;
    let id = parse_flatpak_info(&text);
    if !is_valid_app_id(&id) {
        return Err(Unverified::InvalidAppId);
    }
    Ok(Some(id))
}

/// Whether `pid`'s mount namespace belongs to the daemon's own user namespace.
fn owned_by_our_user_namespace(pid: u32) -> bool {
    let Ok(ns) = std::fs::File::open(format!("/proc/{pid}/ns/mnt")) else {
        return false;
    };
    // SAFETY: NS_GET_USERNS takes no argument and returns a new fd or -1.
    let fd = unsafe { libc::ioctl(ns.as_raw_fd(), NS_GET_USERNS as _) };
    if fd < 0 {
        return false;
    }
    // SAFETY: the ioctl returned a fresh fd that nothing else owns.
    let owner = std::fs::File::from(unsafe { OwnedFd::from_raw_fd(fd) });
    let Ok(meta) = owner.metadata() else {
        return false;
    };
    file_id("/proc/self/ns/user") == Some((meta.dev(), meta.ino()))
}

fn on_read_only_mount(file: &std::fs::File) -> bool {
    // SAFETY: statvfs is plain data; fstatvfs fills it for a valid fd.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: the fd is open for the duration of the call.
    let r = unsafe { libc::fstatvfs(file.as_raw_fd(), &mut st) };
    r == 0 && st.f_flag & libc::ST_RDONLY != 0
}

/// Extracts the application id from `.flatpak-info` contents.
pub fn parse_flatpak_info(info: &str) -> String {
    let mut in_app = false;
    for line in info.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_app = line == "[Application]";
        } else if in_app && let Some(name) = line.strip_prefix("name=") {
            return name.trim().to_string();
        }
    }
    String::new()
}

/// Flatpak's app id syntax: at most 255 bytes, at least three dot-separated elements of ASCII
/// letters, digits, `_` and `-` (a dash only in the last), none starting with a digit.
pub fn is_valid_app_id(id: &str) -> bool {
    let elements: Vec<&str> = id.split('.').collect();
    let last = elements.len().saturating_sub(1);
    id.len() <= 255
        && elements.len() >= 3
        && elements.iter().enumerate().all(|(i, e)| {
            let mut chars = e.chars();
            chars
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || (c == '-' && i == last))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flatpak_info_application_name() {
        let info = "[Instance]\nname=wrong\n\n[Application]\nname=org.example.Browser\nruntime=x\n";
        assert_eq!(parse_flatpak_info(info), "org.example.Browser");
        assert_eq!(parse_flatpak_info("[Instance]\nname=x\n"), "");
    }

    #[test]
    fn app_id_syntax() {
        for ok in [
            "org.mozilla.firefox",
            "com.example.My_App",
            "io.github.a.b-c",
        ] {
            assert!(is_valid_app_id(ok), "{ok}");
        }
        for bad in [
            "",
            "org.example",
            "org..x",
            "org.1x.y",
            "org.ex-ample.y",
            "org.example.App\u{1b}[8m",
            "org.example.App (pid 1)",
            &format!("org.example.{}", "a".repeat(260)),
        ] {
            assert!(!is_valid_app_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn an_ordinary_process_is_not_a_flatpak() {
        let me = std::process::id();
        let ns = super::super::process::own_mount_ns();
        assert!(matches!(verified_app_id(me, ns, ns), Ok(None)));
    }
}
