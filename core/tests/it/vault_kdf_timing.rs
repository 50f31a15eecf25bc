//! How long `KdfParams::interactive()` takes here; the figure quoted in docs/vault-format.md.
//!
//! Meaningful only in release builds:
//! `cargo test --release -p latchkey-core --test it vault_kdf_timing -- --ignored --nocapture`

use latchkey_core::vault::{KdfParams, Store};
use std::time::Instant;

#[test]
#[ignore = "timing measurement, run in release mode by hand"]
fn interactive_unlock_takes_about_half_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path().join("vault.latchkey"));
    let kdf = KdfParams::interactive();
    let start = Instant::now();
    store.create(b"passphrase", kdf, b"{}", 0).unwrap();
    eprintln!("{kdf:?}: create {:.3} s", start.elapsed().as_secs_f64());
    let mut times = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        store.unlock(b"passphrase").unwrap();
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    eprintln!(
        "unlock: min {:.3} s, median {:.3} s, max {:.3} s",
        times[0], times[2], times[4]
    );
}
