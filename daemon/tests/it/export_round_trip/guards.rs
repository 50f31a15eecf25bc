//! What export refuses: callers who may not export or restore, and damaged exports, which
//! are refused and add nothing.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_is_guarded() {
    let d = Daemon::start(&[]).await;
    let (vault, backup) = (d.vault().await, d.backup().await);
    vault.create(PASS).await.expect("create");
    fill(&vault).await;
    let err = |e: zbus::Error| Error::from(e);
    let e = err(backup
        .export("aegis", "wrong", false)
        .await
        .expect_err("bad"));
    assert!(matches!(e, Error::BadPassphrase(_)), "{e:?}");
    assert_eq!(
        vault.unlock_failures().await.expect("failures"),
        1,
        "throttled like unlock"
    );
    for (format, plaintext) in [
        ("uris", false),
        ("qr", false),
        ("latchkey", true),
        ("csv", true),
    ] {
        let e = err(backup
            .export(format, PASS, plaintext)
            .await
            .expect_err("refused"));
        assert!(matches!(e, Error::InvalidArgument(_)), "{format}: {e:?}");
    }
    let mut events = vault.receive_security_event().await.expect("subscribe");
    let uris = backup.export("uris", PASS, true).await.expect("export");
    let event = tokio::time::timeout(std::time::Duration::from_secs(5), events.next())
        .await
        .expect("SecurityEvent in time")
        .expect("signal");
    let args = event.args().expect("args");
    assert_eq!(args.event, "exported");
    let format = String::try_from(args.details["format"].try_clone().expect("clone"));
    assert_eq!(format.expect("string"), "uris");
    assert!(bool::try_from(&args.details["plaintext"]).expect("bool"));
    vault.lock().await.expect("lock");
    let e = err(backup
        .export("latchkey", PASS, false)
        .await
        .expect_err("locked"));
    assert!(matches!(e, Error::Locked(_)), "{e:?}");
    drop((vault, backup));
    let (_, log) = d.daemon.stop().expect("stop");
    assert!(
        log.contains("event=\"exported\""),
        "the export is journaled:\n{log}"
    );
    let seed = "JBSWY3DPEHPK3PXP";
    assert!(String::from_utf8_lossy(&uris).contains(seed));
    assert!(
        !log.contains(seed) && !log.contains(PASS),
        "no secret in the log:\n{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn third_party_callers_cannot_export_or_restore() {
    let d = Daemon::start(&[("LATCHKEY_TEST_TRUST_ALL_CALLERS", "0")]).await;
    let (vault, backup) = (d.vault().await, d.backup().await);
    vault.create(PASS).await.expect("create");
    fill(&vault).await;
    let e = Error::from(
        backup
            .export("latchkey", PASS, false)
            .await
            .expect_err("denied"),
    );
    assert!(matches!(e, Error::AccessDenied(_)), "{e:?}");
    let e = Error::from(backup.restore(b"LATCHKEY", PASS).await.expect_err("denied"));
    assert!(matches!(e, Error::AccessDenied(_)), "{e:?}");
    assert_eq!(vault.unlock_failures().await.expect("failures"), 0);
}

