//! The sync service: keeps this device's replica in the sync folder up to date and merges every
//! other device's (docs/sync.md).
//!
//! It subscribes to the state's events: after each write of the vault it seals and writes this
//! device's replica (within [`WRITE_DELAY`]); while the vault is unlocked it watches the folder
//! and merges what arrives, debounced by [`SETTLE`], through the state service, so merged
//! changes are saved and announced like any other. While the vault is locked nothing can be
//! decrypted: the watch stops and every file is read again at the next unlock.

mod folder;
mod watch;

pub use folder::{SUBFOLDER, join_path, replica_path};

use crate::events::{Event, Security, Subscription, Urgency};
use crate::state::{JoinAnswer, Service, SyncInfo, SyncMergeError};
use folder::Kind;
use latchkey_core::sync::{Code, DeviceId, JoinError, Request, seal};
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// How long after a change this device's replica is written (a burst writes one).
pub const WRITE_DELAY: Duration = Duration::from_millis(150);
/// How long the folder must be quiet before changed files are read (the engine writes a file
/// then renames it; several files often arrive together).
pub const SETTLE: Duration = Duration::from_millis(250);
/// The longest a busy folder delays reading.
const SETTLE_MAX: Duration = Duration::from_secs(2);

/// What the bus shows of sync beyond the vault's own state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Status {
    /// The last status read while unlocked (sync's settings live in the encrypted vault).
    pub info: Option<SyncInfo>,
    /// Unix time of the last merge that changed something.
    pub last_merge: u64,
    /// What it changed, in words.
    pub last_merge_summary: String,
    /// Unix time this device's replica was last written.
    pub last_write: u64,
    /// Why the last read or write failed ("" when it worked).
    pub last_error: String,
    /// The Aegis backups followed (as last read while unlocked).
    pub aegis: Option<crate::state::FollowInfo>,
    /// Why the last Aegis backup could not be mirrored ("" when it was).
    pub aegis_error: String,
}

/// Messages to the service's task.
enum Wake {
    Path(PathBuf),
    Aegis,
    Write,
}

/// The sync service.
pub struct Sync {
    service: Arc<Service>,
    status: Mutex<Status>,
    wake: mpsc::UnboundedSender<Wake>,
    inbox: Mutex<Option<mpsc::UnboundedReceiver<Wake>>>,
}

impl Sync {
    /// The service over the state service.
    pub fn new(service: Arc<Service>) -> Arc<Self> {
        let (wake, inbox) = mpsc::unbounded_channel();
        Arc::new(Self {
            service,
            status: Mutex::default(),
            wake,
            inbox: Mutex::new(Some(inbox)),
        })
    }

    /// The current status.
    pub fn status(&self) -> Status {
        self.status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn update(&self, f: impl FnOnce(&mut Status)) {
        f(&mut self.status.lock().unwrap_or_else(|p| p.into_inner()));
    }

    /// Reads the sync settings from the unlocked vault into the status.
    pub fn refresh(&self) {
        if let Ok(info) = self.service.sync_info() {
            self.update(|s| s.info = info);
        }
        if let Ok(aegis) = self.service.follow_info() {
            self.update(|s| s.aegis = aegis);
        }
    }

    /// Writes this device's replica now (after turning sync on).
    pub async fn write_now(&self) {
        self.refresh();
        self.write_replica().await;
    }

    /// Asks for this device's replica to be written soon.
    pub fn write_soon(&self) {
        let _ = self.wake.send(Wake::Write);
    }

    /// Before a join: whether the device that made `code` syncs through `folder` (its replica is
    /// there). A code with a typo in the inviting device's part names no device here.
    pub fn check_inviter(&self, folder: &str, code: &Code) -> Result<(), JoinError> {
        let found = std::fs::read_dir(folder::dir(folder))
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| matches!(folder::kind(&e.path()), Kind::Replica(d) if code.is_inviter(&d)));
        if found {
            Ok(())
        } else {
            Err(JoinError::NoInviter)
        }
    }

    /// After a join: removes the join request of the join it replaced.
    pub fn withdraw_join_request(&self, folder: &str, device: &DeviceId) {
        match std::fs::remove_file(join_path(folder, device)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!("cannot remove an earlier join request: {e}"),
        }
    }

