//! The daemon process: started on the private bus, SIGKILLed at the chosen moment, its log kept.

use super::*;

impl Run<'_> {
    /// Starts a daemon once the previous one has left the bus, and checks it owns the name.
    pub(crate) fn spawn(&self) -> Result<DaemonProcess> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self
            .bus
            .name_owner_pid()
            .context("asking the bus for the name owner")?
            .is_some()
        {
            ensure!(
                Instant::now() < deadline,
                "the killed daemon still owns the bus name"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        let daemon = self
            .bus
            .spawn_daemon(self.daemon_bin)
            .context("starting latchkeyd")?;
        let owner = self.bus.name_owner_pid().context("asking for the owner")?;
        ensure!(
            owner == Some(daemon.pid()),
            "{BUS_NAME} is owned by {owner:?}, not by the daemon started ({})",
            daemon.pid()
        );
        Ok(daemon)
    }

    /// A proxy bound to the current owner's unique name (so nothing is ever activated).
    pub(crate) async fn proxy(&self) -> Result<VaultProxy<'static>> {
        let dbus = zbus::fdo::DBusProxy::new(&self.conn).await?;
        let owner = dbus
            .get_name_owner(BUS_NAME.try_into()?)
            .await
            .context("GetNameOwner")?;
        Ok(VaultProxy::builder(&self.conn)
            .destination(owner.to_string())?
            .cache_properties(CacheProperties::No)
            .build()
            .await?)
    }

    pub(crate) fn stop_cleanly(&self, daemon: DaemonProcess) -> Result<()> {
        let (status, log) = daemon.stop().context("stopping latchkeyd")?;
        ensure!(status.success(), "latchkeyd exited with {status}:\n{log}");
        Ok(())
    }
}

/// The kill for one round: fires `delay` after the start signal (at once if the sender drops).
pub(crate) struct Killer {
    pub(crate) fired: Arc<AtomicBool>,
    pub(crate) handle: JoinHandle<()>,
}

impl Killer {
    /// Waits for the kill; the daemon is reaped by then. Returns whether it fired.
    pub(crate) fn join(self) -> bool {
        let joined = self.handle.join().is_ok();
        joined && self.fired.load(Ordering::SeqCst)
    }
}

/// Hands the daemon to a thread that SIGKILLs and reaps it; the PID is never reused meanwhile.
pub(crate) fn spawn_killer(
    daemon: DaemonProcess,
    delay: Duration,
) -> (mpsc::Sender<Instant>, Killer) {
    let (tx, rx) = mpsc::channel::<Instant>();
    let fired = Arc::new(AtomicBool::new(false));
    let flag = fired.clone();
    let handle = std::thread::spawn(move || {
        let start = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(start) => start,
            Err(RecvTimeoutError::Disconnected | RecvTimeoutError::Timeout) => Instant::now(),
        };
        let at = start + delay;
        let now = Instant::now();
        if at > now {
            std::thread::sleep(at - now);
        }
        flag.store(true, Ordering::SeqCst);
        daemon.kill_hard();
    });
    (tx, Killer { fired, handle })
}

/// Collects a daemon's stderr (so its pipe never fills), for failure reports.
pub(crate) struct LogReader(Option<JoinHandle<String>>);

impl LogReader {
    pub(crate) fn join(self) -> String {
        self.0
            .and_then(|h| h.join().ok())
            .unwrap_or_else(|| "<no log>".into())
    }
}

pub(crate) fn spawn_log_reader(daemon: &mut DaemonProcess) -> LogReader {
    LogReader(daemon.take_stderr().map(|mut stderr| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = stderr.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    }))
}
