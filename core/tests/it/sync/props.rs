//! The merge over random histories: 3–5 devices make concurrent edits, removals, HOTP uses,
//! imports and forget each other, with skewed clocks; their replicas are delivered in random
//! order, duplicated, replayed or lost. Afterwards, once every remaining device has read every
//! other's latest replica: all have the same accounts, no counter ever went down, and nothing
//! added and never removed is missing. The document merge itself is commutative, associative and
//! idempotent on the documents such histories make.

use super::{Device, account};
use latchkey_core::otp::Kind;
use latchkey_core::sync::Doc;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

const T: u64 = 1_800_000_000_000;

#[derive(Debug, Clone)]
enum Op {
    Add { dev: usize, n: u8, hotp: bool },
    Import { dev: usize, count: u8 },
    Rename { dev: usize, pick: usize, name: u8 },
    Digits { dev: usize, pick: usize, digits: u8 },
    Remove { dev: usize, pick: usize },
    UseHotp { dev: usize, pick: usize },
    Write { dev: usize },
    Deliver { to: usize, pick: usize },
    Forget { dev: usize, victim: usize },
    Wait { ms: u16 },
}

fn op() -> impl Strategy<Value = Op> {
    let dev = 0usize..5;
    prop_oneof![
        3 => (dev.clone(), any::<u8>(), any::<bool>()).prop_map(|(dev, n, hotp)| Op::Add { dev, n, hotp }),
        1 => (dev.clone(), 1u8..4).prop_map(|(dev, count)| Op::Import { dev, count }),
        3 => (dev.clone(), any::<usize>(), any::<u8>()).prop_map(|(dev, pick, name)| Op::Rename { dev, pick, name }),
        1 => (dev.clone(), any::<usize>(), 6u8..=8).prop_map(|(dev, pick, digits)| Op::Digits { dev, pick, digits }),
        2 => (dev.clone(), any::<usize>()).prop_map(|(dev, pick)| Op::Remove { dev, pick }),
        3 => (dev.clone(), any::<usize>()).prop_map(|(dev, pick)| Op::UseHotp { dev, pick }),
        4 => dev.clone().prop_map(|dev| Op::Write { dev }),
        6 => (dev.clone(), any::<usize>()).prop_map(|(to, pick)| Op::Deliver { to, pick }),
        1 => (dev.clone(), dev).prop_map(|(dev, victim)| Op::Forget { dev, victim }),
        2 => (1u16..2000).prop_map(|ms| Op::Wait { ms }),
    ]
}

struct World {
    devices: Vec<Device>,
    skew: Vec<i64>,
    now: u64,
    folder: Vec<(usize, Vec<u8>)>,
    forgotten: BTreeSet<usize>,
    removed: BTreeSet<String>,
    created_by: BTreeMap<String, usize>,
    highest_counter: BTreeMap<String, u64>,
    next_id: u32,
}

impl World {
    fn new(n: usize, skew: Vec<i64>) -> Self {
        let mut first = Device::first("d0", T);
        let mut devices = Vec::new();
        let mut joined = Vec::new();
        for i in 1..n {
            joined.push(Device::join(&mut first, &format!("d{i}"), T + i as u64));
        }
        devices.push(first);
        devices.extend(joined);
        let mut w = World {
            devices,
            skew,
            now: T + 100,
            folder: Vec::new(),
            forgotten: BTreeSet::new(),
            removed: BTreeSet::new(),
            created_by: BTreeMap::new(),
            highest_counter: BTreeMap::new(),
            next_id: 0,
        };
        // Everyone reads the first device's list of members, as the folder would bring it.
        let from_first = w.export(0);
        for d in 1..n {
            w.import(d, &from_first);
        }
        w
    }

    fn time(&self, dev: usize) -> u64 {
        (self.now as i64 + self.skew[dev]) as u64
    }

    fn export(&mut self, dev: usize) -> Vec<u8> {
        let now = self.time(dev);
        self.devices[dev].export(now)
    }

    /// Delivers a replica and checks that no counter went down.
    fn import(&mut self, dev: usize, bytes: &[u8]) {
        let now = self.time(dev);
        let before: BTreeMap<String, u64> = counters(&self.devices[dev]);
        let _ = self.devices[dev].import(bytes, now);
        for (id, after) in counters(&self.devices[dev]) {
            if let Some(b) = before.get(&id) {
                assert!(after >= *b, "counter of {id} went down on device {dev}");
            }
        }
    }

    fn new_id(&mut self) -> String {
        self.next_id += 1;
        format!("acct-{:05}", self.next_id)
    }

    fn pick(&self, dev: usize, pick: usize) -> Option<String> {
        let ids: Vec<String> = self.devices[dev]
            .accounts
            .iter()
            .map(|a| a.id.clone())
            .collect();
        (!ids.is_empty()).then(|| ids[pick % ids.len()].clone())
    }

