//! Argon2id parameters for the passphrase slot.

use serde::{Deserialize, Serialize};

/// Argon2id cost parameters, stored in the vault header so they can be raised later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_cost: u32,
    /// Iterations.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
}

impl KdfParams {
    /// The default for new vaults: about half a second on a 2-core machine.
    pub fn interactive() -> Self {
        todo!("vault helper")
    }
    /// Cheap parameters so test suites can create hundreds of vaults; never used unless asked for.
    pub fn insecure_for_tests() -> Self {
        todo!("vault helper")
    }
}