    /// After a join: writes the join request into the folder, where the inviting device finds it.
    pub fn send_join_request(&self, folder: &str, request: &Request) -> std::io::Result<()> {
        let dir = folder::dir(folder);
        std::fs::create_dir_all(&dir)?;
        folder::write(&join_path(folder, &request.device), &request.to_bytes())
    }

    /// The service's task: runs until the event channel closes.
    pub async fn run(self: Arc<Self>, mut events: Subscription) {
        let Some(mut inbox) = self.inbox.lock().unwrap_or_else(|p| p.into_inner()).take() else {
            return;
        };
        let mut task = Task::default();
        loop {
            let deadline = task.deadline();
            tokio::select! {
                event = events.next() => {
                    let Some(event) = event else { return };
                    self.on_event(&mut task, event);
                }
                Some(wake) = inbox.recv() => match wake {
                    Wake::Path(p) => task.arrived(p),
                    Wake::Aegis => task.aegis_after(SETTLE),
                    Wake::Write => task.write_after(WRITE_DELAY),
                },
                () = sleep_until(deadline) => self.work(&mut task).await,
            }
        }
    }

    fn on_event(&self, task: &mut Task, event: Event) {
        match event {
            Event::Unlocked { .. } | Event::SyncChanged | Event::Created => {
                self.refresh();
                self.follow_folder(task);
            }
            Event::Locked { .. } => {
                // Nothing can be read or written while locked; everything is read again later.
                task.watch = None;
                task.folder = None;
                task.aegis_watch = None;
                task.aegis_folder = None;
                task.aegis_at = None;
                task.paths.clear();
                task.first = None;
                task.write_at = None;
            }
            Event::Stored | Event::AccountsChanged { .. } => task.write_after(WRITE_DELAY),
            _ => {}
        }
    }

