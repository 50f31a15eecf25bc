//! Types that cross the bus. Metadata only: no type here can carry a seed.

use serde::{Deserialize, Serialize};

use zbus::zvariant::{DeserializeDict, SerializeDict, Type};

/// One account as listed to clients: `(id, issuer, account, kind, algorithm, digits, period, extra)`.
///
/// `period` is 0 for HOTP and push tokens; `algorithm` is empty and `digits` 0 for push tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct AccountInfo {
    pub id: String,
    pub issuer: String,
    pub account: String,
    pub kind: AccountKind,
    pub algorithm: String,
    pub digits: u32,
    pub period: u32,
    pub extra: AccountExtra,
}

/// What an account is (a string on the wire: `totp`, `hotp`, `steam`, `push`). A kind a newer
/// daemon adds reads as `Unknown`, so an older client lists it without offering codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
#[zvariant(signature = "s")]
pub enum AccountKind {
    /// Time-based codes (RFC 6238).
    Totp,
    /// Counter-based codes (RFC 4226): each code is asked for, and advances the counter.
    Hotp,
    /// Steam Guard's five-character time-based codes.
    Steam,
    /// A privacyIDEA push token: sign-in approvals, no codes.
    Push,
    #[serde(other)]
    Unknown,
}

impl AccountKind {
    /// The kind as the wire, the CLI's JSON and the user see it.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Totp => "totp",
            AccountKind::Hotp => "hotp",
            AccountKind::Steam => "steam",
            AccountKind::Push => "push",
            AccountKind::Unknown => "unknown",
        }
    }

    /// The kind named `name` (as [`Self::as_str`] writes it); any other name is `Unknown`.
    pub fn from_name(name: &str) -> Self {
        match name {
            "totp" => AccountKind::Totp,
            "hotp" => AccountKind::Hotp,
            "steam" => AccountKind::Steam,
            "push" => AccountKind::Push,
            _ => AccountKind::Unknown,
        }
    }

    /// Whether accounts of this kind have codes (push tokens and unknown kinds do not).
    pub fn has_codes(self) -> bool {
        matches!(
            self,
            AccountKind::Totp | AccountKind::Hotp | AccountKind::Steam
        )
    }
}

impl std::fmt::Display for AccountKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An account's fields beyond the common ones (an `a{sv}` on the wire, so later ones can be
/// added); keys a newer daemon adds are ignored.
#[derive(Debug, Clone, Default, PartialEq, SerializeDict, DeserializeDict, Type)]
#[zvariant(signature = "a{sv}")]
pub struct AccountExtra {
    /// HOTP: the counter of the next code.
    pub counter: Option<u64>,
    /// Push tokens: the token's serial on the privacyIDEA server.
    pub serial: Option<String>,
    /// Push tokens: the server's push endpoint.
    pub url: Option<String>,
    /// Push tokens: true (it approves sign-ins and has no codes).
    pub approval_only: Option<bool>,
    /// The sites (host names) the account's codes are typed into, for browser fill; absent
    /// when it has none.
    pub sites: Option<Vec<String>>,
}

/// A pending approval or consent request as `ListPending` describes it (an `a{sv}` on the
/// wire). Everything from `title` to `ip_address` is the requester's claim; the `caller_*`
/// fields are what the daemon determined. Keys a newer daemon adds are ignored.
#[derive(Debug, Clone, Default, PartialEq, SerializeDict, DeserializeDict, Type)]
#[zvariant(signature = "a{sv}")]
pub struct RequestDetails {
    /// `approval` or `consent`.
    pub kind: String,
    pub title: String,
    pub message: String,
    pub account_id: String,
    pub app_name: String,
    pub location: String,
    pub ip_address: String,
    /// Who asks, as the daemon determined it, in one line.
    pub caller: String,
    pub caller_exe: String,
    /// The script `caller_exe` runs, when it is a known interpreter (python3, bash, node, …),
    /// read from its command line: a label, like the executable's path.
    pub caller_script: Option<String>,
    pub caller_pid: u32,
    pub caller_uid: u32,
    /// A verified Flatpak app id, or empty.
    pub caller_flatpak: String,
    /// Unix times.
    pub created: u64,
    pub expires: u64,
    /// The numbers to pick from, with number matching.
    pub choices: Option<Vec<u32>>,
    /// A push server's presence options, one per choice.
    pub choice_labels: Option<Vec<String>>,
    /// Consent for a browser: the site (registrable domain) of the page the browser says it is
    /// on; a claim, like the title.
    pub site: Option<String>,
}