/// Damaged exports of each format are refused by import with an error naming the fault, and
/// add nothing to the vault.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damaged_exports_are_refused_and_add_nothing() {
    let d = Daemon::start(&[]).await;
    let (vault, backup) = (d.vault().await, d.backup().await);
    vault.create(PASS).await.expect("create");
    fill(&vault).await;
    let latchkey = backup
        .export("latchkey", PASS, false)
        .await
        .expect("latchkey");
    let aegis = backup.export("aegis", PASS, false).await.expect("aegis");
    let plain = backup.export("aegis", PASS, true).await.expect("plain");
    let uris = backup.export("uris", PASS, true).await.expect("uris");
    for a in vault.list_accounts().await.expect("list") {
        vault.remove_account(&a.id).await.expect("empty the vault");
    }
    let flip = |data: &[u8], at: usize| {
        let mut d = data.to_vec();
        d[at] ^= 0x01;
        d
    };
    // Flip a base64 character inside the encrypted Aegis database.
    let db_at = aegis
        .windows(7)
        .position(|w| w == b"\"db\": \"")
        .expect("db field")
        + 20;
    let mut aegis_db = aegis.clone();
    aegis_db[db_at] = if aegis_db[db_at] == b'A' { b'B' } else { b'A' };
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        (
            "latchkey flipped",
            flip(&latchkey, latchkey.len() / 2),
            PASS,
            "corrupted",
        ),
        (
            "latchkey truncated",
            latchkey[..latchkey.len() - 1].to_vec(),
            PASS,
            "corrupted",
        ),
        (
            "latchkey header cut",
            latchkey[..20].to_vec(),
            PASS,
            "corrupted",
        ),
        ("aegis db altered", aegis_db, PASS, "Aegis"),
        (
            "aegis truncated",
            aegis[..aegis.len() / 2].to_vec(),
            PASS,
            "Aegis",
        ),
        (
            "plain truncated",
            plain[..plain.len() - 10].to_vec(),
            "",
            "Aegis",
        ),
        (
            "uris bad line",
            [&uris[..], b"otpauth://totp/x?secret=!!\n"].concat(),
            "",
            "",
        ),
    ];
    for (what, data, pass, says) in cases {
        let result = vault.import(&data, "auto", pass, false).await;
        match result {
            Err(e) => {
                let e = Error::from(e);
                assert!(matches!(e, Error::InvalidArgument(_)), "{what}: {e:?}");
                assert!(e.message().contains(says), "{what}: {}", e.message());
            }
            Ok((added, _, failed, _)) => {
                assert!(!failed.is_empty(), "{what}: the bad entry is reported");
                assert!(
                    added
                        .iter()
                        .all(|a| { a.id.as_deref().expect("id").is_empty() }),
                    "{what}: nothing added"
                );
            }
        }
        assert_eq!(vault.account_count().await.expect("count"), 0, "{what}");
    }
    let e = Error::from(
        vault
            .import(&latchkey, "auto", "wrong", false)
            .await
            .expect_err("pass"),
    );
    assert!(matches!(e, Error::BadPassphrase(_)), "{e:?}");
    assert_eq!(vault.account_count().await.expect("count"), 0);
}

/// One account's secret, to move it to a phone: only after the passphrase (counted like an
/// unlock), only for Latchkey's own clients, journaled and announced, and equal to what the
/// account was made from.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_account_is_shown_only_after_the_passphrase() {
    let d = Daemon::start(&[]).await;
    let (vault, backup) = (d.vault().await, d.backup().await);
    vault.create(PASS).await.expect("create");
    fill(&vault).await;
    let bank = vault
        .list_accounts()
        .await
        .expect("list")
        .into_iter()
        .find(|a| a.issuer == "Bank")
        .expect("the Bank account")
        .id;
    let err = |e: zbus::Error| Error::from(e);
    let e = err(backup
        .export_account(&bank, "wrong")
        .await
        .expect_err("bad"));
    assert!(matches!(e, Error::BadPassphrase(_)), "{e:?}");
    assert_eq!(vault.unlock_failures().await.expect("failures"), 1);
    let e = err(backup
        .export_account("no-such-id", PASS)
        .await
        .expect_err("unknown"));
    assert!(matches!(e, Error::NotFound(_)), "{e:?}");
    let mut events = vault.receive_security_event().await.expect("subscribe");
    let uri = backup.export_account(&bank, PASS).await.expect("export");
    assert!(
        uri.starts_with("otpauth://totp/Bank:bob?")
            && uri.contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
            && uri.contains("algorithm=SHA256")
            && uri.contains("digits=8")
            && uri.contains("period=60"),
        "{uri}"
    );
    let event = tokio::time::timeout(std::time::Duration::from_secs(5), events.next())
        .await
        .expect("SecurityEvent in time")
        .expect("signal");
    let args = event.args().expect("args");
    assert_eq!(args.event, "exported");
    assert!(args.message.contains("Bank (bob)"), "{}", args.message);
    let id = String::try_from(args.details["account_id"].try_clone().expect("clone"));
    assert_eq!(id.expect("string"), bank);
    vault.lock().await.expect("lock");
    let e = err(backup
        .export_account(&bank, PASS)
        .await
        .expect_err("locked"));
    assert!(matches!(e, Error::Locked(_)), "{e:?}");
    drop((vault, backup));
    let (_, log) = d.daemon.stop().expect("stop");
    assert!(log.contains("event=\"exported\""), "journaled:\n{log}");
    assert!(
        !log.contains("GEZDGNBVGY3TQOJQ") && !log.contains(PASS),
        "no secret in the log:\n{log}"
    );

    // Another app is refused before any passphrase is looked at.
    let d = Daemon::start(&[("LATCHKEY_TEST_TRUST_ALL_CALLERS", "0")]).await;
    let (vault, backup) = (d.vault().await, d.backup().await);
    vault.create(PASS).await.expect("create");
    let id = add_bank_account(&vault).await;
    let e = err(backup.export_account(&id, PASS).await.expect_err("denied"));
    assert!(matches!(e, Error::AccessDenied(_)), "{e:?}");
    assert_eq!(vault.unlock_failures().await.expect("failures"), 0);
}
