//! Argon2id parameters for the passphrase slot, their bounds, and the key derivation itself.

use super::VaultError;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// Largest memory cost accepted, in KiB (4 GiB): a tampered header must not make us allocate more.
pub const MAX_M_COST: u32 = 4 * 1024 * 1024;
/// Largest iteration count accepted: beyond this an unlock would take minutes.
pub const MAX_T_COST: u32 = 64;
/// Largest lane count accepted: more lanes buy nothing on a desktop and only cost memory.
pub const MAX_P_COST: u32 = 16;
/// Length of the key-encryption key derived from a passphrase (an XChaCha20-Poly1305 key).
pub(crate) const KEK_LEN: usize = 32;

/// Argon2id cost parameters, stored in the vault header so they can be raised later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
    ///
    /// 256 MiB, 2 passes, 1 lane: ≈0.45 s per unlock in a release build (docs/vault-format.md).
    /// One lane because argon2 0.5 computes lanes sequentially, so more lanes would only add time.
    pub fn interactive() -> Self {
        Self {
            m_cost: 256 * 1024,
            t_cost: 2,
            p_cost: 1,
        }
    }

    /// Cheap parameters so test suites can create hundreds of vaults; not in release builds.
    #[cfg(any(debug_assertions, feature = "test-hooks"))]
    pub fn insecure_for_tests() -> Self {
        Self {
            m_cost: 8,
            t_cost: 1,
            p_cost: 1,
        }
    }

    /// Checks the bounds every vault must respect, so both `create` and parsing refuse the same things.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=MAX_P_COST).contains(&self.p_cost) {
            return Err(format!(
                "p_cost {} is outside 1..={MAX_P_COST}",
                self.p_cost
            ));
        }
        if !(1..=MAX_T_COST).contains(&self.t_cost) {
            return Err(format!(
                "t_cost {} is outside 1..={MAX_T_COST}",
                self.t_cost
            ));
        }
        let min_m = 8 * self.p_cost;
        if !(min_m..=MAX_M_COST).contains(&self.m_cost) {
            return Err(format!(
                "m_cost {} KiB is outside {min_m}..={MAX_M_COST}",
                self.m_cost
            ));
        }
        Ok(())
    }

    /// Derives the 32-byte key-encryption key with Argon2id v1.3; the result is wiped on drop.
    pub(crate) fn derive_kek(
        &self,
        passphrase: &[u8],
        salt: &[u8],
    ) -> Result<Zeroizing<[u8; KEK_LEN]>, String> {
        self.validate()?;
        let params = argon2::Params::new(self.m_cost, self.t_cost, self.p_cost, Some(KEK_LEN))
            .map_err(|e| format!("argon2 refused the parameters: {e}"))?;
        let argon = argon2::Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            params.clone(),
        );
        let mut kek = Zeroizing::new([0u8; KEK_LEN]);
        // Our own working memory, so it is wiped afterwards: `hash_password_into` would free its
        // blocks (which determine the KEK) without clearing them.
        let mut blocks = Zeroizing::new(vec![argon2::Block::default(); params.block_count()]);
        argon
            .hash_password_into_with_memory(passphrase, salt, kek.as_mut(), blocks.as_mut_slice())
            .map_err(|e| format!("argon2 failed: {e}"))?;
        Ok(kek)
    }

    /// Same check as [`KdfParams::validate`], as the error `create` and `change_passphrase` return.
    pub(crate) fn check_for_new_vault(&self) -> Result<(), VaultError> {
        self.validate().map_err(VaultError::InvalidKdfParams)
    }
}
