//! Crash safety: `latchkeyd` is SIGKILLed at random moments during a long loop of adds, removes
//! and HOTP codes, restarted each time, and the vault must always open with every acknowledged
//! change present.
//!
//! A model tracks what the daemon acknowledged. An operation counts only once its D-Bus reply has
//! arrived; the one in flight when the daemon died is *uncertain* and may or may not be on disk.
//! After each restart the listing must match the model exactly, the uncertain operation being
//! allowed either way (and then folded in as observed). HOTP codes are checked against RFC 4226
//! and no counter that produced an acknowledged code may ever be offered again.
//!
//! Files: the vault and its `.bak` stay 0600 and the backup always opens; a kill may leave the
//! temp files of the write it cut short, and the next unlock must remove them.
//!
//! Knobs: `LATCHKEY_CRASH_ROUNDS` (default 200), `LATCHKEY_CRASH_MIN_WRITES` (acknowledged adds
//! and removes to reach, default 200: rounds go on until then) and `LATCHKEY_CRASH_SEED` (printed
//! on every run and in every failure, so a failing run can be replayed).
//!
//! Calls go to the daemon's *unique* bus name, never to `org.latchkey.Latchkey1`: a call to the
//! well-known name after a kill would make the bus activate a daemon behind the test's back.

use anyhow::{Context, Result, anyhow, bail, ensure};
use latchkey_dbus::testing::{DaemonProcess, TestBus};
use latchkey_dbus::{AccountInfo, BUS_NAME, ERROR_PREFIX, VaultProxy};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use zbus::proxy::CacheProperties;

/// Restart rounds unless `LATCHKEY_CRASH_ROUNDS` says otherwise.
const DEFAULT_ROUNDS: usize = 200;
/// Rounds go on past the count until this many adds and removes were acknowledged
/// (`LATCHKEY_CRASH_MIN_WRITES`), however slow the disk; at most `EXTRA_ROUNDS_FACTOR` times as many.
const DEFAULT_MIN_WRITES: usize = 200;
const EXTRA_ROUNDS_FACTOR: usize = 3;
const PASSPHRASE: &str = "crash-safety passphrase";
/// Most kills land up to this long after the first operation of a round starts (a few writes)...
const SHORT_KILL_DELAY: Duration = Duration::from_millis(30);
/// ...and the rest up to this long, so some rounds build longer chains of acknowledged writes.
const LONG_KILL_DELAY: Duration = Duration::from_millis(200);
/// Share of rounds with a long delay.
const LONG_ROUNDS: f64 = 0.4;
/// Share of rounds whose kill is aimed at the unlock instead of the operations.
const KILL_DURING_UNLOCK: f64 = 0.1;
/// Above this many accounts removes are favoured, so vault writes stay small and fast.
const SOFT_MAX_ACCOUNTS: usize = 24;
/// A round whose operations run this long without the kill landing is a broken test.
const ROUND_LIMIT: Duration = Duration::from_secs(10);
/// Every account the test adds has this issuer; its `account` label is unique and names it.
const ISSUER: &str = "CrashTest";
/// Label of the HOTP account whose counter the rounds advance.
const HOTP_LABEL: &str = "hotp-counter";
/// RFC 4226 appendix D: the secret "12345678901234567890" and its codes for counters 0 to 9.
const RFC4226_SECRET: &[u8] = b"12345678901234567890";
const RFC4226_CODES: [&str; 10] = [
    "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871",
    "520489",
];