    fn apply(&mut self, op: Op) {
        let n = self.devices.len();
        self.now += 1;
        match op {
            Op::Add { dev, n: seed, hotp } => {
                let dev = dev % n;
                let id = self.new_id();
                self.created_by.insert(id.clone(), dev);
                self.devices[dev]
                    .accounts
                    .push(account(&id, "Issuer", seed, hotp));
            }
            Op::Import { dev, count } => {
                let dev = dev % n;
                for k in 0..count {
                    let id = self.new_id();
                    self.created_by.insert(id.clone(), dev);
                    self.devices[dev]
                        .accounts
                        .push(account(&id, "Imported", k, false));
                }
            }
            Op::Rename { dev, pick, name } => {
                let dev = dev % n;
                if let Some(id) = self.pick(dev, pick)
                    && let Some(a) = self.devices[dev].accounts.get_mut(&id)
                {
                    a.issuer = format!("Name {name}");
                }
            }
            Op::Digits { dev, pick, digits } => {
                let dev = dev % n;
                if let Some(id) = self.pick(dev, pick)
                    && let Some(a) = self.devices[dev].accounts.get_mut(&id)
                    && !matches!(a.params.kind, Kind::Steam)
                {
                    a.params.digits = digits;
                }
            }
            Op::Remove { dev, pick } => {
                let dev = dev % n;
                if let Some(id) = self.pick(dev, pick) {
                    self.devices[dev].accounts.remove(&id);
                    self.removed.insert(id);
                }
            }
            Op::UseHotp { dev, pick } => {
                let dev = dev % n;
                if let Some(id) = self.pick(dev, pick)
                    && let Some(a) = self.devices[dev].accounts.get_mut(&id)
                    && let Kind::Hotp { counter } = a.params.kind
                {
                    a.params.kind = Kind::Hotp {
                        counter: counter + 1,
                    };
                    let high = self.highest_counter.entry(id).or_default();
                    *high = (*high).max(counter + 1);
                }
            }
            Op::Write { dev } => {
                let dev = dev % n;
                let bytes = self.export(dev);
                self.folder.push((dev, bytes));
            }
            Op::Deliver { to, pick } => {
                let to = to % n;
                if !self.folder.is_empty() {
                    let (_, bytes) = self.folder[pick % self.folder.len()].clone();
                    self.import(to, &bytes);
                }
            }
            Op::Forget { dev, victim } => {
                let (dev, victim) = (dev % n, victim % n);
                let remaining = n - self.forgotten.len();
                if dev != victim
                    && remaining > 2
                    && !self.forgotten.contains(&dev)
                    && !self.forgotten.contains(&victim)
                {
                    let now = self.time(dev);
                    let id = self.devices[victim].state.id();
                    if self.devices[dev].state.forget(id, now) {
                        self.forgotten.insert(victim);
                    }
                }
            }
            Op::Wait { ms } => self.now += u64::from(ms),
        }
    }

    /// Every remaining device writes, then reads every other's latest replica; twice, so what
    /// one learned from another reaches the third.
    fn settle(&mut self) {
        let live: Vec<usize> = (0..self.devices.len())
            .filter(|d| !self.forgotten.contains(d))
            .collect();
        for _ in 0..3 {
            self.now += 10;
            let replicas: Vec<(usize, Vec<u8>)> =
                live.iter().map(|&d| (d, self.export(d))).collect();
            for &to in &live {
                for (from, bytes) in &replicas {
                    if *from != to {
                        self.import(to, bytes);
                    }
                }
            }
        }
    }
}

fn counters(d: &Device) -> BTreeMap<String, u64> {
    d.accounts
        .iter()
        .filter_map(|a| match a.params.kind {
            Kind::Hotp { counter } => Some((a.id.clone(), counter)),
            _ => None,
        })
        .collect()
}

fn histories() -> impl Strategy<Value = (usize, Vec<i64>, Vec<Op>)> {
    (3usize..=5).prop_flat_map(|n| {
        (
            Just(n),
            proptest::collection::vec(-800i64..800, n),
            proptest::collection::vec(op(), 10..80),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn every_remaining_device_converges_and_nothing_acknowledged_is_lost(
        (n, skew, ops) in histories()
    ) {
        let mut world = World::new(n, skew);
        for op in ops {
            world.apply(op);
        }
        world.settle();
        let live: Vec<usize> = (0..n).filter(|d| !world.forgotten.contains(d)).collect();
        let first = world.devices[live[0]].view();
        for &d in &live[1..] {
            prop_assert_eq!(&world.devices[d].view(), &first, "device {} differs", d);
        }
        let present: BTreeSet<String> = first.iter().map(|v| v.0.clone()).collect();
        for (id, creator) in &world.created_by {
            if !world.removed.contains(id) && !world.forgotten.contains(creator) {
                prop_assert!(present.contains(id), "{} was lost", id);
            }
        }
        let final_counters = counters(&world.devices[live[0]]);
        for (id, high) in &world.highest_counter {
            if let Some(c) = final_counters.get(id) {
                // Every use on a remaining device reached everyone.
                let by_live = live.iter().any(|d| {
                    counters(&world.devices[*d]).get(id).is_some_and(|c| c >= high)
                });
                prop_assert!(*c >= *high || !by_live, "counter of {} is {} < {}", id, c, high);
            }
        }
    }

    #[test]
    fn merging_documents_is_commutative_associative_and_idempotent(
        (n, skew, ops) in histories()
    ) {
        let mut world = World::new(n, skew);
        for op in ops {
            world.apply(op);
        }
        for d in 0..n {
            let now = world.time(d);
            world.devices[d].observe(now);
        }
        let docs: Vec<Doc> = world.devices.iter().map(|d| d.state.doc.clone()).collect();
        let merge = |a: &Doc, b: &Doc| {
            let mut m = a.clone();
            m.merge(b.clone()).expect("honest documents merge");
            m
        };
        let (a, b, c) = (&docs[0], &docs[1], &docs[2]);
        prop_assert_eq!(merge(a, b), merge(b, a));
        prop_assert_eq!(merge(&merge(a, b), c), merge(a, &merge(b, c)));
        prop_assert_eq!(&merge(a, a), a);
        prop_assert_eq!(merge(&merge(a, b), b), merge(a, b));
        // A document with no records yet (a device that just joined) takes another's whole.
        let mut bare = b.clone();
        bare.accounts.clear();
        prop_assert_eq!(merge(&bare, a), merge(a, &bare));
    }
}
