//! `add`, `list`, `remove`, `rename`, `sites`.

use super::{print_json, value_or_stdin};
use crate::args::{AddArgs, AlgorithmArg, RemoveArgs, RenameArgs, SitesArgs};
use crate::exit::CliError;
use latchkey_dbus::{AccountInfo, AccountKind, VaultProxy};
use std::collections::HashMap;
use zbus::zvariant::Value;

/// Adds an account from a URI or from fields and prints its id.
pub async fn add(vault: &VaultProxy<'_>, a: AddArgs) -> Result<(), CliError> {
    // A secret on the command line is readable by every process of the user in
    // /proc/PID/cmdline (and lands in shell history) while this runs.
    let in_argv =
        a.uri.as_deref().is_some_and(|u| u != "-") || a.secret.as_deref().is_some_and(|s| s != "-");
    if in_argv {
        eprintln!(
            "latchkey: warning: the secret was given on the command line, where other programs \
             (ps, /proc) and your shell history can read it; use \"-\" and pipe it on stdin instead"
        );
    }
    let id = if let Some(uri) = &a.uri {
        vault.add_uri(&value_or_stdin(uri)?).await?
    } else {
        let secret = a.secret.as_deref().ok_or_else(|| {
            CliError::new(
                crate::exit::USAGE,
                "give an otpauth:// URI, or --secret with --issuer/--account",
            )
        })?;
        let secret = value_or_stdin(secret)?;
        let kind = if a.hotp {
            "hotp"
        } else if a.steam {
            "steam"
        } else {
            "totp"
        };
        let algorithm = match a.algorithm {
            AlgorithmArg::Sha1 => "sha1",
            AlgorithmArg::Sha256 => "sha256",
            AlgorithmArg::Sha512 => "sha512",
        };
        let issuer = a.issuer.unwrap_or_default();
        let account = a.account.unwrap_or_default();
        vault
            .add_account(
                &issuer, &account, &secret, kind, algorithm, a.digits, a.period, a.counter,
            )
            .await?
    };
    if a.json {
        print_json(&serde_json::json!({ "id": id }));
    } else {
        println!("{id}");
    }
    Ok(())
}

/// JSON form of an account's metadata, as `list --json` prints it.
pub fn account_json(a: &AccountInfo) -> serde_json::Value {
    let mut v = serde_json::json!({
        "id": a.id,
        "issuer": a.issuer,
        "account": a.account,
        "kind": a.kind,
        "algorithm": a.algorithm,
        "digits": a.digits,
        "period": a.period,
    });
    if let Some(counter) = a.extra.counter {
        v["counter"] = counter.into();
    }
    if let Some(sites) = &a.extra.sites {
        v["sites"] = sites.clone().into();
    }
    if a.kind == AccountKind::Push {
        v["serial"] = a.account.clone().into();
        v["approval_only"] = true.into();
    }
    v
}

/// Lists accounts.
pub async fn list(vault: &VaultProxy<'_>, json: bool) -> Result<(), CliError> {
    let accounts = vault.list_accounts().await?;
    if json {
        print_json(&serde_json::Value::Array(
            accounts.iter().map(account_json).collect(),
        ));
        return Ok(());
    }
    if accounts.is_empty() {
        println!("No accounts yet: add one with `latchkey add otpauth://…`.");
    }
    for a in &accounts {
        if a.kind == AccountKind::Push {
            println!(
                "{}  {}  {}  [push token: sign-in approvals only, no codes]",
                a.id,
                display_issuer(a),
                a.account
            );
            continue;
        }
        let timing = if a.kind == AccountKind::Hotp {
            "counter".to_string()
        } else {
            format!("{}s", a.period)
        };
        println!(
            "{}  {}  {}  [{} {} {} digits {}]",
            a.id,
            display_issuer(a),
            a.account,
            a.kind,
            a.algorithm,
            a.digits,
            timing
        );
    }
    Ok(())
}

fn display_issuer(a: &AccountInfo) -> &str {
    if a.issuer.is_empty() { "-" } else { &a.issuer }
}

