//! What the daemon acknowledged: the model every listing after a kill must match.

use super::*;

/// What the daemon should hold for one account (its `account` label is the model's key).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Expected {
    /// Known once an add was acknowledged, or seen after an uncertain add.
    pub(crate) id: Option<String>,
    pub(crate) kind: &'static str,
    pub(crate) algorithm: &'static str,
    pub(crate) digits: u32,
    pub(crate) period: u32,
    pub(crate) counter: Option<u64>,
}

/// One operation, with everything needed to judge its outcome either way.
#[derive(Debug, Clone)]
pub(crate) enum Op {
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
pub(crate) struct Model {
    /// Accounts that must be present, by label.
    pub(crate) accounts: BTreeMap<String, Expected>,
    /// Labels whose removal was acknowledged (or observed): they must never come back.
    pub(crate) removed: BTreeSet<String>,
    /// The operation in flight; still set after a kill until the next listing resolves it.
    pub(crate) pending: Option<Op>,
    /// Counters of the HOTP codes the daemon handed out, with the codes.
    pub(crate) hotp_issued: BTreeMap<u64, String>,
}

/// How an uncertain operation turned out.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Resolved {
    None,
    Applied,
    NotApplied,
}

impl Model {
    pub(crate) fn hotp_counter(&self) -> u64 {
        self.accounts
            .get(HOTP_LABEL)
            .and_then(|e| e.counter)
            .unwrap_or(0)
    }

    /// Picks a random valid operation for the current (exact) model.
    pub(crate) fn pick(&self, rng: &mut StdRng, round: usize, n: usize) -> Op {
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

    pub(crate) fn added(&mut self, label: &str, expected: &Expected, id: String) {
        let mut e = expected.clone();
        e.id = Some(id);
        self.accounts.insert(label.to_string(), e);
    }

    /// An acknowledged HOTP code: right for its counter, and that counter never used before.
    pub(crate) fn hotp_acknowledged(
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
    pub(crate) fn verify(&mut self, listed: &[AccountInfo]) -> Result<Resolved> {
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
                kind: static_name(info.kind.as_str()),
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
pub(crate) fn counter_of(info: &AccountInfo) -> Result<Option<u64>> {
    Ok(info.extra.counter)
}

/// Maps the names the daemon lists onto the model's static strings.
pub(crate) fn static_name(s: &str) -> &'static str {
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
