//! The Browser interface end to end on the real daemon: which caller may ask, which accounts a
//! page gets, consent per (browser, site, account), the issuer guess confirmed once, a locked
//! vault that waits for an unlock, and the activity log. The browser itself is driven in
//! `latchkey-browser-host`'s tests; here this test process stands in for the host (the test
//! switch that trusts every caller), so its parent process is "the browser".

use crate::common::daemon::{bin, cli_ok, connect, vault_proxy};
use futures_util::StreamExt;
use latchkey_dbus::testing::TestBus;
use latchkey_dbus::{ApprovalsProxy, BrowserProxy, Error, SiteAccount};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use zbus::zvariant::Value;

const EXTENSION: &str = "chrome-extension://daeblpieanfecjnacnbhabnjmakpdinh/";

/// Answers the one consent request the host connection `host` has open, through the CLI (one
/// of Latchkey's own clients), and returns what it asked.
async fn answer(
    bus: &TestBus,
    host: &zbus::Connection,
    answer: &str,
) -> latchkey_dbus::RequestDetails {
    let approvals = ApprovalsProxy::new(host).await.expect("proxy");
    let deadline = Instant::now() + Duration::from_secs(10);
    let (path, details) = loop {
        let pending = approvals.list_pending().await.expect("pending");
        if let Some(first) = pending.into_iter().next() {
            break first;
        }
        assert!(Instant::now() < deadline, "no consent request was opened");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let args: Vec<&str> = match answer {
        "always" => vec!["approve", path.as_str(), "--always"],
        "once" => vec!["approve", path.as_str()],
        _ => vec!["deny", path.as_str()],
    };
    tokio::task::block_in_place(|| cli_ok(bus, &args, ""));
    details
}

fn is(e: zbus::Error, want: fn(&Error) -> bool) -> String {
    let e = Error::from(e);
    let text = e.message().to_string();
    assert!(want(&e), "unexpected error: {e:?}");
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_host_asks_and_pages_get_their_own_accounts_with_consent() {
    let bus = TestBus::start(bin()).expect("bus");
    let daemon = bus.spawn_daemon(bin()).expect("daemon");
    let host = connect(&bus).await;
    let browser = BrowserProxy::new(&host).await.expect("proxy");
    let vault = vault_proxy(&host).await;
    vault.create("pw").await.expect("create");
    let github = vault
        .add_uri("otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub")
        .await
        .expect("add");
    let local = vault
        .add_uri("otpauth://totp/Intranet:bob?secret=GEZDGNBVGY3TQOJQ&issuer=Intranet")
        .await
        .expect("add");
    let sites = HashMap::from([("sites", Value::from(vec!["127.0.0.1"]))]);
    vault.update_account(&local, sites).await.expect("sites");

    // Each page gets the accounts of its site: by the account's sites, or guessed from the
    // issuer (to be confirmed).
    let listed = |found: Vec<SiteAccount>| -> Vec<(String, String, bool)> {
        found
            .into_iter()
            .map(|a| (a.id, a.site, a.guessed))
            .collect()
    };
    assert_eq!(
        listed(
            browser
                .accounts("https://gist.github.com", EXTENSION)
                .await
                .expect("list")
        ),
        [(github.clone(), "github.com".to_string(), true)]
    );
    assert_eq!(
        listed(
            browser
                .accounts("http://127.0.0.1:8080", EXTENSION)
                .await
                .expect("list")
        ),
        [(local.clone(), "127.0.0.1".to_string(), false)]
    );
    for stranger in [
        "https://github.com.evil.example",
        "http://localhost:8080",
        "https://alice.github.io",
    ] {
        assert!(
            browser
                .accounts(stranger, EXTENSION)
                .await
                .expect("list")
                .is_empty(),
            "{stranger}"
        );
    }
    // Plain HTTP elsewhere, and what is no origin, are refused by name.
    let text = is(
        browser
            .accounts("http://github.com", EXTENSION)
            .await
            .expect_err("http"),
        |e| matches!(e, Error::InvalidArgument(_)),
    );
    assert!(text.contains("only https"), "{text}");
    is(
        browser
            .accounts("javascript:alert(1)", EXTENSION)
            .await
            .expect_err("no origin"),
        |e| matches!(e, Error::InvalidArgument(_)),
    );
    is(
        browser
            .accounts(&"h".repeat(400), EXTENSION)
            .await
            .expect_err("long"),
        |e| matches!(e, Error::InvalidArgument(_)),
    );
    // Another site's page cannot have an account's code, whatever id it names.
    is(
        browser
            .get_code("https://evil.example", EXTENSION, &local)
            .await
            .expect_err("foreign"),
        |e| matches!(e, Error::NotFound(_)),
    );

    // The first code for (browser, site, account) asks; "always" is remembered for that triple.
    let (code, details) = tokio::join!(
        browser.get_code("http://127.0.0.1:9", EXTENSION, &local),
        answer(&bus, &host, "always")
    );
    let (code, _, until) = code.expect("code after always");
    assert_eq!(details.site.as_deref(), Some("127.0.0.1"));
    assert!(
        details
            .title
            .ends_with("wants the code for Intranet (bob) on 127.0.0.1"),
        "{}",
        details.title
    );
    let parent = std::fs::read_link(format!("/proc/{}/exe", std::os::unix::process::parent_id()))
        .expect("parent exe");
    assert_eq!(
        details.caller_exe,
        parent.display().to_string(),
        "the browser is the host's parent"
    );
    let (direct, _, _) = vault.get_code(&local).await.expect("code");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    // Unless the window turned between the two calls, they are the same code.
    if until > now + 1 {
        assert_eq!(code, direct);
    }
    let identity = format!("browser:127.0.0.1@exe:{}", parent.display());
    let grants = cli_ok(&bus, &["access", "list", "--json"], "");
    assert!(grants.contains(&identity), "{grants}");
    browser
        .get_code("http://127.0.0.1:10", EXTENSION, &local)
        .await
        .expect("remembered");
    let approvals = ApprovalsProxy::new(&host).await.expect("proxy");
    assert!(approvals.list_pending().await.expect("pending").is_empty());

    // The issuer guess is asked about and, once allowed, saved as the account's site.
    let (code, details) = tokio::join!(
        browser.get_code("https://github.com", EXTENSION, &github),
        answer(&bus, &host, "once")
    );
    code.expect("code after once");
    assert!(details.message.contains("guessed"), "{}", details.message);
    let account = vault
        .list_accounts()
        .await
        .expect("list")
        .into_iter()
        .find(|a| a.id == github)
        .expect("github");
    assert_eq!(account.extra.sites, Some(vec!["github.com".to_string()]));
    assert_eq!(
        listed(
            browser
                .accounts("https://github.com", EXTENSION)
                .await
                .expect("list")
        ),
        [(github.clone(), "github.com".to_string(), false)]
    );

    // Denied always: refused at once from then on, until revoked.
    let (denied, _) = tokio::join!(
        browser.get_code("https://github.com", EXTENSION, &github),
        answer(&bus, &host, "deny")
    );
    is(denied.expect_err("denied"), |e| {
        matches!(e, Error::AccessDenied(_))
    });
    is(
        browser
            .get_code("https://github.com", EXTENSION, &github)
            .await
            .expect_err("remembered deny"),
        |e| matches!(e, Error::AccessDenied(_)),
    );
    let github_identity = format!("browser:github.com@exe:{}", parent.display());
    cli_ok(&bus, &["access", "revoke", &github_identity], "");

    // Locked: the call asks the user to unlock and waits; an unlock lets it through.
    let events = vault.receive_security_event().await.expect("subscribe");
    cli_ok(&bus, &["lock"], "");
    let started = Instant::now();
    let waiting = tokio::spawn({
        let browser = browser.clone();
        let local = local.clone();
        async move {
            browser
                .get_code("http://127.0.0.1:9", EXTENSION, &local)
                .await
        }
    });
    let mut events = events;
    let asked = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(signal) = events.next().await {
            if signal.args().is_ok_and(|a| a.event() == "unlock-requested") {
                return signal;
            }
        }
        panic!("the daemon left");
    })
    .await
    .expect("unlock-requested in time");
    let args = asked.args().expect("args");
    assert!(
        !args.message().contains("127.0.0.1"),
        "the broadcast names the site: {}",
        args.message()
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiting.is_finished(), "a locked vault gave a code");
    cli_ok(&bus, &["unlock", "--passphrase-stdin"], "pw\n");
    let code = tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .expect("in time")
        .expect("task")
        .expect("code after the unlock");
    assert_eq!(code.0.len(), 6);
    assert!(started.elapsed() >= Duration::from_millis(300));

    // Every fill is in the activity log, given or refused, with how it was allowed.
    let log = cli_ok(&bus, &["activity", "--json", "--limit", "100"], "");
    let fills: Vec<serde_json::Value> = serde_json::from_str::<Vec<serde_json::Value>>(&log)
        .expect("json")
        .into_iter()
        .filter(|e| e["event"] == "fill")
        .collect();
    let outcomes: Vec<(String, String)> = fills
        .iter()
        .map(|e| {
            (
                e["outcome"].as_str().unwrap_or_default().to_string(),
                e["detail"]
                    .as_str()
                    .unwrap_or_default()
                    .chars()
                    .take(10)
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("not-found".to_string(), "no account".to_string()),
            ("filled".into(), "asked".into()),
            ("filled".into(), "remembered".into()),
            ("filled".into(), "asked".into()),
            ("denied".into(), "the user d".into()),
            ("denied".into(), "the user d".into()),
            ("filled".into(), "remembered".into()),
        ],
        "{log}"
    );
    assert!(
        fills[1]["title"]
            .as_str()
            .unwrap_or_default()
            .contains("Intranet (bob) on 127.0.0.1")
    );
    let (_, stderr) = daemon.stop().expect("stop");
    assert!(!stderr.contains(&code.0), "a code in the journal");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_apps_cannot_ask_as_the_browser_host() {
    let bus = TestBus::start(bin()).expect("bus");
    // This test process is not Latchkey's browser host.
    let _daemon = bus
        .spawn_daemon_with(bin(), &[("LATCHKEY_TEST_TRUST_ALL_CALLERS", "0")])
        .expect("daemon");
    cli_ok(&bus, &["init", "--passphrase-stdin"], "pw\n");
    let app = connect(&bus).await;
    let browser = BrowserProxy::new(&app).await.expect("proxy");
    let text = is(
        browser
            .accounts("https://github.com", EXTENSION)
            .await
            .expect_err("refused"),
        |e| matches!(e, Error::AccessDenied(_)),
    );
    assert!(text.contains("latchkey-browser-host"), "{text}");
    is(
        browser
            .get_code("https://github.com", EXTENSION, "x")
            .await
            .expect_err("refused"),
        |e| matches!(e, Error::AccessDenied(_)),
    );
}