impl RequestDetails {
    /// Whether this asks for access (consent) rather than a sign-in approval.
    pub fn is_consent(&self) -> bool {
        self.kind == "consent"
    }

    /// The numbers to pick from (empty without number matching).
    pub fn choices(&self) -> &[u32] {
        self.choices.as_deref().unwrap_or_default()
    }

    /// The presence options (empty for local number matching).
    pub fn labels(&self) -> &[String] {
        self.choice_labels.as_deref().unwrap_or_default()
    }

    /// The choice number of the presence option `answer` (case-insensitive).
    pub fn choice_of(&self, answer: &str) -> Option<u32> {
        let i = self
            .labels()
            .iter()
            .position(|l| l.eq_ignore_ascii_case(answer.trim()))?;
        self.choices().get(i).copied()
    }
}

/// An account that belongs to a page, as `Browser.Accounts` lists it (an `a{sv}` on the
/// wire): labels and how it matched, never a secret. Keys a newer daemon adds are ignored.
#[derive(Debug, Clone, Default, PartialEq, SerializeDict, DeserializeDict, Type)]
#[zvariant(signature = "a{sv}")]
pub struct SiteAccount {
    pub id: String,
    pub issuer: String,
    pub account: String,
    /// `totp`, `hotp` or `steam`.
    pub kind: String,
    /// The account's site the page is at, or (when `guessed`) the page's site its issuer names.
    pub site: String,
    /// Matched by the issuer guess: the first fill asks the user to confirm, and saves `site`.
    pub guessed: bool,
}

impl SiteAccount {
    /// The account as a person names it: `Issuer (account)`, or whichever of the two it has.
    pub fn label(&self) -> String {
        label(&self.issuer, &self.account)
    }
}

/// `Issuer (account)`, or whichever of the two there is.
fn label(issuer: &str, account: &str) -> String {
    match (issuer.is_empty(), account.is_empty()) {
        (false, false) => format!("{issuer} ({account})"),
        (true, _) => account.to_string(),
        (false, true) => issuer.to_string(),
    }
}

/// One entry of an `Import` report (an `a{sv}` on the wire): where it stood in the file, its
/// labels (shortened by the daemon), and, depending on the list it is in, the new account's id,
/// what it duplicates, or why it cannot be imported. Never a secret.
#[derive(Debug, Clone, Default, PartialEq, SerializeDict, DeserializeDict, Type)]
#[zvariant(signature = "a{sv}")]
pub struct ImportEntry {
    /// The entry's number in the file, from 1.
    pub position: u32,
    pub issuer: String,
    pub account: String,
    /// Added entries: the new account's id (empty on a dry run).
    pub id: Option<String>,
    /// Skipped entries: the account already in the vault, or `entry N` earlier in the file.
    pub duplicate_of: Option<String>,
    /// Failed entries: why this one cannot be imported.
    pub reason: Option<String>,
}

impl ImportEntry {
    /// The entry as a person names it: `Issuer (account)`, or whichever of the two it has.
    pub fn label(&self) -> String {
        label(&self.issuer, &self.account)
    }
}

/// A remembered consent decision as `Access.ListGrants` lists it (`(ssst)` on the wire).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Grant {
    /// `flatpak:<app id>`, `script:<path>` or `exe:<path>`; for a browser on a site,
    /// `browser:<site>@` followed by the browser's own identity.
    pub identity: String,
    /// An account id, [`Grant::LIST`] or [`Grant::ALL`].
    pub account_id: String,
    /// `allow` or `deny`.
    pub decision: String,
    /// Unix time of the decision.
    pub time: u64,
}

impl Grant {
    /// The account id of a decision about the account list.
    pub const LIST: &'static str = "*";
    /// The account id of a decision about every account and the list.
    pub const ALL: &'static str = "**";

    /// Whether the app was allowed (rather than denied).
    pub fn allows(&self) -> bool {
        self.decision == "allow"
    }

