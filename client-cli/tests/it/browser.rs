//! `latchkey browser install/uninstall/status` into a temporary home: the manifests name the
//! built host and allow Latchkey's extension only, as each browser reads them.

use crate::common::{Env, mode};
use latchkey_dbus::testing::target_bin;

const NAME: &str = "org.latchkey.browser.json";

#[test]
fn install_writes_each_browsers_manifest_status_reports_it_and_uninstall_removes_it() {
    let env = Env::new();
    let files = [
        env.root()
            .join("home/.mozilla/native-messaging-hosts")
            .join(NAME),
        env.root()
            .join("config/chromium/NativeMessagingHosts")
            .join(NAME),
        env.root()
            .join("config/google-chrome/NativeMessagingHosts")
            .join(NAME),
    ];
    let status = env.json(&["browser", "status", "--json"]);
    assert_eq!(status.as_array().map(Vec::len), Some(3), "{status}");
    assert!(
        status
            .as_array()
            .expect("list")
            .iter()
            .all(|b| b["installed"] == false)
    );

    let host = target_bin("latchkey-browser-host");
    let out = env.ok(&["browser", "install"], None);
    assert!(out.contains(&host.display().to_string()), "{out}");
    for file in &files {
        let text = std::fs::read_to_string(file).expect("manifest written");
        let m: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(m["name"], "org.latchkey.browser");
        assert_eq!(m["type"], "stdio");
        assert_eq!(m["path"], host.display().to_string());
        assert_eq!(mode(file), 0o644);
        if file.to_string_lossy().contains(".mozilla") {
            assert_eq!(
                m["allowed_extensions"],
                serde_json::json!(["browser@latchkey.codeberg.page"])
            );
            assert!(m.get("allowed_origins").is_none());
        } else {
            // Chromium and Chrome: our fixed id only, no wildcard.
            assert_eq!(
                m["allowed_origins"],
                serde_json::json!(["chrome-extension://indcnkplngbcnodobnmlhecmkpfkeffp/"])
            );
        }
    }
    let status = env.json(&["browser", "status", "--json"]);
    for b in status.as_array().expect("list") {
        assert_eq!(b["installed"], true, "{b}");
        assert_eq!(b["host_runs"], true, "{b}");
    }

    // A manifest someone changed (another extension allowed) is reported, not trusted.
    let edited = std::fs::read_to_string(&files[1]).expect("read").replace(
        "indcnkplngbcnodobnmlhecmkpfkeffp",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    );
    std::fs::write(&files[1], edited).expect("edit");
    let text = env.ok(&["browser", "status"], None);
    assert!(
        text.contains("Chromium: the manifest is not the one"),
        "{text}"
    );

    // A host that is not there is refused at install, and nothing is written.
    std::fs::remove_file(&files[0]).expect("remove");
    let (_, err) = env.fails(&["browser", "install", "--host", "/nonexistent/host"], 1);
    assert!(
        err.contains("no latchkey-browser-host at /nonexistent/host"),
        "{err}"
    );
    assert!(!files[0].exists());

    let out = env.ok(&["browser", "uninstall"], None);
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(files.iter().all(|f| !f.exists()));
}