    /// Starts (or stops) watching the folders the vault names: the sync folder, and the folder
    /// of the Aegis backups followed.
    fn follow_folder(&self, task: &mut Task) {
        self.follow_aegis(task);
        let folder = self
            .status()
            .info
            .filter(|_| !crate::state::lock_state(self.service.state()).locked())
            .map(|i| i.folder);
        if folder == task.folder {
            return;
        }
        task.watch = None;
        task.folder = folder.clone();
        let Some(folder) = folder else { return };
        let dir = folder::dir(&folder);
        if let Err(e) = std::fs::create_dir_all(&dir) {
            self.failed(format!("cannot use the sync folder {}: {e}", dir.display()));
            return;
        }
        let (tx, mut rx) = mpsc::unbounded_channel();
        match watch::Watch::start(&dir, tx) {
            Ok(w) => task.watch = Some(w),
            Err(e) => {
                self.failed(format!(
                    "cannot watch the sync folder {}: {e}",
                    dir.display()
                ));
                return;
            }
        }
        let wake = self.wake.clone();
        tokio::spawn(async move {
            while let Some(p) = rx.recv().await {
                if wake.send(Wake::Path(p)).is_err() {
                    return;
                }
            }
        });
        // Everything already there is read once, then this device's replica is written.
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for entry in entries.flatten() {
                task.arrived(entry.path());
            }
        }
        task.scanning = true;
        task.write_after(WRITE_DELAY);
    }

    /// Starts (or stops) watching the Aegis backups' folder; reads it once when it starts.
    fn follow_aegis(&self, task: &mut Task) {
        let folder = self
            .status()
            .aegis
            .filter(|_| !crate::state::lock_state(self.service.state()).locked())
            .map(|i| i.folder);
        if folder == task.aegis_folder {
            return;
        }
        task.aegis_watch = None;
        task.aegis_folder = folder.clone();
        task.aegis_done = None;
        let Some(folder) = folder else { return };
        let (tx, mut rx) = mpsc::unbounded_channel();
        match watch::Watch::start(std::path::Path::new(&folder), tx) {
            Ok(w) => task.aegis_watch = Some(w),
            Err(e) => {
                let message = format!("cannot watch the Aegis folder {folder}: {e}");
                tracing::warn!(event = "aegis-follow-failed", "{message}");
                self.update(|s| s.aegis_error = message);
                return;
            }
        }
        let wake = self.wake.clone();
        tokio::spawn(async move {
            while rx.recv().await.is_some() {
                if wake.send(Wake::Aegis).is_err() {
                    return;
                }
            }
        });
        task.aegis_after(Duration::ZERO);
    }

    /// Mirrors the newest Aegis backup if it is not the one mirrored last. Never writes there.
    async fn read_aegis(&self, task: &mut Task) {
        let Some(folder) = task.aegis_folder.clone() else {
            return;
        };
        let Some((name, path)) = newest_aegis_backup(&folder) else {
            return;
        };
        let print = folder::fingerprint(&path);
        let done = print.map(|p| (name.clone(), p));
        if done.is_some() && done == task.aegis_done {
            return;
        }
        let result = match read_aegis_backup(&path) {
            Ok(bytes) => self
                .service
                .follow_merge(name.clone(), bytes)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        task.aegis_done = done;
        match result {
            Ok(changes) => {
                self.refresh();
                self.update(|s| {
                    s.aegis_error.clear();
                    if !changes.is_empty() {
                        s.last_merge = crate::clock::unix_now();
                        s.last_merge_summary = format!(
                            "{} added, {} updated, {} removed from the Aegis backup {name}",
                            changes.added.len(),
                            changes.updated.len(),
                            changes.removed.len()
                        );
                    }
                });
                self.service.events().publish(Event::SyncChanged);
            }
            Err(e) => {
                let message = format!("cannot mirror the Aegis backup {name}: {e}");
                tracing::warn!(event = "aegis-follow-failed", "{message}");
                self.update(|s| s.aegis_error = message);
                self.service.events().publish(Event::SyncChanged);
            }
        }
    }

    /// Reads what arrived, then writes this device's replica if it is due.
    async fn work(&self, task: &mut Task) {
        let now = Instant::now();
        if task.aegis_at.is_some_and(|t| t <= now) {
            task.aegis_at = None;
            self.read_aegis(task).await;
        }
        if task.first.is_some() && task.settled(now) {
            let paths = std::mem::take(&mut task.paths);
            task.first = None;
            let scanning = std::mem::take(&mut task.scanning);
            if self.read_all(task, paths, scanning).await {
                task.write_after(Duration::ZERO);
            }
        }
        if task.write_at.is_some_and(|t| t <= now) && task.first.is_none() {
            task.write_at = None;
            self.write_replica().await;
        }
    }

    /// Reads changed files; returns whether this device's replica is now out of date.
    async fn read_all(&self, task: &mut Task, paths: BTreeSet<PathBuf>, scanning: bool) -> bool {
        let Some(info) = self.status().info else {
            return false;
        };
        let mut changed = false;
        let mut merged_any = false;
        for path in paths {
            let kind = folder::kind(&path);
            let own = matches!(&kind, Kind::Replica(d) if d.to_hex() == info.device);
            // This device's own file is read once at the start (so its next replica is newer
            // than the last one it wrote), not each time it writes it.
            if own && !scanning {
                continue;
            }
            match kind {
                Kind::Other => {}
                Kind::Replica(d) | Kind::Conflict(d) => {
                    let conflict = matches!(kind, Kind::Conflict(_));
                    let read = self.read_replica(task, &path, d).await;
                    // A conflict copy that was read (merged, or judged as old or from a
                    // forgotten device) has done its work and goes; one that was refused stays
                    // for the user to look at, reported once, so nothing is lost to a transient
                    // failure or deleted on an attacker's word.
                    let remove = conflict && read.is_ok();
                    match read {
                        Ok(Some(outcome)) => {
                            merged_any |= !outcome.merged.replay;
                            changed |= outcome.merged.changed || outcome.merged.admitted;
                            if outcome.merged.admitted {
                                self.withdraw_join_request(&info.folder, &info_id(&info));
                            }
                        }
                        Ok(None) => {}
                        Err(()) => {}
                    }
                    if remove {
                        match std::fs::remove_file(&path) {
                            Ok(()) => {
                                tracing::info!(event = "sync-conflict-removed", file = %path.display(), "read and removed a conflict copy")
                            }
                            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                            Err(e) => tracing::warn!(
                                "cannot remove the conflict copy {}: {e}",
                                path.display()
                            ),
                        }
                    }
                }
                Kind::Join(d) => {
                    if d.to_hex() == info.device {
                        continue;
                    }
                    changed |= self.read_join(&path).await;
                }
            }
        }
        if merged_any {
            self.refresh();
        }
        changed
    }

    /// Merges one replica; `Ok(None)` when it is not ours to read (yet), `Err` when refused.
    async fn read_replica(
        &self,
        task: &mut Task,
        path: &std::path::Path,
        named: DeviceId,
    ) -> Result<Option<crate::state::SyncOutcome>, ()> {
        let print = folder::fingerprint(path);
        if print.is_some() && task.refused.get(path) == print.as_ref() {
            // Refused before and unchanged since: still refused, reported once.
            return Err(());
        }
        let bytes = match folder::read(path, seal::MAX_FILE) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                self.refused(task, path, print, format!("cannot be read: {e}"), true);
                return Err(());
            }
        };
        // The file's name must be its writer's: nobody may write under another device's name.
        let claimed = seal::parse(&bytes).map(|p| p.claim().device);
        if let Ok(device) = claimed
            && device != named
        {
            self.refused(
                task,
                path,
                print,
                "names another device than its writer".into(),
                true,
            );
            return Err(());
        }
        match self.service.sync_merge(bytes).await {
            Ok(outcome) => {
                task.refused.remove(path);
                if !outcome.merged.replay {
                    let c = outcome.changes();
                    let who = if outcome.from_name.is_empty() {
                        named.to_hex()
                    } else {
                        outcome.from_name.clone()
                    };
                    if !c.is_empty() {
                        let summary = format!(
                            "{} added, {} updated, {} removed from {who}",
                            c.added.len(),
                            c.updated.len(),
                            c.removed.len()
                        );
                        self.update(|s| {
                            s.last_merge = crate::clock::unix_now();
                            s.last_merge_summary = summary;
                            s.last_error.clear();
                        });
                    }
                }
                Ok(Some(outcome))
            }
            Err(SyncMergeError::Refused(e)) => {
                let security = e.is_security();
                self.refused(task, path, print, e.to_string(), security);
                Err(())
            }
            Err(SyncMergeError::State(e)) => {
                self.failed(format!("cannot merge {}: {e}", path.display()));
                Err(())
            }
        }
    }

    /// Answers a join request: admits it if one of this device's invites made it, refuses it
    /// otherwise; returns whether this device's replica is now out of date.
    async fn read_join(&self, path: &std::path::Path) -> bool {
        let Ok(bytes) = folder::read(path, latchkey_core::sync::invite::MAX_REQUEST) else {
            return false;
        };
        let Ok(request) = Request::parse(&bytes) else {
            return false;
        };
        match self.service.sync_answer(request).await {
            Ok(JoinAnswer::Admitted(_) | JoinAnswer::Refused(_)) => {
                self.refresh();
                true
            }
            Ok(JoinAnswer::Nothing) => false,
            Err(e) => {
                self.failed(format!("cannot answer a join request: {e}"));
                false
            }
        }
    }

    /// Seals and writes this device's replica.
    async fn write_replica(&self) {
        let Some(info) = self.status().info else {
            return;
        };
        match self.service.sync_export().await {
            Ok(Some((device, bytes))) => {
                let path = replica_path(&info.folder, &device);
                let written = tokio::task::spawn_blocking(move || {
                    if let Some(dir) = path.parent() {
                        std::fs::create_dir_all(dir)?;
                    }
                    folder::write(&path, &bytes)
                })
                .await
                .map_err(std::io::Error::other)
                .and_then(|r| r);
                match written {
                    Ok(()) => self.update(|s| {
                        s.last_write = crate::clock::unix_now();
                        s.last_error.clear();
                    }),
                    Err(e) => self.failed(format!("cannot write this device's replica: {e}")),
                }
            }
            Ok(None) => {}
            Err(crate::state::StateError::Locked | crate::state::StateError::SyncOff) => {}
            Err(e) => self.failed(format!("cannot seal this device's replica: {e}")),
        }
    }

    fn failed(&self, message: String) {
        tracing::warn!(event = "sync-failed", "{message}");
        self.update(|s| s.last_error = message);
        self.service.events().publish(Event::SyncChanged);
    }

    /// Reports a refused file once (until it changes).
    fn refused(
        &self,
        task: &mut Task,
        path: &std::path::Path,
        print: Option<(u64, SystemTime)>,
        why: String,
        security: bool,
    ) {
        if let Some(p) = print {
            task.refused.insert(path.to_path_buf(), p);
        }
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let message = format!("Sync refused {file}: {why}; nothing of it was merged");
        if security {
            tracing::warn!(event = "sync-refused", file = %file, "{message}");
            self.service.events().security(
                Security::new("sync-refused", message.clone())
                    .with("file", file)
                    .notify(
                        "Latchkey sync refused a file",
                        message.clone(),
                        Urgency::Critical,
                    ),
            );
        } else {
            tracing::debug!(event = "sync-skipped", file = %file, "{message}");
        }
        self.update(|s| s.last_error = message);
    }
}

