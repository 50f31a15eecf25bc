//! Fault injection for tests, served only when `LATCHKEY_TEST_FAULTS=1` in builds with test
//! hooks (the unit never sets it; release builds do not have it).

use super::SharedState;
use std::time::Duration;

/// `org.latchkey.Latchkey1.Testing`: lets a test wedge the daemon to prove the watchdog notices.
pub struct TestingInterface {
    state: SharedState,
}

impl TestingInterface {
    /// Serves the fault hooks over `state`.
    pub fn new(state: SharedState) -> Self {
        Self { state }
    }
}

#[zbus::interface(name = "org.latchkey.Latchkey1.Testing")]
impl TestingInterface {
    /// Holds the state lock for `millis` ms, as a deadlock would; returns at once.
    async fn wedge(&self, millis: u32) {
        let state = self.state.clone();
        tracing::warn!(
            event = "test-wedge",
            millis,
            "test fault hook: wedging the vault state"
        );
        std::thread::spawn(move || {
            let _guard = super::lock_state(&state);
            std::thread::sleep(Duration::from_millis(u64::from(millis)));
        });
    }
}
