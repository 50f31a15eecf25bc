//! Which browser asks, for browser fill: the browser starts Latchkey's native-messaging host, so
//! the process that started the host is the browser, determined from `/proc` like any caller.
//!
//! The host itself is only a relay; what it says about the page (its origin) and the extension
//! are claims. A process that runs the host itself instead of a browser is named as what it is
//! (`python3 script …`), so it cannot borrow a browser's remembered decisions.

use super::Caller;
use super::grants::identity_of;
use super::identity::Identities;
use super::process::{self, Fingerprint};

/// Why no browser could be named.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BrowserError {
    #[error(
        "the browser host's parent process is gone (the browser that started it has exited); \
         nothing is filled"
    )]
    Orphaned,
}

/// The browser behind a host, as determined.
#[derive(Debug, Clone)]
pub struct Browser {
    /// The browser process, on the host's connection (so requests end when the host leaves).
    pub caller: Caller,
    /// What people call it ("Firefox", "Chromium"), from its executable or Flatpak id.
    pub name: String,
}

impl Browser {
    /// The browser that started `host` (the host's caller, as pinned), read from `/proc` now.
    pub fn of(host: &Caller, identities: &Identities) -> Result<Self, BrowserError> {
        let pid = process::parent(host.pid);
        // PID 1 (or a subreaper) adopts a host whose browser exited: it did not start it.
        if pid <= 1 {
            return Err(BrowserError::Orphaned);
        }
        let (caller, seen) = identities.describe(pid, host.uid, &host.bus_name);
        if !started_before(&seen, host.pid) {
            return Err(BrowserError::Orphaned);
        }
        let name = name_of(&caller);
        Ok(Self { caller, name })
    }

    /// The identity its decisions about `site` are remembered under,
    /// `browser:<site>@<browser identity>`; `None` when the browser hides its executable.
    pub fn identity(&self, site: &str) -> Option<String> {
        identity_of(&self.caller).map(|id| format!("browser:{site}@{id}"))
    }
}

/// Whether the process seen started no later than `child` (a reused PID would be younger).
fn started_before(parent: &Fingerprint, child: u32) -> bool {
    match (parent.start_time, process::start_time(child)) {
        (Some(p), Some(c)) => p <= c,
        _ => false,
    }
}

/// A browser's everyday name, from its Flatpak id or executable; any other program by its file
/// name (`python3.11`), and an unidentified one as such.
pub fn name_of(caller: &Caller) -> String {
    const KNOWN: &[(&str, &str)] = &[
        ("org.mozilla.firefox", "Firefox"),
        ("org.chromium.Chromium", "Chromium"),
        ("com.google.Chrome", "Google Chrome"),
        ("com.brave.Browser", "Brave"),
        ("com.microsoft.Edge", "Microsoft Edge"),
        ("com.vivaldi.Vivaldi", "Vivaldi"),
        ("io.gitlab.librewolf-community", "LibreWolf"),
        ("firefox", "Firefox"),
        ("firefox-esr", "Firefox"),
        ("firefox-bin", "Firefox"),
        ("librewolf", "LibreWolf"),
        ("chromium", "Chromium"),
        ("chromium-browser", "Chromium"),
        ("chrome", "Google Chrome"),
        ("brave", "Brave"),
        ("msedge", "Microsoft Edge"),
        ("vivaldi-bin", "Vivaldi"),
    ];
    let key = if caller.flatpak_app.is_empty() {
        caller.exe.rsplit('/').next().unwrap_or_default()
    } else {
        caller.flatpak_app.as_str()
    };
    if !caller.script.is_empty() || key.is_empty() {
        return caller.label();
    }
    KNOWN
        .iter()
        .find(|(k, _)| *k == key)
        .map_or_else(|| key.to_string(), |(_, name)| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_are_named_by_their_executable_or_flatpak_id() {
        let exe = |exe: &str| Caller {
            exe: exe.into(),
            pid: 7,
            ..Caller::default()
        };
        assert_eq!(name_of(&exe("/usr/lib/chromium/chromium")), "Chromium");
        assert_eq!(name_of(&exe("/usr/lib/firefox-esr/firefox-esr")), "Firefox");
        assert_eq!(name_of(&exe("/opt/google/chrome/chrome")), "Google Chrome");
        assert_eq!(name_of(&exe("/usr/bin/sometool")), "sometool");
        let flatpak = Caller {
            flatpak_app: "org.mozilla.firefox".into(),
            exe: "/app/lib/firefox/firefox".into(),
            ..Caller::default()
        };
        assert_eq!(name_of(&flatpak), "Firefox");
        // A script that runs the host is named as the script, not as its interpreter.
        let script = Caller {
            exe: "/usr/bin/python3.11".into(),
            script: "/home/u/fake-browser.py".into(),
            pid: 9,
            ..Caller::default()
        };
        assert!(
            name_of(&script).contains("fake-browser.py"),
            "{}",
            name_of(&script)
        );
        assert!(name_of(&Caller::default()).starts_with("unidentified"));
    }

    #[test]
    fn decisions_are_remembered_per_site_under_the_browsers_identity() {
        let browser = Browser {
            caller: Caller {
                exe: "/usr/lib/chromium/chromium".into(),
                ..Caller::default()
            },
            name: "Chromium".into(),
        };
        assert_eq!(
            browser.identity("github.com").as_deref(),
            Some("browser:github.com@exe:/usr/lib/chromium/chromium")
        );
        let hidden = Browser {
            caller: Caller::default(),
            name: String::new(),
        };
        assert_eq!(hidden.identity("github.com"), None);
    }

    #[test]
    fn the_browser_is_the_hosts_parent() {
        // This test process stands in for the host: its parent is the test runner.
        let me = Caller {
            pid: std::process::id(),
            uid: 0,
            bus_name: ":1.1".into(),
            ..Caller::default()
        };
        let found = Browser::of(&me, &Identities::default()).expect("a parent");
        assert_eq!(found.caller.pid, std::os::unix::process::parent_id());
        assert_eq!(
            found.caller.bus_name, ":1.1",
            "requests live on the host's connection"
        );
    }
}
