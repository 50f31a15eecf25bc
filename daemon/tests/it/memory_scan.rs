//! Memory hygiene: the daemon's memory holds the known seeds while unlocked (proving the scan
//! works) and none of them, raw or base32, once locked.

use latchkey_dbus::testing::TestBus;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// Every writable mapping of `pid` (heap, stacks, anonymous memory), concatenated per region.
fn writable_memory(pid: u32) -> Vec<Vec<u8>> {
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).expect("maps");
    let mut mem = std::fs::File::open(format!("/proc/{pid}/mem")).unwrap_or_else(|e| {
        panic!("cannot open /proc/{pid}/mem ({e}): this test needs CAP_SYS_PTRACE (run as root), since latchkeyd is not dumpable")
    });
    let mut regions = Vec::new();
    for line in maps.lines() {
        let mut fields = line.split_whitespace();
        let (Some(range), Some(perms)) = (fields.next(), fields.next()) else {
            continue;
        };
        if !perms.starts_with("rw") || line.contains("[vvar]") {
            continue;
        }
        let Some((a, b)) = range.split_once('-') else {
            continue;
        };
        let (a, b) = (
            u64::from_str_radix(a, 16).expect("hex"),
            u64::from_str_radix(b, 16).expect("hex"),
        );
        let mut buf = vec![0u8; (b - a) as usize];
        if mem.seek(SeekFrom::Start(a)).is_ok() && mem.read_exact(&mut buf).is_ok() {
            regions.push(buf);
        }
    }
    assert!(!regions.is_empty(), "read no memory of {pid}");
    regions
}

/// `VmLck` of `pid` in kB: memory the process has mlocked.
fn locked_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmLck:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kb| kb.parse().ok())
        .expect("VmLck line")
}

fn count(regions: &[Vec<u8>], needle: &[u8]) -> usize {
    regions
        .iter()
        .map(|r| r.windows(needle.len()).filter(|w| *w == needle).count())
        .sum()
}

#[test]
fn locking_wipes_seeds_from_daemon_memory() {
    let bin = Path::new(env!("CARGO_BIN_EXE_latchkeyd"));
    let bus = TestBus::start(bin).expect("bus");
    let daemon = bus.spawn_daemon(bin).expect("daemon");
    bus.call(
        "org.latchkey.Latchkey1.Vault.Create",
        &["string:memory test passphrase"],
    )
    .expect("create");

    // Distinctive random seeds, added both ways a client can (URI and fields), then used.
    let seeds: Vec<Vec<u8>> = (0..4)
        .map(|_| (0..20).map(|_| rand_byte()).collect())
        .collect();
    let b32: Vec<String> = seeds
        .iter()
        .map(|s| data_encoding::BASE32_NOPAD.encode(s))
        .collect();
    let mut ids = Vec::new();
    for (i, secret) in b32.iter().enumerate() {
        let out = if i % 2 == 0 {
            bus.call(
                "org.latchkey.Latchkey1.Vault.AddUri",
                &[&format!(
                    "string:otpauth://totp/Mem:acct{i}?secret={secret}"
                )],
            )
        } else {
            bus.call(
                "org.latchkey.Latchkey1.Vault.AddAccount",
                &[
                    "string:Mem",
                    &format!("string:acct{i}"),
                    &format!("string:{}", secret.to_lowercase()),
                    "string:totp",
                    "string:sha1",
                    "uint32:6",
                    "uint32:30",
                    "uint64:0",
                ],
            )
        }
        .expect("add");
        ids.push(out.split_whitespace().last().expect("id").to_string());
    }
    for id in &ids {
        bus.call(
            "org.latchkey.Latchkey1.Vault.GetCode",
            &[&format!("string:{id}")],
        )
        .expect("code");
    }
    bus.call("org.latchkey.Latchkey1.Vault.ListAccounts", &[])
        .expect("list");
    // Exports copy every seed into buffers of their own (URIs, JSON, QR pixels, PNG, reply).
    for (format, plaintext) in [
        ("uris", true),
        ("aegis", true),
        ("aegis", false),
        ("qr", true),
        ("qr-text", true),
        ("latchkey", false),
    ] {
        bus.call(
            "org.latchkey.Latchkey1.Backup.Export",
            &[
                &format!("string:{format}"),
                "string:memory test passphrase",
                &format!("boolean:{plaintext}"),
            ],
        )
        .expect("export");
    }

    let unlocked = writable_memory(daemon.pid());
    for seed in &seeds {
        assert!(
            count(&unlocked, seed) >= 1,
            "the scan must find each seed while unlocked"
        );
    }
    // The seed buffers are mlocked (kept out of swap): the daemon has locked memory now.
    assert!(
        locked_kb(daemon.pid()) > 0,
        "no mlocked memory while unlocked"
    );

    bus.call("org.latchkey.Latchkey1.Vault.Lock", &[])
        .expect("lock");
    let locked = writable_memory(daemon.pid());
    for (seed, text) in seeds.iter().zip(&b32) {
        assert_eq!(count(&locked, seed), 0, "a raw seed survived the lock");
        assert_eq!(
            count(&locked, text.as_bytes()),
            0,
            "a base32 seed survived the lock"
        );
        assert_eq!(
            count(&locked, text.to_lowercase().as_bytes()),
            0,
            "a lower-case base32 seed survived the lock"
        );
    }
    let passphrase = b"memory test passphrase";
    assert_eq!(count(&locked, passphrase), 0, "the passphrase survived");
}

fn rand_byte() -> u8 {
    use std::cell::Cell;
    thread_local!(static STATE: Cell<u64> = Cell::new(
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(7) | 1
    ));
    STATE.with(|s| {
        let mut x = s.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.set(x);
        (x >> 24) as u8
    })
}