#[test]
fn sigkill_at_random_moments_never_loses_an_acknowledged_change() -> Result<()> {
    let rounds = env_number("LATCHKEY_CRASH_ROUNDS", DEFAULT_ROUNDS)?;
    let min_writes = env_number("LATCHKEY_CRASH_MIN_WRITES", DEFAULT_MIN_WRITES)?;
    let seed = match std::env::var("LATCHKEY_CRASH_SEED") {
        Ok(v) => v.parse().context("LATCHKEY_CRASH_SEED must be a u64")?,
        Err(_) => rand::random::<u64>(),
    };
    println!(
        "crash safety: {rounds} rounds, at least {min_writes} acknowledged adds and removes, \
         seed {seed} (replay with LATCHKEY_CRASH_SEED={seed})"
    );
    let hotp = Hotp::new()?;
    let daemon_bin = Path::new(env!("CARGO_BIN_EXE_latchkeyd"));
    let bus = TestBus::start(daemon_bin).context("starting a private dbus-daemon")?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("building the tokio runtime")?;
    let conn = rt
        .block_on(zbus::connection::Builder::address(bus.address())?.build())
        .context("connecting to the private bus")?;
    let mut run = Run {
        bus: &bus,
        daemon_bin,
        rt: &rt,
        conn,
        hotp,
        rng: StdRng::seed_from_u64(seed),
        model: Model::default(),
        stats: Stats::default(),
        unlock_time: Duration::from_millis(5),
        last_log: String::new(),
    };
    let started = Instant::now();
    let outcome = run.all(rounds, min_writes);
    let elapsed = started.elapsed();
    if let Err(e) = outcome {
        eprintln!(
            "---- log of the last daemon ----\n{}\n-------------------------------",
            run.last_log
        );
        return Err(e.context(format!(
            "crash safety failed (seed {seed}; replay with LATCHKEY_CRASH_SEED={seed})"
        )));
    }
    run.stats.report(elapsed, seed);
    ensure!(
        run.stats.adds + run.stats.removes >= min_writes,
        "only {} adds and removes were acknowledged in {} rounds",
        run.stats.adds + run.stats.removes,
        run.stats.rounds
    );
    Ok(())
}

fn env_number(name: &str, default: usize) -> Result<usize> {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .with_context(|| format!("{name} must be a number")),
        Err(_) => Ok(default),
    }
}

/// One test run: the bus, the client connection, the model and the figures.
struct Run<'a> {
    bus: &'a TestBus,
    daemon_bin: &'a Path,
    rt: &'a tokio::runtime::Runtime,
    conn: zbus::Connection,
    hotp: Hotp,
    rng: StdRng,
    model: Model,
    stats: Stats,
    /// Running estimate of how long an unlock takes, to aim kills at it.
    unlock_time: Duration,
    /// Log of the most recent daemon, shown if the test fails.
    last_log: String,
}

/// Where a round's kill is aimed.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Aim {
    /// `delay` after the unlock call is sent.
    Unlock,
    /// `delay` after the first operation is sent.
    Operations,
}

