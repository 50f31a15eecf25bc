//! The host manifests that tell browsers where the host is and which extension may start it,
//! and the check, at start, that the browser started the host for that extension.
//!
//! `latchkey browser install` writes them per user; a package installs the same files
//! system-wide (docs/browser.md lists the folders).

use crate::protocol::HostError;
use std::path::{Path, PathBuf};

/// The host's name, as the extension calls it and the manifests' file names are.
pub const NAME: &str = "org.latchkey.browser";
/// The Chromium extension's id: fixed by the public key in `browser/extension/manifest.json`
/// (the first 32 hex digits of its SHA-256, written a–p).
pub const CHROMIUM_EXTENSION_ID: &str = "indcnkplngbcnodobnmlhecmkpfkeffp";
/// The Firefox add-on's id (`browser_specific_settings.gecko.id` in the same manifest).
pub const FIREFOX_EXTENSION_ID: &str = "browser@latchkey.codeberg.page";
/// What the manifests say the host is.
const DESCRIPTION: &str = "Latchkey: one-time codes filled into the pages they belong to";

/// A browser family and where it looks for a user's host manifests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Browser {
    Firefox,
    Chromium,
    Chrome,
}

impl Browser {
    pub const ALL: [Browser; 3] = [Browser::Firefox, Browser::Chromium, Browser::Chrome];

    /// What people call it.
    pub fn name(self) -> &'static str {
        match self {
            Browser::Firefox => "Firefox",
            Browser::Chromium => "Chromium",
            Browser::Chrome => "Google Chrome",
        }
    }

    /// The user's manifest file: Firefox reads `~/.mozilla/native-messaging-hosts/` (not XDG),
    /// Chromium and Chrome `NativeMessagingHosts/` in their profile folder under
    /// `$XDG_CONFIG_HOME` (a browser started with `--user-data-dir=DIR` reads
    /// `DIR/NativeMessagingHosts/` instead).
    pub fn user_manifest(self, home: &Path, config_home: &Path) -> PathBuf {
        let dir = match self {
            Browser::Firefox => home.join(".mozilla/native-messaging-hosts"),
            Browser::Chromium => config_home.join("chromium/NativeMessagingHosts"),
            Browser::Chrome => config_home.join("google-chrome/NativeMessagingHosts"),
        };
        dir.join(format!("{NAME}.json"))
    }

    /// The system-wide manifest a package installs, where this browser as Debian ships it reads
    /// one: Firefox `/usr/lib/mozilla/native-messaging-hosts/`, Chromium
    /// `/etc/chromium/native-messaging-hosts/`. Google Chrome reads `/etc/opt/chrome/…`, which
    /// Debian policy keeps packages out of: its users run `latchkey browser install`.
    pub fn system_manifest(self) -> Option<PathBuf> {
        let dir = match self {
            Browser::Firefox => "/usr/lib/mozilla/native-messaging-hosts",
            Browser::Chromium => "/etc/chromium/native-messaging-hosts",
            Browser::Chrome => return None,
        };
        Some(Path::new(dir).join(format!("{NAME}.json")))
    }

    /// The manifest this browser reads for the host at `host`.
    pub fn manifest(self, host: &Path) -> String {
        match self {
            Browser::Firefox => firefox(host),
            Browser::Chromium | Browser::Chrome => chromium(host),
        }
    }
}

/// The origin Chromium passes to a host it starts for Latchkey's extension.
pub fn chromium_origin() -> String {
    format!("chrome-extension://{CHROMIUM_EXTENSION_ID}/")
}

/// The manifest Chromium and Google Chrome read (`NativeMessagingHosts/<NAME>.json`).
pub fn chromium(host: &Path) -> String {
    manifest(host, "allowed_origins", &chromium_origin())
}

/// The manifest Firefox reads (`native-messaging-hosts/<NAME>.json`).
pub fn firefox(host: &Path) -> String {
    manifest(host, "allowed_extensions", FIREFOX_EXTENSION_ID)
}

fn manifest(host: &Path, allowed: &str, extension: &str) -> String {
    let mut m = serde_json::json!({
        "name": NAME,
        "description": DESCRIPTION,
        "path": host.display().to_string(),
        "type": "stdio",
    });
    m[allowed] = serde_json::json!([extension]);
    let mut text = serde_json::to_string_pretty(&m).unwrap_or_default();
    text.push('\n');
    text
}

