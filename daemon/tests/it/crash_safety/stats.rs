//! Figures for the final report.

use super::*;

/// Figures for the final report.
#[derive(Default)]
pub(crate) struct Stats {
    pub(crate) rounds: usize,
    pub(crate) adds: usize,
    pub(crate) removes: usize,
    pub(crate) hotp_codes: usize,
    /// Operations in flight when the daemon died.
    pub(crate) uncertain: usize,
    pub(crate) uncertain_applied: usize,
    pub(crate) uncertain_not_applied: usize,
    pub(crate) killed_in_unlock: usize,
    pub(crate) killed_in_verify: usize,
    /// Temp files found after kills (each removed by the next unlock).
    pub(crate) leftovers: usize,
}

impl Stats {
    pub(crate) fn acknowledged(&mut self, op: &Op) {
        match op {
            Op::AddUri { .. } | Op::AddFields { .. } => self.adds += 1,
            Op::Remove { .. } => self.removes += 1,
            Op::HotpCode { .. } => self.hotp_codes += 1,
        }
    }

    pub(crate) fn resolved(&mut self, r: Resolved) {
        match r {
            Resolved::None => {}
            Resolved::Applied => self.uncertain_applied += 1,
            Resolved::NotApplied => self.uncertain_not_applied += 1,
        }
    }

    pub(crate) fn report(&self, elapsed: Duration, seed: u64) {
        let rounds = self.rounds;
        let acked = self.adds + self.removes + self.hotp_codes;
        println!(
            "crash safety: {rounds} rounds (seed {seed}) in {:.1} s\n  \
             acknowledged ops: {acked} ({} adds, {} removes, {} HOTP codes)\n  \
             kills mid-operation (uncertain ops): {} — applied {}, not applied {}\n  \
             kills during unlock: {}, during the post-unlock listing: {}\n  \
             temp files left by kills: {} (each removed by the next unlock)",
            elapsed.as_secs_f64(),
            self.adds,
            self.removes,
            self.hotp_codes,
            self.uncertain,
            self.uncertain_applied,
            self.uncertain_not_applied,
            self.killed_in_unlock,
            self.killed_in_verify,
            self.leftovers,
        );
    }
}