impl Run<'_> {
    fn all(&mut self, rounds: usize, min_writes: usize) -> Result<()> {
        self.setup().context("setting up the vault")?;
        let mut round = 0;
        while round < rounds
            || (self.stats.adds + self.stats.removes < min_writes
                && round < rounds * EXTRA_ROUNDS_FACTOR)
        {
            round += 1;
            self.round(round)
                .with_context(|| format!("round {round} ({rounds} planned)"))?;
            self.stats.rounds = round;
        }
        self.final_check()
            .context("final check after the last round")
    }

    /// Creates the vault and the HOTP account, then stops the daemon cleanly.
    fn setup(&mut self) -> Result<()> {
        let daemon = self.spawn()?;
        let proxy = self.rt.block_on(self.proxy())?;
        self.rt
            .block_on(proxy.create(PASSPHRASE))
            .context("Create")?;
        let secret = data_encoding::BASE32_NOPAD.encode(RFC4226_SECRET);
        let id = self
            .rt
            .block_on(proxy.add_account(ISSUER, HOTP_LABEL, &secret, "hotp", "sha1", 6, 0, 0))
            .context("adding the HOTP account")?;
        self.model.accounts.insert(
            HOTP_LABEL.into(),
            Expected {
                id: Some(id),
                kind: "hotp",
                algorithm: "sha1",
                digits: 6,
                period: 0,
                counter: Some(0),
            },
        );
        drop(proxy);
        self.stop_cleanly(daemon)
    }

    /// Start, unlock, verify, operate until the kill, then check the files the kill left.
    fn round(&mut self, round: usize) -> Result<()> {
        let mut daemon = self.spawn()?;
        let log = spawn_log_reader(&mut daemon);
        let aim = if self.rng.gen_bool(KILL_DURING_UNLOCK) {
            Aim::Unlock
        } else {
            Aim::Operations
        };
        let delay = match aim {
            Aim::Unlock => self.unlock_time.mul_f64(self.rng.r#gen()),
            Aim::Operations if self.rng.gen_bool(LONG_ROUNDS) => {
                SHORT_KILL_DELAY + (LONG_KILL_DELAY - SHORT_KILL_DELAY).mul_f64(self.rng.r#gen())
            }
            Aim::Operations => SHORT_KILL_DELAY.mul_f64(self.rng.r#gen()),
        };
        let (start_tx, killer) = spawn_killer(daemon, delay);
        let rt = self.rt;
        let result = rt.block_on(self.live(round, aim, &start_tx, &killer.fired));
        // Dropping the sender makes the killer fire at once if it never got its start signal.
        drop(start_tx);
        let killed = killer.join();
        self.last_log = log.join();
        let phase = result?;
        ensure!(killed, "the daemon was not killed");
        match phase {
            Phase::Unlock => self.stats.killed_in_unlock += 1,
            Phase::Verify => self.stats.killed_in_verify += 1,
            Phase::Operations => {}
        }
        self.check_files()
    }

    /// The part of a round that talks to the live daemon; returns where the kill landed.
    async fn live(
        &mut self,
        round: usize,
        aim: Aim,
        start: &mpsc::Sender<Instant>,
        fired: &AtomicBool,
    ) -> Result<Phase> {
        let proxy = self.proxy().await?;
        if aim == Aim::Unlock {
            let _ = start.send(Instant::now());
        }
        let t = Instant::now();
        match proxy.unlock(PASSPHRASE).await {
            Ok(()) => {
                // Smooth the estimate so kills aimed at the unlock keep landing inside it.
                self.unlock_time = (self.unlock_time * 3 + t.elapsed()) / 4;
            }
            Err(e) if died(&e, fired) => return Ok(Phase::Unlock),
            Err(e) => bail!("the vault failed to open: {e}"),
        }
        let listed = match proxy.list_accounts().await {
            Ok(listed) => listed,
            Err(e) if died(&e, fired) => return Ok(Phase::Verify),
            Err(e) => bail!("ListAccounts after unlock: {e}"),
        };
        let resolved = self
            .model
            .verify(&listed)
            .context("after restart and unlock")?;
        self.stats.resolved(resolved);
        // Unlocking removes what earlier kills left; no write is under way until the first op.
        let (temps, backup_temps) = self.leftovers()?;
        ensure!(
            temps + backup_temps == 0,
            "{temps} temp and {backup_temps} backup-temp files are still there after unlock"
        );
        if aim == Aim::Operations {
            let _ = start.send(Instant::now());
        }
        let began = Instant::now();
        for n in 0.. {
            ensure!(
                began.elapsed() < ROUND_LIMIT,
                "{n} operations ran and the daemon was never killed"
            );
            if self.rng.gen_bool(0.2) {
                // A pause, so some kills land between writes rather than inside one.
                let pause = Duration::from_micros(self.rng.gen_range(0..1500));
                tokio::time::sleep(pause).await;
            }
            let op = self.model.pick(&mut self.rng, round, n);
            self.model.pending = Some(op.clone());
            match self.perform(&proxy, &op).await {
                Ok(()) => {
                    self.model.pending = None;
                    self.stats.acknowledged(&op);
                }
                Err(OpFailure::Call(e)) if died(&e, fired) => {
                    self.stats.uncertain += 1;
                    return Ok(Phase::Operations);
                }
                Err(OpFailure::Call(e)) => bail!("{op:?} failed while the daemon was alive: {e}"),
                Err(OpFailure::Check(e)) => return Err(e.context(format!("{op:?}"))),
            }
        }
        unreachable!("the operation loop only ends by returning")
    }

    /// Sends one operation and folds its acknowledged result into the model.
    async fn perform(&mut self, proxy: &VaultProxy<'_>, op: &Op) -> Result<(), OpFailure> {
        match op {
            Op::AddUri {
                label,
                uri,
                expected,
            } => {
                let id = proxy.add_uri(uri).await?;
                self.model.added(label, expected, id);
            }
            Op::AddFields {
                label,
                secret,
                expected,
            } => {
                let e = expected;
                let id = proxy
                    .add_account(
                        ISSUER,
                        label,
                        secret,
                        e.kind,
                        e.algorithm,
                        e.digits,
                        e.period,
                        e.counter.unwrap_or(0),
                    )
                    .await?;
                self.model.added(label, expected, id);
            }
            Op::Remove { label, id } => {
                proxy.remove_account(id).await?;
                self.model.accounts.remove(label);
                self.model.removed.insert(label.clone());
            }
            Op::HotpCode { id, used } => {
                let (code, from, until) = proxy.get_code(id).await?;
                self.model
                    .hotp_acknowledged(*used, &code, (from, until), &self.hotp)
                    .map_err(OpFailure::Check)?;
            }
        }
        Ok(())
    }

    /// Checks the vault directory while no daemon runs: modes, backup, leftovers of one write.
    fn check_files(&mut self) -> Result<()> {
        let vault = self.bus.vault_path();
        let backup = PathBuf::from(format!("{}.bak", vault.display()));
        let m = mode(&vault)?;
        ensure!(m == 0o600, "the vault has mode {m:o}");
        if backup.exists() {
            let m = mode(&backup)?;
            ensure!(m == 0o600, "the backup has mode {m:o}");
            // The previous version must be a complete vault too: recovery is one `mv` away.
            latchkeyd::vault::Store::new(backup.clone())
                .unlock(PASSPHRASE.as_bytes())
                .map_err(|e| anyhow!("the backup does not open: {e}"))?;
        }
        // The last unlock removed older leftovers, so only the write the kill cut short remains.
        let (temps, backup_temps) = self.leftovers()?;
        ensure!(
            temps <= 1 && backup_temps <= 1,
            "{temps} temp and {backup_temps} backup-temp files pile up next to the vault"
        );
        self.stats.leftovers += temps + backup_temps;
        Ok(())
    }

    /// Counts the store's temp files next to the vault (`.tmp-`, `.bak-tmp-`), checking that
    /// nothing else is there and that every file is private.
    fn leftovers(&self) -> Result<(usize, usize)> {
        let vault = self.bus.vault_path();
        let dir = vault.parent().context("the vault path has a directory")?;
        let name = file_name(&vault)?;
        let (mut temps, mut backup_temps) = (0, 0);
        for entry in std::fs::read_dir(dir).context("listing the vault directory")? {
            let entry = entry.context("reading the vault directory")?;
            let entry_name = entry.file_name().to_string_lossy().into_owned();
            if entry_name == name || entry_name == format!("{name}.bak") {
                continue;
            }
            // The automatic backups' folder (docs/backups.md) lives beside the vault.
            if entry_name == "backups" && entry.path().is_dir() {
                continue;
            }
            match temp_kind(&entry_name, &name) {
                Some(TempKind::Content) => temps += 1,
                Some(TempKind::Backup) => backup_temps += 1,
                None => bail!("unexpected file {entry_name} next to the vault"),
            }
            let m = mode(&entry.path())?;
            ensure!(m == 0o600, "leftover {entry_name} has mode {m:o}");
        }
        Ok((temps, backup_temps))
    }

    /// After the last kill: one more restart whose listing must match, then a clean stop.
    fn final_check(&mut self) -> Result<()> {
        let daemon = self.spawn()?;
        let rt = self.rt;
        rt.block_on(async {
            let proxy = self.proxy().await?;
            proxy.unlock(PASSPHRASE).await.context("final unlock")?;
            let listed = proxy.list_accounts().await.context("final listing")?;
            let resolved = self.model.verify(&listed)?;
            self.stats.resolved(resolved);
            ensure!(
                self.leftovers()? == (0, 0),
                "temp files survived the final unlock"
            );
            anyhow::Ok(())
        })?;
        self.stop_cleanly(daemon)?;
        self.check_files()
    }

    /// Starts a daemon once the previous one has left the bus, and checks it owns the name.
    fn spawn(&self) -> Result<DaemonProcess> {
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
    async fn proxy(&self) -> Result<VaultProxy<'static>> {
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

    fn stop_cleanly(&self, daemon: DaemonProcess) -> Result<()> {
        let (status, log) = daemon.stop().context("stopping latchkeyd")?;
        ensure!(status.success(), "latchkeyd exited with {status}:\n{log}");
        Ok(())
    }
}

/// Why an operation did not go through.
enum OpFailure {
    /// The call failed (the daemon answered with an error, or is gone).
    Call(zbus::Error),
    /// The daemon answered, and the answer is wrong.
    Check(anyhow::Error),
}

impl From<zbus::Error> for OpFailure {
    fn from(e: zbus::Error) -> Self {
        OpFailure::Call(e)
    }
}

/// Where a round's kill landed.
enum Phase {
    Unlock,
    Verify,
    Operations,
}

/// Whether a call failed because the daemon was killed (and not with an answer of its own).
fn died(e: &zbus::Error, fired: &AtomicBool) -> bool {
    let answered =
        matches!(e, zbus::Error::MethodError(name, _, _) if name.starts_with(ERROR_PREFIX));
    fired.load(Ordering::SeqCst) && !answered
}

/// What the daemon should hold for one account (its `account` label is the model's key).
#[derive(Debug, Clone, PartialEq)]
struct Expected {
    /// Known once an add was acknowledged, or seen after an uncertain add.
    id: Option<String>,
    kind: &'static str,
    algorithm: &'static str,
    digits: u32,
    period: u32,
    counter: Option<u64>,
}

/// One operation, with everything needed to judge its outcome either way.
#[derive(Debug, Clone)]
enum Op {
    AddUri {
        label: String,
        uri: String,
        expected: Expected,
    },
    AddFields {
        label: String,
        secret: String,
        expected: Expected,
    },
    Remove {
        label: String,
        id: String,
    },
    /// GetCode on the HOTP account, whose counter is `used` before the call.
    HotpCode {
        id: String,
        used: u64,
    },
}

/// What the daemon has acknowledged, plus the one operation whose fate is unknown.
#[derive(Default)]
struct Model {
    /// Accounts that must be present, by label.
    accounts: BTreeMap<String, Expected>,
    /// Labels whose removal was acknowledged (or observed): they must never come back.
    removed: BTreeSet<String>,
    /// The operation in flight; still set after a kill until the next listing resolves it.
    pending: Option<Op>,
    /// Counters of the HOTP codes the daemon handed out, with the codes.
    hotp_issued: BTreeMap<u64, String>,
}

/// How an uncertain operation turned out.
#[derive(Debug, Clone, Copy)]
enum Resolved {
    None,
    Applied,
    NotApplied,
}

impl Model {
    fn hotp_counter(&self) -> u64 {
        self.accounts
            .get(HOTP_LABEL)
            .and_then(|e| e.counter)
            .unwrap_or(0)
    }

    /// Picks a random valid operation for the current (exact) model.
    fn pick(&self, rng: &mut StdRng, round: usize, n: usize) -> Op {
        let removable: Vec<(&String, &Expected)> = self
            .accounts
            .iter()
            .filter(|(label, _)| label.as_str() != HOTP_LABEL)
            .collect();
        let remove_weight = match removable.len() {
            0 => 0.0,
            k if k > SOFT_MAX_ACCOUNTS => 0.6,
            _ => 0.3,
        };
        let roll: f64 = rng.gen_range(0.0..1.0);
        if roll < 0.2 {
            let hotp = &self.accounts[HOTP_LABEL];
            return Op::HotpCode {
                id: hotp.id.clone().unwrap_or_default(),
                used: self.hotp_counter(),
            };
        }
        if roll < 0.2 + remove_weight {
            let (label, e) = removable[rng.gen_range(0..removable.len())];
            return Op::Remove {
                label: label.clone(),
                id: e.id.clone().unwrap_or_default(),
            };
        }
        let label = format!("r{round}-op{n}");
        let secret_len = rng.gen_range(10..=40);
        let secret_bytes: Vec<u8> = (0..secret_len).map(|_| rng.r#gen()).collect();
        let secret = data_encoding::BASE32_NOPAD.encode(&secret_bytes);
        let hotp = rng.gen_bool(0.25);
        let algorithm = ["sha1", "sha256", "sha512"][rng.gen_range(0..3)];
        let expected = Expected {
            id: None,
            kind: if hotp { "hotp" } else { "totp" },
            algorithm,
            digits: rng.gen_range(6..=8),
            period: if hotp {
                0
            } else {
                [15, 30, 60][rng.gen_range(0..3)]
            },
            counter: hotp.then(|| rng.gen_range(0..1_000_000)),
        };
        if rng.gen_bool(0.5) {
            let mut uri = format!(
                "otpauth://{}/{ISSUER}:{label}?secret={secret}&issuer={ISSUER}&algorithm={}&digits={}",
                expected.kind,
                expected.algorithm.to_ascii_uppercase(),
                expected.digits
            );
            match expected.counter {
                Some(c) => uri.push_str(&format!("&counter={c}")),
                None => uri.push_str(&format!("&period={}", expected.period)),
            }
            Op::AddUri {
                label,
                uri,
                expected,
            }
        } else {
            Op::AddFields {
                label,
                secret,
                expected,
            }
        }
    }

    fn added(&mut self, label: &str, expected: &Expected, id: String) {
        let mut e = expected.clone();
        e.id = Some(id);
        self.accounts.insert(label.to_string(), e);
    }

    /// An acknowledged HOTP code: right for its counter, and that counter never used before.
    fn hotp_acknowledged(
        &mut self,
        used: u64,
        code: &str,
        window: (u64, u64),
        hotp: &Hotp,
    ) -> Result<()> {
        ensure!(window == (0, 0), "a HOTP code came with window {window:?}");
        let want = hotp.code(used);
        ensure!(
            code == want,
            "HOTP code {code} for counter {used}, RFC 4226 gives {want}"
        );
        if let Some(before) = self.hotp_issued.insert(used, code.to_string()) {
            bail!("HOTP counter {used} was used twice (code {before} re-issued)");
        }
        let hotp_account = self
            .accounts
            .get_mut(HOTP_LABEL)
            .context("the HOTP account is in the model")?;
        hotp_account.counter = Some(used + 1);
        Ok(())
    }

    /// Checks a fresh listing against the model, resolving the uncertain operation as observed.
    fn verify(&mut self, listed: &[AccountInfo]) -> Result<Resolved> {
        let mut by_label: HashMap<&str, &AccountInfo> = HashMap::new();
        for info in listed {
            ensure!(
                info.issuer == ISSUER,
                "account {} has issuer {:?}",
                info.id,
                info.issuer
            );
            if by_label.insert(info.account.as_str(), info).is_some() {
                bail!("two accounts are labelled {:?}", info.account);
            }
        }
        let resolved = match self.pending.take() {
            None => Resolved::None,
            Some(Op::AddUri {
                label, expected, ..
            })
            | Some(Op::AddFields {
                label, expected, ..
            }) => match by_label.get(label.as_str()) {
                Some(info) => {
                    self.added(&label, &expected, info.id.clone());
                    Resolved::Applied
                }
                None => Resolved::NotApplied,
            },
            Some(Op::Remove { label, .. }) => {
                if by_label.contains_key(label.as_str()) {
                    Resolved::NotApplied
                } else {
                    self.accounts.remove(&label);
                    self.removed.insert(label);
                    Resolved::Applied
                }
            }
            Some(Op::HotpCode { used, .. }) => {
                let listed = by_label
                    .get(HOTP_LABEL)
                    .map(|info| counter_of(info))
                    .transpose()?
                    .flatten();
                let applied = listed == Some(used + 1);
                ensure!(
                    applied || listed == Some(used),
                    "the HOTP counter is {listed:?} after a GetCode at counter {used} was cut short"
                );
                if applied {
                    // The code was never seen, so this counter is burnt rather than issued.
                    if let Some(e) = self.accounts.get_mut(HOTP_LABEL) {
                        e.counter = Some(used + 1);
                    }
                    Resolved::Applied
                } else {
                    Resolved::NotApplied
                }
            }
        };
        for (label, want) in &self.accounts {
            let info = by_label
                .get(label.as_str())
                .with_context(|| format!("acknowledged account {label} ({want:?}) is missing"))?;
            let got = Expected {
                id: Some(info.id.clone()),
                kind: static_name(&info.kind),
                algorithm: static_name(&info.algorithm),
                digits: info.digits,
                period: info.period,
                counter: counter_of(info)?,
            };
            ensure!(
                got == *want,
                "account {label} is listed as {got:?}, expected {want:?}"
            );
        }
        for label in by_label.keys() {
            if self.removed.contains(*label) {
                bail!("account {label} is back after its removal was acknowledged");
            }
            ensure!(
                self.accounts.contains_key(*label),
                "account {label} was never acknowledged"
            );
        }
        let counter = self.hotp_counter();
        if let Some((&last, _)) = self.hotp_issued.last_key_value() {
            ensure!(
                counter > last,
                "the HOTP counter is {counter}, but counter {last} already produced a code"
            );
        }
        Ok(resolved)
    }
}

/// The `counter` entry of a HOTP account's `extra`, if any.
fn counter_of(info: &AccountInfo) -> Result<Option<u64>> {
    info.extra
        .get("counter")
        .map(|v| u64::try_from(&**v).with_context(|| format!("counter of {} is {v:?}", info.id)))
        .transpose()
}

/// Maps the names the daemon lists onto the model's static strings.
fn static_name(s: &str) -> &'static str {
    match s {
        "totp" => "totp",
        "hotp" => "hotp",
        "steam" => "steam",
        "sha1" => "sha1",
        "sha256" => "sha256",
        "sha512" => "sha512",
        _ => "<unknown>",
    }
}

/// An independent RFC 4226 generator for the HOTP account (totp-rs with a one-second step).
struct Hotp(totp_rs::TOTP);

impl Hotp {
    fn new() -> Result<Self> {
        let totp = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 0, 1, RFC4226_SECRET.to_vec())
            .map_err(|e| anyhow!("building the reference HOTP generator: {e}"))?;
        let hotp = Self(totp);
        for (counter, want) in RFC4226_CODES.iter().enumerate() {
            ensure!(
                hotp.code(counter as u64) == *want,
                "the reference generator disagrees with RFC 4226 at counter {counter}"
            );
        }
        Ok(hotp)
    }

    fn code(&self, counter: u64) -> String {
        self.0.generate(counter)
    }
}

/// The kill for one round: fires `delay` after the start signal (at once if the sender drops).
struct Killer {
    fired: Arc<AtomicBool>,
    handle: JoinHandle<()>,
}

impl Killer {
    /// Waits for the kill; the daemon is reaped by then. Returns whether it fired.
    fn join(self) -> bool {
        let joined = self.handle.join().is_ok();
        joined && self.fired.load(Ordering::SeqCst)
    }
}

/// Hands the daemon to a thread that SIGKILLs and reaps it; the PID is never reused meanwhile.
fn spawn_killer(daemon: DaemonProcess, delay: Duration) -> (mpsc::Sender<Instant>, Killer) {
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
struct LogReader(Option<JoinHandle<String>>);

impl LogReader {
    fn join(self) -> String {
        self.0
            .and_then(|h| h.join().ok())
            .unwrap_or_else(|| "<no log>".into())
    }
}

fn spawn_log_reader(daemon: &mut DaemonProcess) -> LogReader {
    LogReader(daemon.take_stderr().map(|mut stderr| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = stderr.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    }))
}

/// The two kinds of temp file the store writes next to the vault.
enum TempKind {
    /// `.<vault>.tmp-<16 hex>`: the new content before it is renamed into place.
    Content,
    /// `.<vault>.bak-tmp-<16 hex>`: a link to the old version before it becomes the backup.
    Backup,
}

/// Which of the store's temp names `entry` is for the vault called `vault`, if any.
fn temp_kind(entry: &str, vault: &str) -> Option<TempKind> {
    let rest = entry.strip_prefix(&format!(".{vault}"))?;
    let (kind, hex) = match rest.strip_prefix(".tmp-") {
        Some(hex) => (TempKind::Content, hex),
        None => (TempKind::Backup, rest.strip_prefix(".bak-tmp-")?),
    };
    let hex_ok = hex.len() == 16 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    hex_ok.then_some(kind)
}

fn file_name(path: &Path) -> Result<String> {
    Ok(path
        .file_name()
        .context("the vault path has a file name")?
        .to_string_lossy()
        .into_owned())
}

fn mode(path: &Path) -> Result<u32> {
    Ok(std::fs::metadata(path)
        .with_context(|| format!("stat {}", path.display()))?
        .permissions()
        .mode()
        & 0o777)
}

/// Figures for the final report.
#[derive(Default)]
struct Stats {
    rounds: usize,
    adds: usize,
    removes: usize,
    hotp_codes: usize,
    /// Operations in flight when the daemon died.
    uncertain: usize,
    uncertain_applied: usize,
    uncertain_not_applied: usize,
    killed_in_unlock: usize,
    killed_in_verify: usize,
    /// Temp files found after kills (each removed by the next unlock).
    leftovers: usize,
}

impl Stats {
    fn acknowledged(&mut self, op: &Op) {
        match op {
            Op::AddUri { .. } | Op::AddFields { .. } => self.adds += 1,
            Op::Remove { .. } => self.removes += 1,
            Op::HotpCode { .. } => self.hotp_codes += 1,
        }
    }

    fn resolved(&mut self, r: Resolved) {
        match r {
            Resolved::None => {}
            Resolved::Applied => self.uncertain_applied += 1,
            Resolved::NotApplied => self.uncertain_not_applied += 1,
        }
    }

    fn report(&self, elapsed: Duration, seed: u64) {
        let rounds = self.rounds;
        let acked = self.adds + self.removes + self.hotp_codes;
        println!(
            "crash safety: {rounds} rounds (seed {seed}) in {:.1} s\n  \
             acknowledged ops: {acked} ({} adds, {} removes, {} HOTP codes)\n  \
             kills mid-operation (uncertain ops): {} — applied {}, not applied {}\n  \
             kills during unlock: {}, during the post-unlock listing: {}\n  \
             temp files left by kills: {} (each removed by the next unlock)",
            elapsed.as_secs_f64(),
            self.adds,
            self.removes,
            self.hotp_codes,
            self.uncertain,
            self.uncertain_applied,
            self.uncertain_not_applied,
            self.killed_in_unlock,
            self.killed_in_verify,
            self.leftovers,
        );
    }
}