/// Removes an account after explicit confirmation.
pub async fn remove(vault: &VaultProxy<'_>, r: RemoveArgs) -> Result<(), CliError> {
    if !r.yes {
        return Err(CliError::new(
            crate::exit::USAGE,
            "removing an account cannot be undone: add --yes to confirm",
        ));
    }
    let push = vault.list_accounts().await.ok().and_then(|list| {
        list.into_iter()
            .find(|a| a.id == r.id && a.kind == AccountKind::Push)
    });
    vault.remove_account(&r.id).await?;
    eprintln!("Removed {}.", r.id);
    if let Some(p) = push {
        eprintln!(
            "This was push token {} ({}): Latchkey no longer answers its sign-in requests, \
             but the server still has it. Ask your administrator to delete token {} on the \
             privacyIDEA server (or delete it yourself in its web UI).",
            p.account,
            display_issuer(&p),
            p.account
        );
    }
    Ok(())
}

/// Changes the issuer and/or account name.
pub async fn rename(vault: &VaultProxy<'_>, r: RenameArgs) -> Result<(), CliError> {
    let mut changes: HashMap<&str, Value<'_>> = HashMap::new();
    if let Some(issuer) = &r.issuer {
        changes.insert("issuer", Value::from(issuer.as_str()));
    }
    if let Some(account) = &r.account {
        changes.insert("account", Value::from(account.as_str()));
    }
    vault.update_account(&r.id, changes).await?;
    eprintln!("Renamed {}.", r.id);
    Ok(())
}

/// Shows or changes the sites of an account. The daemon reads each site (host names, web
/// addresses) and refuses what is none; removing compares host names.
pub async fn sites(vault: &VaultProxy<'_>, s: SitesArgs) -> Result<(), CliError> {
    let account = vault
        .list_accounts()
        .await?
        .into_iter()
        .find(|a| a.id == s.id)
        .ok_or_else(|| CliError::new(crate::exit::NOT_FOUND, format!("no account {}", s.id)))?;
    let mut sites = account.extra.sites.clone().unwrap_or_default();
    let changing = s.clear || !s.add.is_empty() || !s.remove.is_empty();
    if changing {
        if s.clear {
            sites.clear();
        }
        for site in &s.remove {
            let host = host_of(site);
            let before = sites.len();
            sites.retain(|known| *known != host);
            if sites.len() == before {
                return Err(CliError::new(
                    crate::exit::USAGE,
                    format!(
                        "{host} is not one of the sites of {} (it has: {})",
                        s.id,
                        listed(&account.extra.sites.clone().unwrap_or_default())
                    ),
                ));
            }
        }
        sites.extend(s.add.iter().cloned());
        let list: Vec<&str> = sites.iter().map(String::as_str).collect();
        let changes = HashMap::from([("sites", Value::from(list))]);
        vault.update_account(&s.id, changes).await?;
        // Read back what the daemon kept (it writes sites as host names).
        sites = vault
            .list_accounts()
            .await?
            .into_iter()
            .find(|a| a.id == s.id)
            .and_then(|a| a.extra.sites)
            .unwrap_or_default();
    }
    if s.json {
        print_json(&serde_json::json!({ "id": s.id, "sites": sites }));
    } else if changing {
        eprintln!("Sites of {}: {}", s.id, listed(&sites));
    } else {
        for site in &sites {
            println!("{site}");
        }
        if sites.is_empty() {
            eprintln!(
                "{} has no sites: browser fill guesses from its issuer and asks you to confirm.",
                s.id
            );
        }
    }
    Ok(())
}

/// The host of a site as typed (`https://GitHub.com/login` → `github.com`), to find it in the
/// list the daemon keeps.
fn host_of(site: &str) -> String {
    let site = site.trim();
    let rest = site.split_once("://").map_or(site, |(_, rest)| rest);
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match host.strip_prefix('[') {
        Some(v6) => format!("[{}", v6.split(']').next().unwrap_or_default()) + "]",
        None => host.split(':').next().unwrap_or_default().to_string(),
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

fn listed(sites: &[String]) -> String {
    if sites.is_empty() {
        "none".to_string()
    } else {
        sites.join(", ")
    }
}