    /// The app a person recognises: a Flatpak id, or the file name of the script or program,
    /// with the kind of identity (the whole identity stays in `identity`); a browser's decision
    /// names the site too ("chromium on github.com").
    pub fn app(&self) -> String {
        if let Some((site, browser)) = self.browser_site() {
            let browser = Grant {
                identity: browser.to_string(),
                ..self.clone()
            };
            return format!("{} on {site}", browser.app());
        }
        let (kind, rest) = self
            .identity
            .split_once(':')
            .unwrap_or(("", &self.identity));
        let name = rest.rsplit('/').next().unwrap_or(rest);
        match kind {
            "flatpak" => format!("{rest} (Flatpak)"),
            "script" => format!("{name} (script)"),
            _ => name.to_string(),
        }
    }

    /// For a browser's decision about a site: `(site, browser identity)`.
    pub fn browser_site(&self) -> Option<(&str, &str)> {
        self.identity.strip_prefix("browser:")?.split_once('@')
    }
}

/// One line of the activity log (`Approvals.ActivityLog` returns them as JSON lines): an
/// approval or consent decision. `title` and `caller` are as the daemon recorded them; titles
/// of approvals are the requester's claims.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityEntry {
    /// Unix time.
    pub time: u64,
    /// `approval`, `consent`, …
    pub event: String,
    /// `approved`, `denied`, `allowed`, `wrong-number`, `expired`, …
    pub outcome: String,
    pub title: String,
    /// Who asked, as the daemon determined it.
    pub caller: String,
    /// How it was answered, or why (empty when there is nothing to add).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

impl ActivityEntry {
    /// Reads one line of the log; a line this version cannot read is `None` (skipped).
    pub fn parse(line: &str) -> Option<Self> {
        serde_json::from_str(line).ok()
    }
}

/// What `InspectImport` learnt of a file before any passphrase (an `a{sv}` on the wire).
#[derive(Debug, Clone, Default, PartialEq, SerializeDict, DeserializeDict, Type)]
#[zvariant(signature = "a{sv}")]
pub struct ImportInspection {
    /// The format's name, as `Import` takes it (`stratum`, `microsoft`, …).
    pub format: String,
    /// The app that wrote the file, for people ("Stratum", "Microsoft Authenticator", …).
    pub app: String,
    /// Whether `Import` needs a passphrase for it.
    pub encrypted: bool,
}

