//! End-to-end: the real `latchkey` CLI against the real `latchkeyd` on a private bus.

use crate::common::{Env, cli_bin};
use latchkey_dbus::testing::target_bin;

fn oathtool(args: &[&str]) -> String {
    let out = std::process::Command::new("oathtool")
        .args(args)
        .output()
        .expect("oathtool is installed (apt install oathtool)");
    assert!(out.status.success(), "oathtool {args:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn full_flow_through_the_cli() {
    let env = Env::new();
    let status = env.json(&["status", "--json"]);
    assert_eq!(status["initialized"], false);
    assert_eq!(status["locked"], true);

    env.ok(&["init", "--passphrase-stdin"], Some("correct horse\n"));
    assert!(
        env.bus.vault_path().exists(),
        "vault lives under XDG_DATA_HOME"
    );
    env.fails_with(&["init", "--passphrase-stdin"], Some("other\n"), 1);

    let gh = env.json(&[
        "add",
        "otpauth://totp/GitHub:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=GitHub",
        "--json",
    ]);
    let gh_id = gh["id"].as_str().expect("id").to_string();
    let sha = env
        .ok(
            &[
                "add",
                "--issuer",
                "Corp",
                "--account",
                "bob",
                "--secret",
                "gezdgnbvgy3tqojqgezdgnbvgy3tqojq",
                "--algorithm",
                "sha256",
                "--digits",
                "8",
                "--period",
                "60",
            ],
            None,
        )
        .trim()
        .to_string();
    let hotp = env.json(&[
        "add",
        "--issuer",
        "Bank",
        "--account",
        "carol",
        "--secret",
        "JBSWY3DPEHPK3PXP",
        "--hotp",
        "--counter",
        "7",
        "--json",
    ]);

    let list = env.json(&["list", "--json"]);
    let list = list.as_array().expect("array");
    assert_eq!(list.len(), 3);
    let corp = list
        .iter()
        .find(|a| a["id"] == sha.as_str())
        .expect("corp listed");
    assert_eq!(corp["issuer"], "Corp");
    assert_eq!(corp["account"], "bob");
    assert_eq!(corp["kind"], "totp");
    assert_eq!(corp["algorithm"], "sha256");
    assert_eq!(corp["digits"], 8);
    assert_eq!(corp["period"], 60);
    assert!(
        !serde_json::to_string(&list)
            .expect("json")
            .to_lowercase()
            .contains("jbswy3dp"),
        "no secret in list"
    );

    // Codes equal oathtool's, for the window the daemon reports.
    let code = env.json(&["code", "corp", "--json"]);
    let until = code["valid_until"].as_u64().expect("valid_until");
    let reference = oathtool(&[
        "--totp=sha256",
        "-d",
        "8",
        "-s",
        "60s",
        "-b",
        "--now",
        &format!("@{}", until - 60),
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
    ]);
    assert_eq!(code["code"], reference.as_str());
    assert_eq!(code["period"], 60);
    let code = env.json(&["code", &gh_id, "--json"]);
    let until = code["valid_until"].as_u64().expect("valid_until");
    assert_eq!(
        code["code"],
        oathtool(&[
            "--totp",
            "-b",
            "--now",
            &format!("@{}", until - 30),
            "JBSWY3DPEHPK3PXP"
        ])
        .as_str()
    );

    // HOTP: each request returns the next counter's code and never repeats one.
    for counter in 7..10 {
        let c = env.json(&["code", "bank", "--json"]);
        assert!(c.get("valid_until").is_none(), "HOTP has no window");
        assert_eq!(c["id"], hotp["id"]);
        assert_eq!(
            c["code"],
            oathtool(&[
                "--hotp",
                "-b",
                "-c",
                &counter.to_string(),
                "JBSWY3DPEHPK3PXP"
            ])
            .as_str()
        );
    }

    // Queries: substring, ambiguity, no match.
    assert!(env.ok(&["code", "GITHUB"], None).contains("s left"));
    let err = env.fails(&["code", "b"], 8).1;
    assert!(
        err.contains("Corp") && err.contains("Bank"),
        "ambiguous lists matches: {err}"
    );
    env.fails(&["code", "nothing-like-this"], 4);

    // Malformed input is refused with a specific message and adds nothing.
    let err = env
        .fails(&["add", "otpauth://totp/X:y?secret=JBSWY3DP!HPK3PXP"], 1)
        .1;
    assert!(err.contains("base32") && !err.contains("JBSWY3DP"), "{err}");
    let err = env
        .fails(
            &[
                "add",
                "otpauth://totp/X:y?secret=JBSWY3DPEHPK3PXP&digits=12",
            ],
            1,
        )
        .1;
    assert!(err.contains("digits"), "{err}");
    env.fails(&["add", "https://example.com"], 1);
    assert_eq!(env.json(&["status", "--json"])["accounts"], 3);

    // Sites, for browser fill: added as host names or web addresses, kept as host names.
    assert_eq!(env.ok(&["sites", &gh_id], None), "");
    let shown = env.json(&[
        "sites",
        &gh_id,
        "--add",
        "https://GitHub.com/login",
        "--add",
        "gist.github.com",
        "--json",
    ]);
    assert_eq!(
        shown["sites"],
        serde_json::json!(["github.com", "gist.github.com"])
    );
    let listed = env.json(&["list", "--json"]);
    let gh = listed
        .as_array()
        .and_then(|l| l.iter().find(|a| a["id"] == gh_id.as_str()))
        .expect("listed");
    assert_eq!(
        gh["sites"],
        serde_json::json!(["github.com", "gist.github.com"])
    );
    env.ok(
        &["sites", &gh_id, "--remove", "https://gist.github.com/"],
        None,
    );
    assert_eq!(env.ok(&["sites", &gh_id], None).trim(), "github.com");
    let err = env.fails(&["sites", &gh_id, "--remove", "gitlab.com"], 2).1;
    assert!(err.contains("gitlab.com is not one of the sites"), "{err}");
    let err = env.fails(&["sites", &gh_id, "--add", "not a site"], 1).1;
    assert!(err.contains("not a site"), "{err}");
    env.ok(&["sites", &gh_id, "--clear"], None);
    assert_eq!(
        env.json(&["sites", &gh_id, "--json"])["sites"],
        serde_json::json!([])
    );
    env.fails(&["sites", "no-such-id"], 4);

    // Rename, then remove (which needs --yes).
    env.ok(&["rename", &gh_id, "--issuer", "GitHub Enterprise"], None);
    assert!(env.ok(&["list"], None).contains("GitHub Enterprise"));
    env.fails(&["remove", &gh_id], 2);
    env.ok(&["remove", &gh_id, "--yes"], None);
    env.fails(&["remove", &gh_id, "--yes"], 4);
    assert_eq!(env.json(&["status", "--json"])["accounts"], 2);

    // Lock, wrong passphrase, change passphrase.
    env.ok(&["lock"], None);
    let status = env.json(&["status", "--json"]);
    assert_eq!(status["locked"], true);
    assert_eq!(status["accounts"], 2, "count known while locked");
    env.fails(&["code", "corp"], 3);
    env.fails(&["list"], 3);
    env.fails_with(&["unlock", "--passphrase-stdin"], Some("wrong\n"), 6);
    env.ok(&["unlock", "--passphrase-stdin"], Some("correct horse\n"));
    env.fails_with(
        &["passwd", "--passphrase-stdin"],
        Some("wrong\nnew pass\n"),
        6,
    );
    env.ok(
        &["passwd", "--passphrase-stdin"],
        Some("correct horse\nnew pass\n"),
    );
    env.ok(&["lock"], None);
    env.fails_with(
        &["unlock", "--passphrase-stdin"],
        Some("correct horse\n"),
        6,
    );
    env.ok(&["unlock", "--passphrase-stdin"], Some("new pass\n"));
    assert_eq!(
        env.json(&["list", "--json"]).as_array().map(Vec::len),
        Some(2)
    );
}

#[test]
fn cli_starts_the_daemon_through_dbus_activation() {
    let env = Env::new();
    assert_eq!(
        env.bus.name_owner_pid().expect("query"),
        None,
        "nothing running yet"
    );
    let status = env.json(&["status", "--json"]);
    assert_eq!(status["initialized"], false);
    let pid = env
        .bus
        .name_owner_pid()
        .expect("query")
        .expect("activated daemon owns the name");
    let exe = std::fs::read_link(format!("/proc/{pid}/exe")).expect("daemon exe");
    assert!(exe.ends_with("latchkeyd"), "activated {}", exe.display());
    // The activated daemon keeps serving: state persists across CLI calls.
    env.ok(&["init", "--passphrase-stdin"], Some("pw\n"));
    assert_eq!(env.json(&["status", "--json"])["locked"], false);
}

#[test]
fn unreachable_daemon_has_its_own_exit_code() {
    let env = Env::new();
    let out = env
        .bus
        .command(&cli_bin())
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!(
                "unix:path={}",
                env.bus.root().join("no-such-socket").display()
            ),
        )
        .args(["status"])
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A bus with no daemon and no activation file.
    std::fs::remove_file(
        env.bus
            .root()
            .join("services/org.latchkey.Latchkey1.service"),
    )
    .expect("remove activation file");
    let out = env.run(&["status"], None);
    assert_eq!(
        out.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot reach latchkeyd"));
}

#[test]
fn sigterm_locks_and_exits_cleanly() {
    let env = Env::new();
    let daemon = env
        .bus
        .spawn_daemon(&target_bin("latchkeyd"))
        .expect("daemon");
    env.ok(&["init", "--passphrase-stdin"], Some("pw\n"));
    env.ok(&["add", "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP"], None);
    let before = std::fs::read(env.bus.vault_path()).expect("vault");
    let (status, _) = daemon.stop().expect("stops");
    assert_eq!(status.code(), Some(0));
    assert_eq!(
        std::fs::read(env.bus.vault_path()).expect("vault"),
        before,
        "vault intact"
    );
    // Restarted by activation, it is locked and still has the account.
    let status = env.json(&["status", "--json"]);
    assert_eq!(status["locked"], true);
    assert_eq!(status["accounts"], 1);
}

#[test]
fn a_secret_on_the_command_line_is_warned_about_and_a_closed_pipe_ends_quietly() {
    let env = Env::new();
    env.ok(&["init", "--passphrase-stdin"], Some("pw\n"));
    let out = env.run(&["add", "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP"], None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.contains("warning"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("JBSWY3DPEHPK3PXP"),
        "the warning does not repeat the secret"
    );
    let out = env.run(
        &["add", "-"],
        Some("otpauth://totp/C:d?secret=GEZDGNBVGY3TQOJQ\n"),
    );
    assert!(
        out.status.success() && !String::from_utf8_lossy(&out.stderr).contains("warning"),
        "stdin is the quiet way"
    );
    // `latchkey list | head -0`: the reader has gone before the first line is written.
    let mut child = env
        .command(&["list"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("list");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("list ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked"),
        "no panic on a closed pipe: {stderr}"
    );
}

/// Completions and manual pages come from the same definitions as `--help`: every subcommand is
/// in them. NO_COLOR keeps colour out of the help even on a terminal (`script` gives it one).
#[test]
fn completions_manuals_and_no_color() {
    let latchkey = target_bin("latchkey");
    let run = |bin: &std::path::Path, args: &[&str]| {
        let out = std::process::Command::new(bin)
            .args(args)
            .output()
            .expect("run");
        assert!(out.status.success(), "{args:?}: {out:?}");
        String::from_utf8(out.stdout).expect("utf-8")
    };
    for shell in ["bash", "zsh", "fish"] {
        let script = run(&latchkey, &["completions", shell]);
        for sub in ["init", "code", "import", "export", "completions", "approve"] {
            assert!(script.contains(sub), "{shell} completion lacks {sub}");
        }
    }
    let manual = run(&latchkey, &["manual"]);
    assert!(manual.contains(".TH latchkey 1"), "{manual}");
    assert!(manual.contains("request\\-approval"), "{manual}");
    let daemon = run(&target_bin("latchkeyd"), &["--manual"]);
    assert!(
        daemon.contains(".TH latchkeyd 1") && daemon.contains("\\-\\-vault"),
        "{daemon}"
    );
    // On a terminal the help is coloured, unless NO_COLOR is set.
    let on_terminal = |no_color: bool| {
        let mut cmd = std::process::Command::new("script");
        cmd.args(["-q", "-e", "-c"])
            .arg(format!("{} --help", latchkey.display()))
            .arg("/dev/null")
            .env_remove("NO_COLOR")
            .env("TERM", "xterm-256color");
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        let out = cmd.output().expect("script (bsdutils)");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert!(
        on_terminal(false).contains('\u{1b}'),
        "no colour on a terminal: the check is blind"
    );
    assert!(
        !on_terminal(true).contains('\u{1b}'),
        "colour despite NO_COLOR"
    );
}
