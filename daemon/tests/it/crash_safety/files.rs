//! The vault directory between daemons: modes, the backup, and what a cut-short write leaves.

use super::*;

impl Run<'_> {
    /// Checks the vault directory while no daemon runs: modes, backup, leftovers of one write.
    pub(crate) fn check_files(&mut self) -> Result<()> {
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
    pub(crate) fn leftovers(&self) -> Result<(usize, usize)> {
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
    pub(crate) fn final_check(&mut self) -> Result<()> {
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
}

/// The two kinds of temp file the store writes next to the vault.
pub(crate) enum TempKind {
    /// `.<vault>.tmp-<16 hex>`: the new content before it is renamed into place.
    Content,
    /// `.<vault>.bak-tmp-<16 hex>`: a link to the old version before it becomes the backup.
    Backup,
}

/// Which of the store's temp names `entry` is for the vault called `vault`, if any.
pub(crate) fn temp_kind(entry: &str, vault: &str) -> Option<TempKind> {
    let rest = entry.strip_prefix(&format!(".{vault}"))?;
    let (kind, hex) = match rest.strip_prefix(".tmp-") {
        Some(hex) => (TempKind::Content, hex),
        None => (TempKind::Backup, rest.strip_prefix(".bak-tmp-")?),
    };
    let hex_ok = hex.len() == 16 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    hex_ok.then_some(kind)
}

pub(crate) fn file_name(path: &Path) -> Result<String> {
    Ok(path
        .file_name()
        .context("the vault path has a file name")?
        .to_string_lossy()
        .into_owned())
}

pub(crate) fn mode(path: &Path) -> Result<u32> {
    Ok(std::fs::metadata(path)
        .with_context(|| format!("stat {}", path.display()))?
        .permissions()
        .mode()
        & 0o777)
}
