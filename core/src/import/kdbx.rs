//! KeePass and KeePassXC databases (KDBX 3.1 and 4), opened with the `keepass` crate.
//!
//! Entries with a one-time password are imported: KeePassXC's `otp` attribute (an otpauth://
//! URI; KeePass 2.47+ and KeePassDX write the same), or KeePassXC's older `TOTP Seed` with
//! `TOTP Settings` (`PERIOD;DIGITS`, digits `S` for Steam). The entry's title is the issuer and
//! its user name the account when the URI names none. Entries in the recycle bin and entries
//! without an OTP are passed over and counted in a note. The entry's URL gives the account its
//! site (see `crate::sites::from_urls`); passwords and notes stay in KeePass.
//!
//! The key derivation's cost is read from the outer header (plain bytes) and checked before
//! the crate runs it: AES-KDF at most 100,000,000 rounds, Argon2 at most 1 GiB, 100 passes and
//! 8 GiB·passes. Key files and hardware keys are not supported; a password only.

use super::{Entries, EntryFault, ImportError, Imported, MAX_ENTRIES, entry_error};
use crate::otp::{Algorithm, Kind, OtpParams, Secret, parse_uri};
use keepass::db::GroupRef;
use keepass::{Database, DatabaseKey};

const APP: &str = "KeePass";
const MAX_AES_ROUNDS: u64 = 100_000_000;
const MAX_ARGON_MEMORY: u64 = 1 << 30;
const MAX_ARGON_PASSES: u64 = 100;
const MAX_ARGON_WORK: u64 = 8 << 30;

fn malformed(fault: impl Into<String>) -> ImportError {
    ImportError::malformed(APP, fault)
}

/// Reads the OTP entries of a KDBX database opened with `passphrase`.
pub fn parse(bytes: &[u8], passphrase: Option<&[u8]>) -> Result<Entries, ImportError> {
    check_cost(bytes)?;
    let passphrase = passphrase.ok_or(ImportError::PassphraseRequired(APP))?;
    let password = std::str::from_utf8(passphrase).map_err(|_| ImportError::BadPassphrase(APP))?;
    let db = Database::parse(bytes, DatabaseKey::new().with_password(password)).map_err(
        |e| match e {
            keepass::db::DatabaseOpenError::Key(_) => ImportError::BadPassphrase(APP),
            // A wrong key can also show as bad padding once the body is decrypted.
            keepass::db::DatabaseOpenError::Cryptography(_) => {
                ImportError::BadPassphraseOrCorrupted(APP)
            }
            e => malformed(format!("the database cannot be opened ({e})")),
        },
    )?;
    let recycle = db.meta.recyclebin_uuid;
    let mut found = Vec::new();
    let mut without = 0;
    walk(db.root(), recycle, &mut found, &mut without)?;
    let notes = if without > 0 {
        vec![format!(
            "{without} KeePass entr{} without a one-time password passed over",
            if without == 1 { "y" } else { "ies" }
        )]
    } else {
        vec![]
    };
    Ok((found, notes))
}

/// Collects the OTP entries of `group` and its subgroups, in the database's order.
fn walk(
    group: GroupRef<'_>,
    recycle: Option<uuid::Uuid>,
    found: &mut Vec<Result<Imported, super::EntryError>>,
    without: &mut usize,
) -> Result<(), ImportError> {
    if recycle.is_some_and(|r| r == group.id().uuid()) {
        return Ok(());
    }
    for entry in group.entries() {
        let title = entry.get_title().unwrap_or_default();
        let user = entry.get_username().unwrap_or_default();
        let otp = entry.get("otp");
        let seed = entry.get("TOTP Seed");
        if otp.is_none() && seed.is_none() {
            *without += 1;
            continue;
        }
        if found.len() >= MAX_ENTRIES {
            return Err(ImportError::TooManyEntries);
        }
        let position = found.len() + 1;
        let imported = match otp {
            Some(uri) => from_uri(uri, title, user),
            None => from_seed(
                seed.unwrap_or_default(),
                entry.get("TOTP Settings"),
                title,
                user,
            ),
        }
        .map(|i| Imported {
            sites: crate::sites::from_urls(entry.get_url()),
            ..i
        });
        found.push(imported.map_err(|f| entry_error(position, title, user, f)));
    }
    for child in group.groups() {
        walk(child, recycle, found, without)?;
    }
    Ok(())
}

fn from_uri(uri: &str, title: &str, user: &str) -> Result<Imported, EntryFault> {
    let uri = uri.trim();
    if !super::starts_with_ci(uri, "otpauth:") {
        // KeePass's own "otp" may hold a bare base32 secret.
        return from_seed(uri, None, title, user);
    }
    let u = parse_uri(uri)?;
    Ok(Imported {
        issuer: if u.issuer.is_empty() {
            title.to_string()
        } else {
            u.issuer
        },
        account: if u.account.is_empty() {
            user.to_string()
        } else {
            u.account
        },
        params: u.params,
        sites: Vec::new(),
    })
}