/// The extension the browser started the host for, from the host's arguments: Chromium passes
/// the extension's origin (`chrome-extension://ID/`, then on some systems `--parent-window=…`),
/// Firefox the manifest's path and the add-on's id. Any other extension is refused.
pub fn extension_from_args(args: &[String]) -> Result<String, HostError> {
    let origin = chromium_origin();
    let known = |a: &String| *a == origin || a == FIREFOX_EXTENSION_ID;
    if let Some(found) = args.iter().find(|a| known(a)) {
        return Ok(found.clone());
    }
    let shown = args
        .iter()
        .find(|a| a.starts_with("chrome-extension://"))
        .or_else(|| args.get(1))
        .or_else(|| args.first())
        .map(|a| a.chars().take(100).collect::<String>())
        .unwrap_or_else(|| "an unnamed extension".to_string());
    Err(HostError::UnknownExtension(shown))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_name_the_host_and_allow_our_extension_only() {
        let path = Path::new("/usr/libexec/latchkey/latchkey-browser-host");
        let c: serde_json::Value = serde_json::from_str(&chromium(path)).expect("json");
        assert_eq!(c["name"], NAME);
        assert_eq!(c["type"], "stdio");
        assert_eq!(c["path"], "/usr/libexec/latchkey/latchkey-browser-host");
        assert_eq!(c["allowed_origins"], serde_json::json!([chromium_origin()]));
        assert!(c.get("allowed_extensions").is_none());
        let f: serde_json::Value = serde_json::from_str(&firefox(path)).expect("json");
        assert_eq!(
            f["allowed_extensions"],
            serde_json::json!([FIREFOX_EXTENSION_ID])
        );
        assert!(f.get("allowed_origins").is_none());
    }

    #[test]
    fn each_browser_reads_its_own_folder() {
        let (home, config) = (Path::new("/h"), Path::new("/c"));
        let file = |b: Browser| b.user_manifest(home, config).display().to_string();
        assert_eq!(
            file(Browser::Firefox),
            "/h/.mozilla/native-messaging-hosts/org.latchkey.browser.json"
        );
        assert_eq!(
            file(Browser::Chromium),
            "/c/chromium/NativeMessagingHosts/org.latchkey.browser.json"
        );
        assert_eq!(
            file(Browser::Chrome),
            "/c/google-chrome/NativeMessagingHosts/org.latchkey.browser.json"
        );
        let system = |b: Browser| b.system_manifest().map(|p| p.display().to_string());
        assert_eq!(
            system(Browser::Firefox).as_deref(),
            Some("/usr/lib/mozilla/native-messaging-hosts/org.latchkey.browser.json")
        );
        assert_eq!(
            system(Browser::Chromium).as_deref(),
            Some("/etc/chromium/native-messaging-hosts/org.latchkey.browser.json")
        );
        assert_eq!(system(Browser::Chrome), None);
    }

    #[test]
    fn the_host_serves_the_extension_it_was_started_for_only() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            extension_from_args(&args(&[&chromium_origin()])),
            Ok(chromium_origin())
        );
        assert_eq!(
            extension_from_args(&args(&[&chromium_origin(), "--parent-window=0"])),
            Ok(chromium_origin())
        );
        assert_eq!(
            extension_from_args(&args(&[
                "/home/u/.mozilla/native-messaging-hosts/org.latchkey.browser.json",
                FIREFOX_EXTENSION_ID
            ])),
            Ok(FIREFOX_EXTENSION_ID.to_string())
        );
        let e = extension_from_args(&args(&[
            "chrome-extension://aaaabbbbccccddddeeeeffffgggghhhh/",
        ]))
        .expect_err("another extension");
        assert_eq!(e.name(), "UnknownExtension");
        assert!(e.to_string().contains("aaaabbbb"), "{e}");
        assert!(extension_from_args(&[]).is_err());
    }

    #[test]
    fn the_chromium_id_is_the_one_the_extensions_key_gives() {
        let manifest: serde_json::Value =
            serde_json::from_str(include_str!("../../extension/manifest.json"))
                .expect("the extension's manifest is JSON");
        assert_eq!(
            manifest["browser_specific_settings"]["gecko"]["id"],
            FIREFOX_EXTENSION_ID
        );
        let key = manifest["key"].as_str().expect("a key");
        // The id is SHA-256 of the DER public key, its first 32 hex digits written a–p.
        let der = base64_decode(key);
        let digest = sha256(&der);
        let id: String = digest
            .iter()
            .take(16)
            .flat_map(|b| [b >> 4, b & 0xf])
            .map(|n| char::from(b'a' + n))
            .collect();
        assert_eq!(id, CHROMIUM_EXTENSION_ID);
    }

    /// Standard base64 without a crate (the test's only use of it).
    fn base64_decode(text: &str) -> Vec<u8> {
        let value = |c: u8| match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            _ => 63,
        };
        let clean: Vec<u8> = text.bytes().filter(|&c| c != b'=').map(value).collect();
        clean
            .chunks(4)
            .flat_map(|c| {
                let n =
                    c.iter().fold(0u32, |acc, &v| (acc << 6) | u32::from(v)) << (6 * (4 - c.len()));
                let bytes = n.to_be_bytes();
                bytes[1..c.len()].to_vec()
            })
            .collect()
    }

    /// SHA-256 by the `sha256sum` program, an implementation independent of ours.
    fn sha256(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut child = std::process::Command::new("sha256sum")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("sha256sum runs");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(data)
            .expect("write");
        let out = child.wait_with_output().expect("sha256sum");
        let hex = String::from_utf8(out.stdout).expect("utf-8");
        (0..32)
            .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex"))
            .collect()
    }
}
