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

/// Where a package installs the clients when it puts the daemon elsewhere (Debian: clients in
/// /usr/bin, the daemon in /usr/libexec/latchkey), fixed when the package is built; a build
/// from source has none and trusts only the clients beside the daemon.
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
        if let Some(dir) = std::env::current_exe()
            .ok()
            .and_then(|e| e.parent().map(PathBuf::from))
        {
            trusted.push(Trusted::new(dir.join("latchkey")));
            trusted.push(Trusted::new(dir.join("latchkey-gtk")));
        }
        if let Some(dir) = INSTALLED_BINDIR {
            trusted.push(Trusted::new(Path::new(dir).join("latchkey")));
            trusted.push(Trusted::new(Path::new(dir).join("latchkey-gtk")));
        }
        #[cfg(any(debug_assertions, feature = "test-hooks"))]
        let trust_all = crate::test_hooks::enabled(crate::test_hooks::TRUST_ALL);
        #[cfg(any(debug_assertions, feature = "test-hooks"))]
        if trust_all {
            tracing::warn!("every same-user caller is trusted (a test switch)");
        }
        Arc::new(Self {
            trusted,
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
            && self.trusted.iter().any(|t| t.is(&caller.exe, file))
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
        if !self.settings.current().require_app_consent {
            self.record(&caller, what, "consent-off");
            return Ok(());
        }
        // An unidentified caller has no identity: no remembered decision applies to it or is
        // made for it, so it is asked every time.
        let identity = identity_of(&caller);
        let remembered = identity
            .as_deref()
            .and_then(|id| self.grants().lookup(id, account_id));
        match remembered {
            Some(true) => {
                self.record(&caller, what, "remembered");
                return Ok(());
            }
            Some(false) => {
                let e = denied(&caller.label(), what);
                return Err(self.refuse(&caller, "access-denied", e).await);
            }
            None => {}
        }
        let logged = identity.clone().unwrap_or_else(|| "unidentified".into());
        let message = if identity.is_some() {
            "Allow it once or always, or deny it always; not now refuses this time only. \
             Same-user apps can impersonate each other's executables; a Flatpak app id is \
             shown only for a sandbox verified as made by Flatpak."
        } else {
            "Allow it once, or not now. This app hides its executable from other processes, so \
             Latchkey cannot tell which program it is and remembers no answer for it."
        };
        let now = unix_now();
        let path = match self
            .hub
            .admit(Requester::foreign(&caller.bus_name, identity.clone()))
        {
            Ok(path) => path,
            Err(e) => return Err(self.refuse(&caller, "request-refused", e.into()).await),
        };
        let label = caller.label();
        let request = Request {
            path: path.clone(),
            kind: "consent".into(),
            claims: Claims {
                title: format!("{label} wants {what}"),
                message: message.into(),
                account_id: account_id.to_string(),
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
        match outcome {
            Outcome::Approved => {
                if remember
                    && let Some(identity) = &identity
                    && let Err(e) = self
                        .grants()
                        .remember(identity, account_id, true, unix_now())
                {
                    tracing::error!("cannot remember the access decision: {e}");
                }
                tracing::info!(event = "consent-granted", identity = %logged, account_id, always = remember, "access granted");
                Ok(())
            }
            Outcome::Denied => {
                if remember
                    && let Some(identity) = &identity
                    && let Err(e) = self
                        .grants()
                        .remember(identity, account_id, false, unix_now())
                {
                    tracing::error!("cannot remember the access decision: {e}");
                }
                tracing::info!(event = "consent-denied", identity = %logged, account_id, remembered = remember, "access denied");
                Err(denied(&label, what))
            }
            other => Err(Error::AccessDenied(format!(
                "{label} asked for {what}; the request was {}",
                other.as_str()
            ))),
        }
    }
}

fn denied(label: &str, what: &str) -> Error {
    Error::AccessDenied(format!(
        "the user did not allow {label} to get {what} (they can allow it again in Latchkey)"
    ))
}