/// The newest Aegis backup in `folder` by name (Aegis names them by date and time).
pub fn newest_aegis_backup(folder: &str) -> Option<(String, PathBuf)> {
    let name = std::fs::read_dir(folder)
        .ok()?
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| latchkey_core::follow::is_backup(n))
        .max()?;
    let path = std::path::Path::new(folder).join(&name);
    Some((name, path))
}

/// Reads an Aegis backup (bounded like an import).
pub fn read_aegis_backup(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    folder::read(path, latchkey_core::import::MAX_INPUT)
}

fn info_id(info: &SyncInfo) -> DeviceId {
    DeviceId::from_hex(&info.device).unwrap_or(DeviceId([0; 16]))
}

/// The service task's own state.
#[derive(Default)]
struct Task {
    folder: Option<String>,
    watch: Option<watch::Watch>,
    paths: BTreeSet<PathBuf>,
    /// When the first of `paths` arrived, and the last.
    first: Option<Instant>,
    last: Option<Instant>,
    /// The next read is the full one after the watch started.
    scanning: bool,
    write_at: Option<Instant>,
    /// Files refused, by fingerprint, so each is reported once.
    refused: HashMap<PathBuf, (u64, SystemTime)>,
    aegis_folder: Option<String>,
    aegis_watch: Option<watch::Watch>,
    /// When to look at the Aegis folder next.
    aegis_at: Option<Instant>,
    /// The Aegis backup last mirrored (name, size and time), so it is read once.
    aegis_done: Option<(String, (u64, SystemTime))>,
}

