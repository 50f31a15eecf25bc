//! Keyring unlock: a vault slot whose random key lives in the login keyring (Secret Service).
//!
//! Enabling stores the key in the keyring first and adds the slot second (removing the key
//! again if the slot cannot be written), so the vault never names a key the keyring lacks.
//! A keyring failure never counts as a wrong passphrase.

use super::{SharedState, StateError, blocking, lock_state};
use crate::keyring::{Keyring, KeyringError};
use crate::vault::new_keyring_key;

/// Why keyring unlock (or switching it on or off) did not happen; the vault is as it was.
#[derive(Debug, thiserror::Error)]
pub enum KeyringUnlockError {
    /// The login keyring was unreachable, locked, or had no (valid) key for this vault.
    #[error(transparent)]
    Keyring(#[from] KeyringError),
    #[error(transparent)]
    State(#[from] StateError),
}

/// Unlocks with the key from the login keyring.
pub async fn unlock(state: &SharedState) -> Result<(), KeyringUnlockError> {
    let store = {
        let s = lock_state(state);
        s.check_can_unlock_with_keyring()?;
        s.store().clone()
    };
    let keyring = Keyring::connect().await?;
    let key = keyring.fetch_key(store.path()).await?;
    let opened = blocking(move || store.unlock_with_key(&key)).await?;
    let (session, body) = opened.map_err(StateError::from)?;
    let mut s = lock_state(state);
    if s.locked() {
        s.finish_unlock(session, &body)?;
    }
    Ok(())
}

/// Stores a new random key in the keyring and adds the slot for it.
pub async fn enable(state: &SharedState) -> Result<(), KeyringUnlockError> {
    let path = {
        let s = lock_state(state);
        if s.locked() {
            return Err(StateError::Locked.into());
        }
        s.store().path().to_path_buf()
    };
    let key = new_keyring_key().map_err(StateError::from)?;
    let keyring = Keyring::connect().await?;
    keyring.store_key(&path, &key).await?;
    let st = state.clone();
    let added = blocking(move || lock_state(&st).enable_keyring(&key)).await?;
    if let Err(e) = added {
        if let Err(cleanup) = keyring.delete_key(&path).await {
            tracing::warn!("cannot remove the unused keyring item: {cleanup}");
        }
        return Err(e.into());
    }
    Ok(())
}

/// Removes the slot, then the key from the keyring (a failure there is only logged).
pub async fn disable(state: &SharedState) -> Result<(), KeyringUnlockError> {
    let path = lock_state(state).store().path().to_path_buf();
    let st = state.clone();
    blocking(move || lock_state(&st).disable_keyring()).await??;
    match Keyring::connect().await {
        Ok(k) => {
            if let Err(e) = k.delete_key(&path).await {
                tracing::warn!(
                    "the keyring slot is gone but the keyring item could not be deleted: {e}"
                );
            }
        }
        Err(e) => tracing::warn!("the keyring slot is gone but the keyring is unreachable: {e}"),
    }
    Ok(())
}
