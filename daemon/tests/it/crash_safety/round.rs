//! One round: start the daemon, unlock, verify the listing, operate until the kill lands.

use super::*;

impl Run<'_> {
    /// Creates the vault and the HOTP account, then stops the daemon cleanly.
    pub(crate) fn setup(&mut self) -> Result<()> {
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
    pub(crate) fn round(&mut self, round: usize) -> Result<()> {
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
    pub(crate) async fn live(
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
    pub(crate) async fn perform(
        &mut self,
        proxy: &VaultProxy<'_>,
        op: &Op,
    ) -> Result<(), OpFailure> {
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
}

/// Why an operation did not go through.
pub(crate) enum OpFailure {
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
pub(crate) enum Phase {
    Unlock,
    Verify,
    Operations,
}

/// Whether a call failed because the daemon was killed (and not with an answer of its own).
pub(crate) fn died(e: &zbus::Error, fired: &AtomicBool) -> bool {
    let answered =
        matches!(e, zbus::Error::MethodError(name, _, _) if name.starts_with(ERROR_PREFIX));
    fired.load(Ordering::SeqCst) && !answered
}