impl Task {
    fn arrived(&mut self, path: PathBuf) {
        if self.folder.is_none() || matches!(folder::kind(&path), Kind::Other) {
            return;
        }
        let now = Instant::now();
        self.paths.insert(path);
        self.first.get_or_insert(now);
        self.last = Some(now);
    }

    fn settled(&self, now: Instant) -> bool {
        let quiet = self.last.is_some_and(|l| now >= l + SETTLE);
        let long = self.first.is_some_and(|f| now >= f + SETTLE_MAX);
        quiet || long
    }

    fn write_after(&mut self, delay: Duration) {
        if self.folder.is_none() {
            return;
        }
        let at = Instant::now() + delay;
        self.write_at = Some(self.write_at.map_or(at, |t| t.min(at)));
    }

    fn aegis_after(&mut self, delay: Duration) {
        if self.aegis_folder.is_some() {
            self.aegis_at = Some(Instant::now() + delay);
        }
    }

    /// When the task next has something to do (`None`: nothing, sleep until woken).
    fn deadline(&self) -> Option<Instant> {
        let read = match (self.first, self.last) {
            (Some(f), Some(l)) => Some((l + SETTLE).min(f + SETTLE_MAX)),
            _ => None,
        };
        [read, self.write_at, self.aegis_at]
            .into_iter()
            .flatten()
            .min()
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}