/// KeePassXC's legacy fields: a base32 seed and `PERIOD;DIGITS` (`S` digits: Steam).
fn from_seed(
    seed: &str,
    settings: Option<&str>,
    title: &str,
    user: &str,
) -> Result<Imported, EntryFault> {
    let secret = Secret::from_base32(seed)?;
    let (period, digits) = settings
        .and_then(|s| s.split_once(';'))
        .map_or(("30", "6"), |(p, d)| (p.trim(), d.trim()));
    let period: u32 = period
        .parse()
        .map_err(|_| EntryFault::Period(i64::from(u32::MAX)))?;
    let params = if digits.eq_ignore_ascii_case("S") {
        OtpParams::new(
            secret,
            Algorithm::Sha1,
            crate::otp::STEAM_DIGITS,
            Kind::Steam,
        )?
    } else {
        let digits: u8 = digits
            .parse()
            .map_err(|_| EntryFault::Digits(super::echo(digits)))?;
        OtpParams::new(secret, Algorithm::Sha1, digits, Kind::Totp { period })?
    };
    Ok(Imported {
        issuer: title.to_string(),
        account: user.to_string(),
        params,
        sites: Vec::new(),
    })
}

/// Refuses a database whose key derivation would cost more than the bounds above.
fn check_cost(bytes: &[u8]) -> Result<(), ImportError> {
    let short = || malformed("the file ends inside its header");
    let head = bytes.get(..12).ok_or_else(short)?;
    if head[..8] != super::detect::KDBX_MAGIC {
        return Err(malformed("not a KDBX database"));
    }
    let major = u16::from_le_bytes([head[10], head[11]]);
    let wide = match major {
        3 => false,
        4 => true,
        _ => return Err(malformed(format!("unsupported KDBX version {major}"))),
    };
    let mut at = 12;
    loop {
        let id = *bytes.get(at).ok_or_else(short)?;
        let (len, start) = if wide {
            let b = bytes.get(at + 1..at + 5).ok_or_else(short)?;
            (
                u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize,
                at + 5,
            )
        } else {
            let b = bytes.get(at + 1..at + 3).ok_or_else(short)?;
            (u16::from_le_bytes([b[0], b[1]]) as usize, at + 3)
        };
        let value = bytes
            .get(start..start.saturating_add(len))
            .ok_or_else(short)?;
        match (id, wide) {
            (0, _) => return Ok(()),
            (6, false) => {
                let rounds = le_u64(value).ok_or_else(|| malformed("bad transform rounds"))?;
                aes_rounds(rounds)?;
            }
            (11, true) => kdf_parameters(value)?,
            _ => {}
        }
        at = start + len;
    }
}

fn le_u64(b: &[u8]) -> Option<u64> {
    Some(u64::from_le_bytes(b.try_into().ok()?))
}

fn aes_rounds(rounds: u64) -> Result<(), ImportError> {
    if rounds > MAX_AES_ROUNDS {
        return Err(ImportError::KdfParams {
            format: APP,
            detail: format!("{rounds} AES-KDF rounds, at most {MAX_AES_ROUNDS}"),
        });
    }
    Ok(())
}

/// KDBX 4's KDF parameters: a variant dictionary (`$UUID`, `R`, or `M`, `I`, `P`).
fn kdf_parameters(dict: &[u8]) -> Result<(), ImportError> {
    let bad = || malformed("the KDF parameters are not readable");
    let mut at = 2; // version
    let (mut memory, mut passes, mut lanes) = (0u64, 0u64, 0u64);
    loop {
        let kind = *dict.get(at).ok_or_else(bad)?;
        if kind == 0 {
            break;
        }
        let len = |from: usize| -> Result<usize, ImportError> {
            let b = dict.get(from..from + 4).ok_or_else(bad)?;
            Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        };
        let key_len = len(at + 1)?;
        let key = dict.get(at + 5..at + 5 + key_len).ok_or_else(bad)?;
        let value_at = at + 5 + key_len;
        let value_len = len(value_at)?;
        let value = dict
            .get(value_at + 4..value_at + 4 + value_len)
            .ok_or_else(bad)?;
        let number = match value.len() {
            4 => u64::from(u32::from_le_bytes(value.try_into().map_err(|_| bad())?)),
            8 => le_u64(value).ok_or_else(bad)?,
            _ => 0,
        };
        match key {
            b"R" => aes_rounds(number)?,
            b"M" => memory = number,
            b"I" => passes = number,
            b"P" => lanes = number,
            _ => {}
        }
        at = value_at + 4 + value_len;
    }
    if memory > MAX_ARGON_MEMORY
        || passes > MAX_ARGON_PASSES
        || lanes > 64
        || memory.saturating_mul(passes) > MAX_ARGON_WORK
    {
        return Err(ImportError::KdfParams {
            format: APP,
            detail: format!(
                "Argon2 with {} MiB, {passes} passes and {lanes} lanes",
                memory >> 20
            ),
        });
    }
    Ok(())
}
