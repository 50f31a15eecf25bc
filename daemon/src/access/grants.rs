//! Remembered consent decisions: which app may (or may not) get codes, per account.
//!
//! Kept in `$XDG_DATA_HOME/latchkey/access.json` (0600, written atomically). An identity is
//! `flatpak:<app id>` for apps in a verified sandbox, `script:<path>` for a script a known
//! interpreter runs (so allowing one Python script does not allow them all), or `exe:<path>`
//! otherwise (labels: any same-uid process could pretend, which docs/security.md states plainly);
//! a browser's decisions about one site are remembered under `browser:<site>@<its identity>`. An unidentified
//! caller (one that hides its executable) has no identity: it never matches or creates a
//! remembered decision, and nothing is ever remembered under a process id.

use super::Caller;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The account id that stands for "the account list" rather than one account's code.
pub const LIST: &str = latchkey_dbus::Grant::LIST;
/// The account id of a grant that covers every account and the list.
pub const ALL: &str = latchkey_dbus::Grant::ALL;

/// One remembered decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub identity: String,
    pub account_id: String,
    /// `allow` or `deny`.
    pub decision: String,
    pub time: u64,
}

/// The stable identity consent is remembered under; `None` for an unidentified caller.
pub fn identity_of(caller: &Caller) -> Option<String> {
    if !caller.flatpak_app.is_empty() {
        Some(format!("flatpak:{}", caller.flatpak_app))
    } else if !caller.script.is_empty() {
        Some(format!("script:{}", caller.script))
    } else if !caller.exe.is_empty() {
        Some(format!("exe:{}", caller.exe))
    } else {
        None
    }
}

/// Whether `identity` is one decisions may be remembered under: an app's, or a browser's on a
/// site (`browser:<site>@<the browser's identity>`, see [`super::browser`]).
pub fn is_rememberable(identity: &str) -> bool {
    if let Some((site, browser)) = identity
        .strip_prefix("browser:")
        .and_then(|rest| rest.split_once('@'))
    {
        return crate::sites::normalize(site).is_ok_and(|s| s == site)
            && !browser.starts_with("browser:")
            && is_rememberable(browser);
    }
    identity.starts_with("exe:/")
        || identity.starts_with("script:/")
        || identity
            .strip_prefix("flatpak:")
            .is_some_and(crate::access::flatpak::is_valid_app_id)
}

/// The decisions, loaded at start and saved on every change.
#[derive(Debug)]
pub struct Grants {
    path: PathBuf,
    grants: Vec<Grant>,
}