/// `Import`'s reply: the entries added, skipped as duplicates and refused (if any was refused,
/// nothing was added), and notes about what the format could not carry over.
pub type ImportReply = (
    Vec<ImportEntry>,
    Vec<ImportEntry>,
    Vec<ImportEntry>,
    Vec<String>,
);

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use zbus::zvariant::{OwnedValue, Value, serialized::Context, to_bytes};

    #[test]
    fn request_details_read_a_daemons_dictionary_and_ignore_new_keys() {
        let mut d: HashMap<&str, Value<'_>> = HashMap::new();
        d.insert("kind", Value::from("approval"));
        d.insert("title", Value::from("Sign in?"));
        d.insert("caller_pid", Value::from(42u32));
        d.insert("expires", Value::from(99u64));
        d.insert("choices", Value::from(vec![3u32, 7]));
        d.insert("choice_labels", Value::from(vec!["Yes", "No"]));
        d.insert("added_later", Value::from(true));
        for key in [
            "message",
            "account_id",
            "app_name",
            "location",
            "ip_address",
        ] {
            d.insert(key, Value::from(""));
        }
        for key in ["caller", "caller_exe", "caller_flatpak"] {
            d.insert(key, Value::from("x"));
        }
        d.insert("caller_uid", Value::from(1000u32));
        d.insert("created", Value::from(1u64));
        let ctxt = Context::new_dbus(zbus::zvariant::LE, 0);
        let bytes = to_bytes(ctxt, &d).expect("encode");
        let (r, _): (RequestDetails, _) = bytes.deserialize().expect("decode");
        assert_eq!(r.title, "Sign in?");
        assert_eq!(r.caller_pid, 42);
        assert_eq!(r.choice_of("no"), Some(7));
        assert_eq!(r.choice_of("maybe"), None);
        // And what the daemon writes reads back the same.
        let again = to_bytes(ctxt, &r).expect("encode");
        let (back, _): (RequestDetails, _) = again.deserialize().expect("decode");
        assert_eq!(back, r);
    }

    #[test]
    fn import_entries_carry_only_the_keys_of_their_list() {
        let added = ImportEntry {
            position: 2,
            issuer: "GitHub".into(),
            account: "alice".into(),
            id: Some("abc".into()),
            ..ImportEntry::default()
        };
        let ctxt = Context::new_dbus(zbus::zvariant::LE, 0);
        let bytes = to_bytes(ctxt, &added).expect("encode");
        let (d, _): (HashMap<String, zbus::zvariant::OwnedValue>, _) =
            bytes.deserialize().expect("decode as a dictionary");
        let mut keys: Vec<_> = d.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["account", "id", "issuer", "position"]);
        let (back, _): (ImportEntry, _) = bytes.deserialize().expect("decode");
        assert_eq!(back, added);
        assert_eq!(back.label(), "GitHub (alice)");
    }

    #[test]
    fn a_browsers_decision_names_the_browser_and_the_site() {
        let grant = |identity: &str| Grant {
            identity: identity.into(),
            account_id: "a1".into(),
            decision: "allow".into(),
            time: 1,
        };
        let g = grant("browser:github.com@exe:/usr/lib/chromium/chromium");
        assert_eq!(
            g.browser_site(),
            Some(("github.com", "exe:/usr/lib/chromium/chromium"))
        );
        assert_eq!(g.app(), "chromium on github.com");
        let f = grant("browser:127.0.0.1@flatpak:org.mozilla.firefox");
        assert_eq!(f.app(), "org.mozilla.firefox (Flatpak) on 127.0.0.1");
        assert_eq!(grant("exe:/usr/bin/app").browser_site(), None);
        assert_eq!(grant("exe:/usr/bin/app").app(), "app");
    }

    #[test]
    fn site_accounts_read_as_the_daemon_writes_them() {
        let ctxt = Context::new_dbus(zbus::zvariant::LE, 0);
        let a = SiteAccount {
            id: "a1".into(),
            issuer: "GitHub".into(),
            account: "alice".into(),
            kind: "totp".into(),
            site: "github.com".into(),
            guessed: true,
        };
        let bytes = to_bytes(ctxt, &a).expect("encode");
        let (back, _): (SiteAccount, _) = bytes.deserialize().expect("decode");
        assert_eq!(back, a);
        assert_eq!(back.label(), "GitHub (alice)");
    }

    #[test]
    fn account_kinds_travel_as_strings_and_unknown_ones_still_read() {
        let ctxt = Context::new_dbus(zbus::zvariant::LE, 0);
        let info = AccountInfo {
            id: "1".into(),
            issuer: "GitHub".into(),
            account: "alice".into(),
            kind: AccountKind::Hotp,
            algorithm: "SHA1".into(),
            digits: 6,
            period: 0,
            extra: AccountExtra {
                counter: Some(7),
                ..AccountExtra::default()
            },
        };
        let bytes = to_bytes(ctxt, &info).expect("encode");
        let raw: (
            String,
            String,
            String,
            String,
            String,
            u32,
            u32,
            HashMap<String, OwnedValue>,
        ) = bytes
            .deserialize()
            .expect("decode as the plain signature")
            .0;
        assert_eq!(raw.3, "hotp");
        assert_eq!(raw.7.keys().collect::<Vec<_>>(), ["counter"]);
        let (back, _): (AccountInfo, _) = bytes.deserialize().expect("decode");
        assert_eq!(back, info);
        let future = (
            "2",
            "X",
            "y",
            "yubikey",
            "",
            0u32,
            0u32,
            HashMap::<String, OwnedValue>::new(),
        );
        let bytes = to_bytes(ctxt, &future).expect("encode");
        let (read, _): (AccountInfo, _) = bytes.deserialize().expect("decode");
        assert_eq!(read.kind, AccountKind::Unknown);
        assert!(!read.kind.has_codes());
    }
}

/// One device of a sync group as `Sync.ListDevices` lists it: `(id, name, this_device,
/// last_seen, forgotten)`. `last_seen` is the Unix time of its latest replica this machine
/// merged (0: none yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct SyncDevice {
    pub id: String,
    pub name: String,
    pub this_device: bool,
    pub last_seen: u64,
    pub forgotten: bool,
}
