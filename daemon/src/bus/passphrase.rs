//! The one gate every check of the vault passphrase goes through: `Unlock`,
//! `ChangePassphrase` and `Backup.Export`.
//!
//! One attempt at a time; the caller's delay is checked before the KDF runs; the KDF runs on a
//! blocking thread without the state lock; every wrong passphrase is counted in the persisted
//! throttle and reported the same way (`unlock-failed` security event with the action, journal,
//! critical notification). Latchkey's own clients and other apps are throttled apart (see
//! [`crate::throttle`]): another app's guesses cannot make the user wait.

use super::{Gate, SharedState, blocking, lock_state};
use crate::approvals::ApprovalHub;
use crate::clock::unix_now;
use crate::events::{Event, Events, Security};
use crate::notifications::Urgency;
use crate::state::{StateError, VaultState};
use crate::throttle::{Class, Throttles};
use latchkey_dbus::Error;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use zbus::message::Header;

/// What the passphrase is checked for; named in logs and security events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Unlock,
    ChangePassphrase,
    Export,
}

impl Action {
    /// The action as logs and security events name it.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Unlock => "unlock",
            Action::ChangePassphrase => "change-passphrase",
            Action::Export => "export",
        }
    }

    /// The desktop notification's summary for a failure.
    fn summary(self) -> &'static str {
        match self {
            Action::Unlock => "Latchkey: failed unlock attempt",
            Action::ChangePassphrase => "Latchkey: failed passphrase change",
            Action::Export => "Latchkey: failed export (wrong passphrase?)",
        }
    }

    /// Completes "Failed attempt to …".
    fn describe(self) -> &'static str {
        match self {
            Action::Unlock => "unlock the vault",
            Action::ChangePassphrase => "change the passphrase",
            Action::Export => "export the accounts",
        }
    }
}

/// Who makes an attempt: the label the journal shows and the class whose delay applies.
#[derive(Debug, Clone)]
pub struct Attempter {
    pub label: String,
    pub class: Class,
}

/// Serialises passphrase attempts and owns the brute-force counters.
pub struct PassphraseGate {
    state: SharedState,
    hub: Arc<ApprovalHub>,
    gate: Arc<Gate>,
    /// Held for a whole attempt, so parallel calls cannot outrun the delay.
    turn: tokio::sync::Mutex<()>,
    /// Read by the properties at any time; never held across a KDF run.
    throttles: Arc<Mutex<Throttles>>,
    events: Events,
}

impl PassphraseGate {
    /// The gate for the vault at `vault` (its counters live beside it).
    pub fn new(
        state: SharedState,
        hub: Arc<ApprovalHub>,
        gate: Arc<Gate>,
        vault: &Path,
        events: Events,
    ) -> Arc<Self> {
        Arc::new(Self {
            state,
            hub,
            gate,
            turn: tokio::sync::Mutex::new(()),
            throttles: Arc::new(Mutex::new(Throttles::load(vault))),
            events,
        })
    }

    fn throttles(&self) -> MutexGuard<'_, Throttles> {
        lock_throttles(&self.throttles)
    }

    /// Wrong passphrases of every caller not yet cleared (the `UnlockFailures` property).
    pub fn failures(&self) -> u32 {
        self.throttles().failures()
    }

    /// Unix time from which Latchkey's own clients may try again (`UnlockRetryAfter`; 0: now).
    /// Other apps learn their own wait from the `RateLimited` error.
    pub fn own_retry_after(&self) -> u64 {
        self.throttles().of(Class::Own).retry_after()
    }

    /// The caller's label and class. A caller that cannot be identified is not an own client.
    pub async fn attempter(&self, conn: &zbus::Connection, header: &Header<'_>) -> Attempter {
        match self.hub.caller_of(conn, header).await {
            Ok(caller) => Attempter {
                label: caller.label(),
                class: if self.gate.is_own_client(&caller) {
                    Class::Own
                } else {
                    Class::Foreign
                },
            },
            Err(_) => Attempter {
                label: header.sender().map(|s| s.to_string()).unwrap_or_default(),
                class: Class::Foreign,
            },
        }
    }

    /// One passphrase attempt by `who` for `action`: waits its turn, runs `prepare` on the state
    /// (a quick precondition check that detaches what `verify` needs), refuses if `who`'s delay
    /// is not over, then runs `verify` (the KDF) on a blocking thread without the state lock.
    /// A wrong passphrase is counted for `who`'s class, a right one clears it, and every failed
    /// verification is reported.
    pub async fn attempt<P, T>(
        &self,
        who: &Attempter,
        action: Action,
        prepare: impl FnOnce(&VaultState) -> Result<P, StateError>,
        verify: impl FnOnce(P) -> Result<T, StateError> + Send + 'static,
    ) -> Result<T, Error>
    where
        P: Send + 'static,
        T: Send + 'static,
    {
        let _turn = self.turn.lock().await;
        let prepared = prepare(&lock_state(&self.state))?;
        self.throttles()
            .of(who.class)
            .check(unix_now())
            .map_err(|secs| Error::from(StateError::RateLimited(secs)))?;
        let throttles = self.throttles.clone();
        let class = who.class;
        // Counting persists a file: done here on the blocking thread too.
        let result = blocking(move || {
            let result = verify(prepared);
            match &result {
                Ok(_) => lock_throttles(&throttles).of_mut(class).record_success(),
                Err(StateError::BadPassphrase) => lock_throttles(&throttles)
                    .of_mut(class)
                    .record_failure(unix_now()),
                Err(_) => {}
            }
            result
        })
        .await?;
        match result {
            Ok(value) => Ok(value),
            Err(e) => {
                self.report_failure(who, action, &e);
                Err(Error::from(e))
            }
        }
    }

    /// Logs, signals and notifies a failed passphrase check with the count and the delay.
    fn report_failure(&self, who: &Attempter, action: Action, error: &StateError) {
        let (failures, retry_after) = {
            let t = self.throttles();
            (t.failures(), t.of(who.class).retry_after())
        };
        tracing::warn!(
            event = "unlock-failed",
            action = action.as_str(),
            caller = %who.label,
            caller_class = who.class.as_str(),
            failures,
            "failed attempt to {}: {error}",
            action.describe()
        );
        let by = match who.class {
            Class::Own => "",
            Class::Foreign => " by an app that is not Latchkey's",
        };
        let message = format!(
            "Failed attempt to {}{by} ({failures} in a row): {error}",
            action.describe()
        );
        self.events.security(
            Security::new("unlock-failed", message.clone())
                .with("action", action.as_str())
                .with("failures", failures)
                .with("retry_after", retry_after)
                .with("caller", who.label.as_str())
                .with("caller_class", who.class.as_str())
                .notify(action.summary(), message, Urgency::Critical),
        );
        self.events.publish(Event::Attempts);
    }
}

fn lock_throttles(t: &Mutex<Throttles>) -> MutexGuard<'_, Throttles> {
    t.lock().unwrap_or_else(|p| p.into_inner())
}