impl Grants {
    /// Loads the file; a missing one is empty, an unreadable one is reported and treated as empty
    /// (so every app asks again — the safe direction).
    pub fn load(path: PathBuf) -> Self {
        let grants = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                tracing::error!(
                    "{} is unreadable ({e}); every app will be asked again",
                    path.display()
                );
                Vec::new()
            }),
            Err(_) => Vec::new(),
        };
        let mut grants: Vec<Grant> = grants;
        let before = grants.len();
        grants.retain(|g| is_rememberable(&g.identity));
        if grants.len() < before {
            tracing::warn!(
                "{} decisions in {} named no app (e.g. pid:N) and are ignored",
                before - grants.len(),
                path.display()
            );
        }
        Self { path, grants }
    }

    /// The remembered decision for `identity` and `account_id`, if any: `Some(true)` = allow.
    pub fn lookup(&self, identity: &str, account_id: &str) -> Option<bool> {
        let find = |account: &str| {
            self.grants
                .iter()
                .find(|g| g.identity == identity && g.account_id == account)
        };
        find(account_id)
            .or_else(|| find(ALL))
            .map(|g| g.decision == "allow")
    }

    /// Remembers a decision (replacing an older one for the same pair).
    pub fn remember(
        &mut self,
        identity: &str,
        account_id: &str,
        allow: bool,
        now: u64,
    ) -> std::io::Result<()> {
        self.grants
            .retain(|g| !(g.identity == identity && g.account_id == account_id));
        let decision = if allow { "allow" } else { "deny" };
        self.grants.push(Grant {
            identity: identity.into(),
            account_id: account_id.into(),
            decision: decision.into(),
            time: now,
        });
        self.save()
    }

    /// Forgets decisions for `identity` (all accounts, or one); returns how many were removed.
    pub fn revoke(&mut self, identity: &str, account_id: Option<&str>) -> std::io::Result<usize> {
        let before = self.grants.len();
        self.grants
            .retain(|g| !(g.identity == identity && account_id.is_none_or(|a| a == g.account_id)));
        let removed = before - self.grants.len();
        if removed > 0 {
            self.save()?;
        }
        Ok(removed)
    }

    /// Every remembered decision.
    pub fn all(&self) -> &[Grant] {
        &self.grants
    }

    fn save(&self) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(&self.grants).map_err(std::io::Error::other)?;
        crate::files::write_private_atomic(&self.path, &bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remember_lookup_revoke_persist() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("access.json");
        let mut g = Grants::load(path.clone());
        g.remember("exe:/usr/bin/app", "acct-1", true, 5)
            .expect("save");
        g.remember("exe:/usr/bin/app", LIST, false, 6)
            .expect("save");
        g.remember("exe:/usr/bin/app", "acct-1", false, 7)
            .expect("replace");
        let g2 = Grants::load(path.clone());
        assert_eq!(g2.lookup("exe:/usr/bin/app", "acct-1"), Some(false));
        assert_eq!(g2.lookup("exe:/usr/bin/app", LIST), Some(false));
        assert_eq!(g2.lookup("exe:/usr/bin/other", LIST), None);
        let mut g2 = g2;
        assert_eq!(g2.revoke("exe:/usr/bin/app", None).expect("revoke"), 2);
        assert!(Grants::load(path).all().is_empty());
    }

    #[test]
    fn a_grant_for_all_accounts_covers_codes_and_the_list_unless_one_is_denied() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut g = Grants::load(dir.path().join("access.json"));
        g.remember("flatpak:org.example.App", ALL, true, 1)
            .expect("save");
        g.remember("flatpak:org.example.App", "acct-2", false, 2)
            .expect("save");
        assert_eq!(g.lookup("flatpak:org.example.App", "acct-1"), Some(true));
        assert_eq!(g.lookup("flatpak:org.example.App", LIST), Some(true));
        assert_eq!(
            g.lookup("flatpak:org.example.App", "acct-2"),
            Some(false),
            "a specific deny wins"
        );
        assert_eq!(g.lookup("flatpak:org.other.App", "acct-1"), None);
    }

    #[test]
    fn flatpak_identity_wins_over_exe() {
        let c = Caller {
            flatpak_app: "org.example.App".into(),
            exe: "/app/bin/x".into(),
            ..Caller::default()
        };
        assert_eq!(identity_of(&c).as_deref(), Some("flatpak:org.example.App"));
    }

    #[test]
    fn a_script_is_remembered_apart_from_its_interpreter() {
        let c = Caller {
            exe: "/usr/bin/python3.11".into(),
            script: "/home/u/bot.py".into(),
            ..Caller::default()
        };
        assert_eq!(identity_of(&c).as_deref(), Some("script:/home/u/bot.py"));
        assert!(is_rememberable("script:/home/u/bot.py"));
        assert!(!is_rememberable("script:bot.py"));
        assert!(is_rememberable(
            "browser:github.com@exe:/usr/lib/chromium/chromium"
        ));
        assert!(is_rememberable(
            "browser:127.0.0.1@flatpak:org.mozilla.firefox"
        ));
        for not in [
            "browser:GitHub.com@exe:/usr/lib/chromium/chromium",
            "browser:github.com@exe:chromium",
            "browser:github.com",
            "browser:@exe:/usr/bin/x",
            "browser:a.com@browser:b.com@exe:/usr/bin/x",
        ] {
            assert!(!is_rememberable(not), "{not}");
        }
    }

    #[test]
    fn an_unidentified_caller_has_no_identity_and_pid_grants_are_dropped() {
        let c = Caller {
            pid: 42,
            ..Caller::default()
        };
        assert_eq!(identity_of(&c), None);
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("access.json");
        std::fs::write(
            &path,
            r#"[{"identity":"pid:42","account_id":"**","decision":"allow","time":1},
                {"identity":"flatpak:bad id","account_id":"**","decision":"allow","time":1},
                {"identity":"exe:/usr/bin/app","account_id":"**","decision":"allow","time":1}]"#,
        )
        .expect("write");
        let g = Grants::load(path);
        assert_eq!(g.all().len(), 1);
        assert_eq!(g.lookup("pid:42", "acct"), None);
    }
}
