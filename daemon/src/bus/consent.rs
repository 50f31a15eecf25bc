//! Per-app consent for codes and the account list.
//!
//! Latchkey's own clients (the `latchkey` and `latchkey-gtk` executables beside the daemon, or in
//! the directory a package build names in `LATCHKEY_BINDIR`, see docs/packaging.md) pass; any other app triggers a consent request ("<app> wants the code for <issuer>:
//! allow once / always / deny"), delivered like an approval. Remembered decisions live in
//! [`Grants`]. The calling method waits for the answer.

use crate::access::backoff::Backoff;
use crate::access::grants::{Grants, identity_of};
use crate::access::process::{FileId, file_id};
use crate::activity::Entry;
use crate::approvals::ApprovalHub;
use crate::approvals::{Caller, Claims, DEFAULT_TIMEOUT, Outcome, Request, Requester};
use crate::clock::unix_now;
use latchkey_dbus::Error;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use zbus::message::Header;

/// The file name of the native-messaging host of browser fill.
pub const HOST: &str = "latchkey-browser-host";

/// Where a package installs the clients when it puts the daemon elsewhere (Debian: clients in
/// /usr/bin, the daemon and the browser host in /usr/libexec/latchkey), fixed when the package
/// is built; a build from source has none and trusts only the programs beside the daemon.
const INSTALLED_BINDIR: Option<&str> = option_env!("LATCHKEY_BINDIR");

/// One of Latchkey's own client executables.
struct Trusted {
    /// Its canonical path (a symlink to it execs this path).
    path: PathBuf,
    /// Its file when the daemon started, so clients started before an upgrade still count.
    at_start: Option<FileId>,
}

impl Trusted {
    fn new(path: PathBuf) -> Self {
        let path = std::fs::canonicalize(&path).unwrap_or(path);
        let at_start = file_id(&path.display().to_string());
        Self { path, at_start }
    }

    /// The same file by path *and* by device and inode: a copy or a hard link elsewhere has
    /// another path, a bind mount over the path (in another mount namespace) another inode.
    fn is(&self, exe: &str, file: FileId) -> bool {
        self.path.as_os_str() == exe
            && (self.at_start == Some(file)
                || file_id(&self.path.display().to_string()) == Some(file))
    }
}

/// Decides whether a caller may have codes or the account list.
pub struct Gate {
    trusted: Vec<Trusted>,
    /// The native-messaging host of browser fill (see [`Self::is_browser_host`]).
    hosts: Vec<Trusted>,
    /// Tests only: every same-user caller counts as our own client.
    #[cfg(any(debug_assertions, feature = "test-hooks"))]
    trust_all: bool,
    settings: Arc<crate::settings::Settings>,
    pub(super) grants: Mutex<Grants>,
    hub: Arc<ApprovalHub>,
    /// Recent refusals of each foreign app, which slow its next ones.
    backoff: Mutex<Backoff>,
}

impl Gate {
    /// Trusts the client executables beside the daemon's own and in [`INSTALLED_BINDIR`], and remembers decisions in `grants`.
    pub fn new(
        hub: Arc<ApprovalHub>,
        grants: Grants,
        settings: Arc<crate::settings::Settings>,
    ) -> Arc<Self> {
        let mut trusted = Vec::new();
        let mut hosts = Vec::new();
        if let Some(dir) = std::env::current_exe()
            .ok()
            .and_then(|e| e.parent().map(PathBuf::from))
        {
            trusted.push(Trusted::new(dir.join("latchkey")));
            trusted.push(Trusted::new(dir.join("latchkey-gtk")));
            hosts.push(Trusted::new(dir.join(HOST)));
        }
        if let Some(dir) = INSTALLED_BINDIR {
            trusted.push(Trusted::new(Path::new(dir).join("latchkey")));
            trusted.push(Trusted::new(Path::new(dir).join("latchkey-gtk")));
            hosts.push(Trusted::new(Path::new(dir).join(HOST)));
        }
        #[cfg(any(debug_assertions, feature = "test-hooks"))]
        let trust_all = crate::test_hooks::enabled(crate::test_hooks::TRUST_ALL);
        #[cfg(any(debug_assertions, feature = "test-hooks"))]
        if trust_all {
            tracing::warn!("every same-user caller is trusted (a test switch)");
        }
        Arc::new(Self {
            trusted,
            hosts,
            #[cfg(any(debug_assertions, feature = "test-hooks"))]
            trust_all,
            settings,
            grants: Mutex::new(grants),
            hub,
            backoff: Mutex::new(Backoff::default()),
        })
    }

