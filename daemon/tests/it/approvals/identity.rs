//! A caller's identity cannot be borrowed, faked or hidden, attacked from outside: python3 with
//! dbus-python (`identity/attack.py`), in user and mount namespaces that any unprivileged
//! process can build (`identity/namespace.py`), against the real daemon on a private bus.
//!
//! The daemon runs as a desktop user's would: when the tests run as root it is started without
//! `CAP_SYS_PTRACE` (setpriv), so it sees other processes through `/proc` as a user does.

use super::*;
use latchkey_dbus::SettingsProxy;
use std::path::Path;
use std::process::{Child, Stdio};

const ATTACK: &str = include_str!("identity/attack.py");
const NAMESPACE: &str = include_str!("identity/namespace.py");
const GITHUB: &str = "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP";

/// A process this test started, killed and reaped by PID when dropped.
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct World {
    bus: TestBus,
    _daemon: Reaped,
    app: zbus::Connection,
    account: String,
    notifications: Option<(zbus::Connection, crate::common::FakeNotifications)>,
}

impl World {
    /// The daemon with consent on, `grants` remembered beforehand and one GitHub account.
    async fn start(grants: &[&str], with_notifications: bool) -> Self {
        let bus = TestBus::start(bin()).expect("bus");
        let notifications = if with_notifications {
            Some(crate::common::serve_notifications(bus.address(), true).await)
        } else {
            None
        };
        let data = bus.root().join("data/latchkey");
        std::fs::create_dir_all(&data).expect("data dir");
        let remembered: Vec<String> = grants
            .iter()
            .map(|id| {
                format!(r#"{{"identity":"{id}","account_id":"**","decision":"allow","time":1}}"#)
            })
            .collect();
        std::fs::write(
            data.join("access.json"),
            format!("[{}]", remembered.join(",")),
        )
        .expect("access.json");
        for f in ["attack.py", "namespace.py"] {
            let text = if f == "attack.py" { ATTACK } else { NAMESPACE };
            std::fs::write(bus.root().join(f), text).expect("script");
        }
        let _daemon = spawn_daemon(&bus);
        let app = connect(&bus).await;
        let vault = VaultProxy::new(&app).await.expect("vault");
        vault.create("pw").await.expect("create");
        let account = vault.add_uri(GITHUB).await.expect("add");
        Self {
            bus,
            _daemon,
            app,
            account,
            notifications,
        }
    }

    fn path(&self, name: &str) -> String {
        self.bus.root().join(name).display().to_string()
    }

    /// `/usr/bin/python3 ARGS` in the test session, stdin held open.
    fn python(&self, args: &[String]) -> Reaped {
        Reaped(
            command(&self.bus, Path::new("/usr/bin/python3"))
                .args(args)
                .stdin(Stdio::piped())
                .spawn()
                .expect("python3"),
        )
    }

    /// attack.py's arguments: address, result file, mode, attempts.
    fn attack(&self, out: &str, mode: &str, attempts: &[&str]) -> Vec<String> {
        let mut args = vec![
            self.path("attack.py"),
            self.bus.address().to_string(),
            self.path(out),
            mode.to_string(),
        ];
        args.extend(attempts.iter().map(|a| a.to_string()));
        args
    }

    /// The identities with a remembered decision, as saved in access.json.
    async fn grants(&self) -> Vec<String> {
        let text = std::fs::read_to_string(self.bus.root().join("data/latchkey/access.json"))
            .expect("access.json");
        text.split("\"identity\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').nth(1).map(String::from))
            .collect()
    }
}

/// `program` in the test session. When the tests run as root, without `CAP_SYS_PTRACE` (for
/// the daemon and the apps alike), so the daemon sees `/proc` as a desktop user's daemon does:
/// a non-dumpable process hides its executable from it.
fn command(bus: &TestBus, program: &Path) -> std::process::Command {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        let mut c = bus.command(Path::new("/usr/bin/setpriv"));
        c.args(["--bounding-set=-sys_ptrace", "--"]).arg(program);
        c
    } else {
        bus.command(program)
    }
}

/// latchkeyd on `bus` with consent on.
fn spawn_daemon(bus: &TestBus) -> Reaped {
    let mut cmd = command(bus, bin());
    let log = std::fs::File::create(bus.root().join("daemon.log")).expect("log");
    let child = cmd
        .env("LATCHKEY_TEST_TRUST_ALL_CALLERS", "0")
        .stdin(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("latchkeyd");
    let daemon = Reaped(child);
    bus.wait_for_name(Duration::from_secs(20)).expect("name");
    daemon
}

/// The lines attack.py wrote to `out`, waiting for them (bounded).
async fn results(world: &World, out: &str, secs: u64) -> Vec<String> {
    let path = world.bus.root().join(out);
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Ok(text) = std::fs::read_to_string(&path) {
            return text.lines().map(String::from).collect();
        }
        let log = std::fs::read_to_string(world.bus.root().join("daemon.log")).unwrap_or_default();
        assert!(
            Instant::now() < deadline,
            "no results in {out} after {secs} s; daemon log:\n{log}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Whether this kernel lets an unprivileged process make user and mount namespaces.
fn namespaces_allowed(world: &World) -> bool {
    let out = command(&world.bus, Path::new("/usr/bin/python3"))
        .args([world.path("namespace.py"), "probe".into()])
        .output()
        .expect("probe");
    if !out.status.success() {
        println!(
            "SKIPPED: user namespaces are not permitted here: {}",
            String::from_utf8_lossy(&out.stdout).trim()
        );
    }
    out.status.success()
}

/// An `AccessDenied` (ours, or the standard one for property writes) whose message says `says`.
fn refused(line: &str, says: &str) {
    let name = line.split(' ').nth(1).unwrap_or_default();
    assert!(
        line.starts_with("ERR ") && name.ends_with(".AccessDenied") && line.contains(says),
        "expected AccessDenied saying {says:?}, got {line:?}"
    );
}

async fn settings_untouched(world: &World) {
    let settings = SettingsProxy::builder(&world.app)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .expect("settings");
    assert!(settings.require_app_consent().await.expect("consent"));
    assert_ne!(settings.auto_lock_timeout().await.expect("auto-lock"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_that_execs_our_client_after_connecting_does_not_borrow_its_standing() {
    let world = World::start(&[], false).await;
    let latchkey = latchkey_dbus::testing::target_bin("latchkey");
    // python connects, then the PID the bus knows execs `latchkey approvals watch` while a
    // forked child keeps the connection and tries what only Latchkey's clients may do.
    let mode = format!("exec:{}", latchkey.display());
    let _attacker =
        world.python(&world.attack("exec.out", &mode, &["consent-off", "autolock-off", "grant"]));
    let lines = results(&world, "exec.out", 40).await;
    assert_eq!(lines.len(), 3, "{lines:?}");
    for line in &lines {
        refused(line, "identity-changed");
    }
    settings_untouched(&world).await;
    assert!(world.grants().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_bind_mounted_over_our_client_in_a_user_namespace_is_not_an_own_client() {
    let world = World::start(&[], false).await;
    if !namespaces_allowed(&world) {
        return;
    }
    let latchkey = latchkey_dbus::testing::target_bin("latchkey");
    let mut args = vec![
        world.path("namespace.py"),
        "bind".into(),
        latchkey.display().to_string(),
    ];
    args.extend(world.attack("bind.out", "direct", &["consent-off", "grant"]));
    let _attacker = world.python(&args);
    let lines = results(&world, "bind.out", 40).await;
    assert_eq!(lines.len(), 2, "{lines:?}");
    for line in &lines {
        refused(line, "own clients");
    }
    settings_untouched(&world).await;
    assert!(world.grants().await.is_empty());

    // The real CLI still is one: it gets a code without a prompt (bounded: a prompt would hang).
    let mut cli = Reaped(
        command(&world.bus, &latchkey)
            .args(["code", &world.account])
            .stdout(Stdio::piped())
            .spawn()
            .expect("latchkey"),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = cli.0.try_wait().expect("wait") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "latchkey code waited for consent"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "latchkey code failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fake_flatpak_built_in_a_user_namespace_does_not_get_the_apps_grant() {
    let world = World::start(&["flatpak:org.mozilla.firefox"], true).await;
    if !namespaces_allowed(&world) {
        return;
    }
    let fake_root = tempfile::tempdir().expect("fake root");
    let mut args = vec![
        world.path("namespace.py"),
        "flatpak".into(),
        fake_root.path().display().to_string(),
        world.bus.root().display().to_string(),
        "org.mozilla.firefox".into(),
    ];
    let code = format!("code:{}", world.account);
    args.extend(world.attack("flatpak.out", "direct", &[&code]));
    let _attacker = world.python(&args);
    // Firefox's remembered grant does not apply: the user is asked, and sees no Flatpak id.
    let (server, fake) = world.notifications.as_ref().expect("notifications");
    let shown = wait_shown(fake, 1).await;
    assert!(
        !shown[0].summary.contains("(Flatpak)") && !shown[0].body.contains("(Flatpak)"),
        "the fake sandbox was believed: {} / {}",
        shown[0].summary,
        shown[0].body
    );
    crate::common::click(server, shown[0].id, "deny").await;
    let lines = results(&world, "flatpak.out", 20).await;
    refused(&lines[0], "did not allow");
    let grants = world.grants().await;
    assert!(grants.iter().all(|g| !g.starts_with("pid:")), "{grants:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_dumpable_caller_is_unidentified_and_matches_or_makes_no_grant() {
    let python = std::fs::canonicalize("/usr/bin/python3").expect("python3");
    let python_grant = format!("exe:{}", python.display());
    let world = World::start(&[&python_grant], true).await;
    let code = format!("code:{}", world.account);
    let _attacker =
        world.python(&world.attack("hidden.out", "nondumpable", &["consent-off", &code]));
    // python's grant does not apply to a caller that hides its executable: the user is asked,
    // told the caller is unidentified, and offered no "always".
    let (server, fake) = world.notifications.as_ref().expect("notifications");
    let shown = wait_shown(fake, 1).await;
    assert!(
        shown[0].summary.contains("unidentified"),
        "{}",
        shown[0].summary
    );
    assert_eq!(
        shown[0].actions.iter().step_by(2).collect::<Vec<_>>(),
        ["once", "deny"]
    );
    crate::common::click(server, shown[0].id, "deny").await;
    let lines = results(&world, "hidden.out", 20).await;
    assert_eq!(lines.len(), 2, "{lines:?}");
    refused(&lines[0], "hides its executable");
    refused(&lines[1], "did not allow");
    // The deny is not remembered under a process id (which a reused PID could match, and which
    // would let the app escape a deny remembered for its executable).
    assert_eq!(world.grants().await, [python_grant]);
    settings_untouched(&world).await;
}

/// A Python script asking for a code is named as the script, not as python3, and "always" for
/// it is remembered for that script alone: another script of the same interpreter is asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_script_is_named_and_remembered_apart_from_its_interpreter() {
    let world = World::start(&[], true).await;
    std::fs::copy(world.path("attack.py"), world.path("other.py")).expect("a second script");
    let code = format!("code:{}", world.account);
    let (server, fake) = world.notifications.as_ref().expect("notifications");
    let _first = world.python(&world.attack("first.out", "direct", &[&code]));
    let shown = wait_shown(fake, 1).await;
    let script = world.path("attack.py");
    assert!(
        shown[0].summary.contains(&script) && shown[0].summary.contains("python3"),
        "the script is not named: {}",
        shown[0].summary
    );
    crate::common::click(server, shown[0].id, "always").await;
    let lines = results(&world, "first.out", 20).await;
    assert!(lines[0].starts_with("OK code"), "{lines:?}");
    assert_eq!(world.grants().await, [format!("script:{script}")]);

    // The same interpreter running another script is asked again.
    let mut other = world.attack("other.out", "direct", &[&code]);
    other[0] = world.path("other.py");
    let _other = world.python(&other);
    let shown = wait_shown(fake, 2).await;
    assert!(
        shown[1].summary.contains(&world.path("other.py")),
        "{}",
        shown[1].summary
    );
    crate::common::click(server, shown[1].id, "deny").await;
    refused(&results(&world, "other.out", 20).await[0], "");

    // The allowed script again: no question.
    let _again = world.python(&world.attack("again.out", "direct", &[&code]));
    let lines = results(&world, "again.out", 20).await;
    assert!(lines[0].starts_with("OK code"), "{lines:?}");
    assert_eq!(fake.shown.lock().expect("shown").len(), 2);
}
