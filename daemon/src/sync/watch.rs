//! Folder changes from inotify (the `notify` crate), handed to the async side as paths. No
//! polling: the watcher's thread sleeps in the kernel until something changes, so an idle daemon
//! with sync on has no wake-ups.

use notify::{RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use tokio::sync::mpsc::UnboundedSender;

/// Watches one folder until dropped.
pub struct Watch {
    _watcher: notify::RecommendedWatcher,
}

impl Watch {
    /// Watches `dir` (not its subfolders) and sends the path of every file that changed.
    pub fn start(dir: &Path, paths: UnboundedSender<PathBuf>) -> notify::Result<Self> {
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| match event {
                Ok(event) => {
                    if matches!(event.kind, notify::EventKind::Access(_)) {
                        return;
                    }
                    for path in event.paths {
                        let _ = paths.send(path);
                    }
                }
                Err(e) => tracing::warn!("the sync folder's watcher failed: {e}"),
            })?;
        watcher.watch(dir, RecursiveMode::NonRecursive)?;
        Ok(Self { _watcher: watcher })
    }
}