    fn grants(&self) -> std::sync::MutexGuard<'_, Grants> {
        self.grants.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Who sent this call, as the daemon determined it.
    pub async fn caller(
        &self,
        conn: &zbus::Connection,
        header: &Header<'_>,
    ) -> Result<crate::approvals::Caller, Error> {
        Ok(self.hub.caller_of(conn, header).await?)
    }

    /// Whether `caller` is one of Latchkey's own clients: an executable beside the daemon (or in
    /// [`INSTALLED_BINDIR`]), the same file by path and inode, in the daemon's mount namespace, neither a
    /// Flatpak nor remote, with the identity pinned when its connection appeared.
    pub fn is_own_client(&self, caller: &crate::approvals::Caller) -> bool {
        self.runs_one_of(caller, &self.trusted)
    }

    /// Whether `caller` runs one of `files`, by path and inode, outside any sandbox.
    fn runs_one_of(&self, caller: &crate::approvals::Caller, files: &[Trusted]) -> bool {
        #[cfg(any(debug_assertions, feature = "test-hooks"))]
        if self.trust_all {
            return true;
        }
        let Some(file) = caller.exe_file else {
            return false;
        };
        caller.flatpak_app.is_empty()
            && caller.remote.is_empty()
            && caller.own_mount_ns
            && files.iter().any(|t| t.is(&caller.exe, file))
    }

    /// Whether `caller` is Latchkey's native-messaging host (`latchkey-browser-host` beside the
    /// daemon, in /usr/bin, /usr/libexec/latchkey or /usr/lib/latchkey), checked like our own
    /// clients: the same file by path and inode, in our mount namespace, pinned. Only the host
    /// may ask for a page's accounts and codes; the browser is the process that started it.
    pub fn is_browser_host(&self, caller: &crate::approvals::Caller) -> bool {
        self.runs_one_of(caller, &self.hosts)
    }

    /// The pinned identities of every connection, to name the browser behind a host.
    pub fn identities(&self) -> &crate::access::Identities {
        &self.hub.identities
    }

    /// The activity log, for what the bus records itself (browser fills).
    pub fn activity(&self) -> &crate::activity::ActivityLog {
        &self.hub.activity
    }

    /// How `caller` counts for places among pending requests: own clients may use the reserved
    /// ones, any other app is capped per connection and per identity.
    pub fn requester(&self, caller: &crate::approvals::Caller) -> Requester {
        if self.is_own_client(caller) {
            Requester::Trusted
        } else {
            Requester::foreign(&caller.bus_name, identity_of(caller))
        }
    }

    /// Refuses `caller` with `error` after the pause its recent refusals earned (none for our
    /// own clients, see [`Backoff`]), so that sending refused calls again at once keeps nobody
    /// busy. The first refusal after a quiet spell is logged as `event`.
    pub async fn refuse(&self, caller: &Caller, event: &str, error: Error) -> Error {
        if self.is_own_client(caller) {
            return error;
        }
        let identity = identity_of(caller).unwrap_or_else(|| "unidentified".to_string());
        let refusal = self
            .backoff
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .refuse(&identity, std::time::Instant::now());
        if refusal.first {
            tracing::warn!(event, caller = %latchkey_dbus::display::claim(&caller.label(), latchkey_dbus::display::IDENTITY_MAX), "refused: {} (repeats are not logged while they go on)", error.message());
        }
        tokio::time::sleep(refusal.pause).await;
        error
    }

