//! What the benchmark runs against: a 10,000-account vault written through the library, client
//! connections and proxies, the KDF baseline, and a deterministic generator.

use super::{ACCOUNTS, PASSPHRASE};
use anyhow::{Context, Result};
use latchkey_dbus::testing::TestBus;
use latchkey_dbus::{BUS_NAME, OBJECT_PATH, VaultProxy};
use latchkeyd::accounts::{Account, Accounts};
use latchkeyd::otp::{Algorithm, Kind, OtpParams, Secret};
use latchkeyd::vault::{HeaderInfo, KdfParams, Store};
use std::time::{Duration, Instant};
use zbus::fdo::PeerProxy;
use zbus::proxy::CacheProperties;
use zeroize::Zeroizing;

/// Writes the benchmark vault into `bus`'s data directory and returns the account ids, the
/// store and its header. The library writes it: 10,000 AddAccount calls would fsync 10,000 times.
pub fn create_vault(bus: &TestBus) -> Result<(Vec<String>, Store, HeaderInfo)> {
    let kdf = KdfParams::interactive();
    let (ids, build) = build_accounts(ACCOUNTS);
    let store = Store::new(bus.vault_path());
    let started = Instant::now();
    let body = build.to_body();
    drop(
        store
            .create(PASSPHRASE.as_bytes(), kdf, &body, ACCOUNTS as u32)
            .context("cannot create the benchmark vault")?,
    );
    let created_in = started.elapsed();
    let header = store
        .inspect()
        .context("cannot read back the vault header")?;
    let file_len = std::fs::metadata(store.path())
        .context("cannot stat the vault")?
        .len();
    println!(
        "vault:    {} TOTP accounts, body {} KiB, file {} KiB, Argon2id m={} KiB t={} p={}, created in {:.0} ms",
        header.account_count,
        body.len() / 1024,
        file_len / 1024,
        header.kdf.m_cost,
        header.kdf.t_cost,
        header.kdf.p_cost,
        super::report::ms(created_in)
    );
    Ok((ids, store, header))
}

/// Builds `n` TOTP accounts mixing algorithms, digits and periods; returns their ids too.
fn build_accounts(n: usize) -> (Vec<String>, Accounts) {
    let mut rng = SplitMix(0x5eed);
    let mut accounts = Accounts::default();
    let mut ids = Vec::with_capacity(n);
    let algorithms = [
        (Algorithm::Sha1, 20),
        (Algorithm::Sha256, 32),
        (Algorithm::Sha512, 64),
    ];
    let digits = [6u8, 6, 6, 7, 8, 10];
    let periods = [30u32, 30, 30, 60, 15, 90];
    for i in 0..n {
        let (algorithm, secret_len) = algorithms[i % algorithms.len()];
        let secret: Vec<u8> = (0..secret_len).map(|_| rng.next() as u8).collect();
        let params = OtpParams::new(
            Secret::from_bytes(secret),
            algorithm,
            digits[rng.below(digits.len())],
            Kind::Totp {
                period: periods[rng.below(periods.len())],
            },
        )
        .expect("the benchmark's parameters are all within the valid ranges");
        let id = uuid::Uuid::new_v4().to_string();
        ids.push(id.clone());
        accounts.push(Account {
            id,
            issuer: format!("Issuer {}", i % 997),
            account: format!("user{i}@example.com"),
            sites: Vec::new(),
            params,
        });
    }
    (ids, accounts)
}

/// One Argon2id derivation exactly as the vault's passphrase slot does it (same parameters,
/// 32-byte output, caller-owned zeroized working memory allocated per call).
pub fn kdf_once(p: KdfParams) -> Result<Duration> {
    let salt = [0x5au8; 32];
    let t = Instant::now();
    let params = argon2::Params::new(p.m_cost, p.t_cost, p.p_cost, Some(32))
        .map_err(|e| anyhow::anyhow!("argon2 refused the parameters: {e}"))?;
    let argon = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        params.clone(),
    );
    let mut kek = Zeroizing::new([0u8; 32]);
    let mut blocks = Zeroizing::new(vec![argon2::Block::default(); params.block_count()]);
    argon
        .hash_password_into_with_memory(
            PASSPHRASE.as_bytes(),
            &salt,
            kek.as_mut(),
            blocks.as_mut_slice(),
        )
        .map_err(|e| anyhow::anyhow!("argon2 failed: {e}"))?;
    drop(blocks);
    Ok(t.elapsed())
}

/// A client connection to the private bus.
pub async fn connect(bus: &TestBus) -> Result<zbus::Connection> {
    zbus::connection::Builder::address(bus.address())?
        .build()
        .await
        .context("cannot connect to the private bus")
}

/// A Vault proxy that asks the daemon for every property.
pub async fn vault_proxy(conn: &zbus::Connection) -> Result<VaultProxy<'static>> {
    Ok(VaultProxy::builder(conn)
        .cache_properties(CacheProperties::No)
        .build()
        .await?)
}

/// `org.freedesktop.DBus.Peer` on the daemon: the bare round trip every call costs.
pub async fn peer_proxy(conn: &zbus::Connection) -> Result<PeerProxy<'static>> {
    Ok(PeerProxy::builder(conn)
        .destination(BUS_NAME)?
        .path(OBJECT_PATH)?
        .build()
        .await?)
}

/// A small deterministic generator (SplitMix64), so runs pick the same accounts.
pub struct SplitMix(pub u64);

impl SplitMix {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}