    /// `Ok(label)` if `caller` is one of Latchkey's own clients, which speak for the user; any
    /// other app is refused, or the gate would open itself.
    pub fn own_client(
        &self,
        caller: &crate::approvals::Caller,
        what: &str,
    ) -> Result<String, Error> {
        let label = caller.label();
        if self.is_own_client(caller) {
            return Ok(label);
        }
        if !caller.is_identified() {
            return Err(Error::AccessDenied(format!(
                "only Latchkey's own clients (latchkey, latchkey-gtk) may {what}; {label} was refused: \
                 it hides its executable from other processes (it is not dumpable), so Latchkey \
                 cannot tell which program it is"
            )));
        }
        Err(Error::AccessDenied(format!(
            "only Latchkey's own clients (latchkey, latchkey-gtk) may {what}; {label} was refused"
        )))
    }

    /// Looks the caller up, then [`Self::own_client`]: exports, restores, settings, answers…
    /// no consent prompt makes handing every seed or the gate's keys to another app safe.
    pub async fn require_own_client(
        &self,
        conn: &zbus::Connection,
        header: &Header<'_>,
        what: &str,
    ) -> Result<String, Error> {
        let caller = self.hub.caller_of(conn, header).await?;
        match self.own_client(&caller, what) {
            Ok(label) => Ok(label),
            Err(e) => Err(self.refuse(&caller, "access-refused", e).await),
        }
    }

    /// [`Self::require_own_client`] for calls that carry a whole file (Import, Restore): a
    /// refusal comes at once, never paused, or a refused app sending large files in parallel
    /// would make the daemon hold each one for the length of the pause.
    pub async fn require_own_client_now(
        &self,
        conn: &zbus::Connection,
        header: &Header<'_>,
        what: &str,
    ) -> Result<String, Error> {
        let caller = self.hub.caller_of(conn, header).await?;
        self.own_client(&caller, what)
    }

    /// Writes to the activity log that another app got `what` without being asked, and why
    /// (`remembered`: an earlier "always allow"; `consent-off`: consent is switched off).
    fn record(&self, caller: &Caller, what: &str, why: &str) {
        let label = caller.label();
        tracing::info!(event = "access-without-asking", caller = %label, why, "{what}");
        self.hub.activity.append(&Entry {
            time: unix_now(),
            event: "access",
            outcome: "allowed",
            title: &format!("{label} got {what}"),
            caller: &label,
            detail: why,
        });
    }

    /// Lets the call through, asks the user, or refuses. `what` completes "<app> wants …".
    pub async fn check(
        &self,
        conn: &zbus::Connection,
        header: &Header<'_>,
        account_id: &str,
        what: &str,
    ) -> Result<(), Error> {
        let caller = self.hub.caller_of(conn, header).await?;
        if self.is_own_client(&caller) {
            return Ok(());
        }
        let asker = Asker::app(caller);
        let caller = asker.caller.clone();
        match self.ask(conn, asker, account_id, what).await? {
            Allowed::Remembered => self.record(&caller, what, "remembered"),
            Allowed::ConsentOff => self.record(&caller, what, "consent-off"),
            Allowed::Asked => {}
        }
        Ok(())
    }

    /// Whether `asker` may have `what` (about account `account_id`): consent off, a remembered
    /// decision, or the user's answer to a consent request, which waits. Records nothing in
    /// the activity log beyond the request itself; the caller says how it was allowed.
    pub async fn ask(
        &self,
        conn: &zbus::Connection,
        asker: Asker,
        account_id: &str,
        what: &str,
    ) -> Result<Allowed, Error> {
        let Asker {
            caller,
            identity,
            name,
            site,
            note,
            always_ask,
        } = asker;
        if !always_ask && !self.settings.current().require_app_consent {
            return Ok(Allowed::ConsentOff);
        }
        // An unidentified caller has no identity: no remembered decision applies to it or is
        // made for it, so it is asked every time.
        let remembered = identity
            .as_deref()
            .and_then(|id| self.grants().lookup(id, account_id));
        match remembered {
            Some(true) if !always_ask => return Ok(Allowed::Remembered),
            Some(false) => {
                let e = denied(&name, what);
                return Err(self.refuse(&caller, "access-denied", e).await);
            }
            _ => {}
        }
        let logged = identity.clone().unwrap_or_else(|| "unidentified".into());
        let mut message = if identity.is_some() {
            "Allow it once or always, or deny it always; not now refuses this time only. \
             Same-user apps can impersonate each other's executables; a Flatpak app id is \
             shown only for a sandbox verified as made by Flatpak."
                .to_string()
        } else {
            "Allow it once, or not now. This app hides its executable from other processes, so \
             Latchkey cannot tell which program it is and remembers no answer for it."
                .to_string()
        };
        if let Some(note) = note {
            message = format!("{note} {message}");
        }
        let now = unix_now();
        let path = match self
            .hub
            .admit(Requester::foreign(&caller.bus_name, identity.clone()))
        {
            Ok(path) => path,
            Err(e) => return Err(self.refuse(&caller, "request-refused", e.into()).await),
        };
        let request = Request {
            path: path.clone(),
            kind: "consent".into(),
            claims: Claims {
                title: format!("{name} wants {what}"),
                message,
                account_id: account_id.to_string(),
                site: site.unwrap_or_default(),
                ..Claims::default()
            },
            caller,
            number: None,
            created: now,
            expires: now + u64::from(DEFAULT_TIMEOUT),
            outcome: None,
        };
        let answer = self.hub.wait_for(&path);
        self.hub.open(conn, request).await?;
        let (outcome, remember) = answer.await.unwrap_or((Outcome::Cancelled, false));
        let allow = match outcome {
            Outcome::Approved => true,
            Outcome::Denied => false,
            other => {
                return Err(Error::AccessDenied(format!(
                    "{name} asked for {what}; the request was {}",
                    other.as_str()
                )));
            }
        };
        if remember
            && let Some(identity) = &identity
            && let Err(e) = self
                .grants()
                .remember(identity, account_id, allow, unix_now())
        {
            tracing::error!("cannot remember the access decision: {e}");
        }
        if allow {
            tracing::info!(event = "consent-granted", identity = %logged, account_id, always = remember, "access granted");
            Ok(Allowed::Asked)
        } else {
            tracing::info!(event = "consent-denied", identity = %logged, account_id, remembered = remember, "access denied");
            Err(denied(&name, what))
        }
    }
}

/// Who a consent question is about.
pub struct Asker {
    /// The app as the daemon determined it; the request lives on its `bus_name`.
    pub caller: Caller,
    /// What its decisions are remembered under; `None`: asked every time, nothing remembered.
    pub identity: Option<String>,
    /// How the question names it ("<name> wants …").
    pub name: String,
    /// The site a browser says its page is on.
    pub site: Option<String>,
    /// A sentence put before the usual explanation.
    pub note: Option<String>,
    /// Ask even when consent is off or the answer was "always allow" (a remembered deny still
    /// refuses): for what the user must confirm, such as a guessed site.
    pub always_ask: bool,
}

impl Asker {
    /// An app that asks for itself, remembered under its own identity.
    pub fn app(caller: Caller) -> Self {
        Self {
            identity: identity_of(&caller),
            name: caller.label(),
            caller,
            site: None,
            note: None,
            always_ask: false,
        }
    }
}

/// Why an app was let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowed {
    /// The user answered this question.
    Asked,
    /// An earlier "always allow".
    Remembered,
    /// Consent is switched off.
    ConsentOff,
}

impl Allowed {
    /// How the activity log says it (`asked`, `remembered`, `consent-off`).
    pub fn as_str(self) -> &'static str {
        match self {
            Allowed::Asked => "asked",
            Allowed::Remembered => "remembered",
            Allowed::ConsentOff => "consent-off",
        }
    }
}

fn denied(label: &str, what: &str) -> Error {
    Error::AccessDenied(format!(
        "the user did not allow {label} to get {what} (they can allow it again in Latchkey)"
    ))
}
