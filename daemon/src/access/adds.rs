//! How many accounts apps other than Latchkey's own clients may add per unlock.
//!
//! Adding one account from a browser or a setup tool is fine; adding thousands fills the vault
//! and the account list. Each app (by its identity) may add [`PER_APP`] accounts per unlocked
//! session, and all such apps together [`ALL_APPS`] (a same-user process can run under many
//! names). Beyond that the user adds accounts in Latchkey itself; the next unlock, which needs
//! the user, starts a new allowance.

use std::collections::HashMap;
use std::sync::Mutex;

/// Accounts one app may add per unlocked session.
pub const PER_APP: u32 = 5;
/// Accounts all apps other than Latchkey's own clients may add together per unlocked session.
pub const ALL_APPS: u32 = 10;

/// Why an app may not add another account now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddLimit {
    #[error(
        "this app has already added {PER_APP} accounts since the vault was unlocked, the most \
         another app may; add further accounts in Latchkey itself"
    )]
    App,
    #[error(
        "other apps have already added {ALL_APPS} accounts since the vault was unlocked, the \
         most they may together; add further accounts in Latchkey itself"
    )]
    AllApps,
}

/// The adds counted in the current unlocked session.
#[derive(Debug, Default)]
pub struct AddQuota {
    inner: Mutex<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    session: u64,
    per_app: HashMap<String, u32>,
    total: u32,
}

impl Counts {
    /// Forgets the counts of an earlier session.
    fn for_session(&mut self, session: u64) -> &mut Self {
        if self.session != session {
            *self = Self {
                session,
                ..Self::default()
            };
        }
        self
    }
}

impl AddQuota {
    /// Takes one add for `identity` in `session`, or says why not. Give it back with
    /// [`Self::give_back`] if the add then fails.
    pub fn take(&self, identity: &str, session: u64) -> Result<(), AddLimit> {
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let counts = guard.for_session(session);
        let app = counts.per_app.get(identity).copied().unwrap_or(0);
        if app >= PER_APP {
            return Err(AddLimit::App);
        }
        if counts.total >= ALL_APPS {
            return Err(AddLimit::AllApps);
        }
        counts.per_app.insert(identity.to_string(), app + 1);
        counts.total += 1;
        Ok(())
    }

    /// Returns an add that did not happen (refused, duplicate, locked).
    pub fn give_back(&self, identity: &str, session: u64) {
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let counts = guard.for_session(session);
        if let Some(n) = counts.per_app.get_mut(identity) {
            *n = n.saturating_sub(1);
            counts.total = counts.total.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_app_and_all_apps_are_bounded_per_session() {
        let q = AddQuota::default();
        for _ in 0..PER_APP {
            q.take("exe:/a", 1).expect("within the allowance");
        }
        assert_eq!(q.take("exe:/a", 1), Err(AddLimit::App));
        for _ in 0..ALL_APPS - PER_APP {
            q.take("exe:/b", 1).expect("another app");
        }
        assert_eq!(q.take("exe:/c", 1), Err(AddLimit::AllApps));
        // A failed add gives its place back.
        q.give_back("exe:/b", 1);
        q.take("exe:/c", 1).expect("the returned place");
        // The next unlock starts afresh.
        q.take("exe:/a", 2).expect("new session");
    }

    #[test]
    fn giving_back_what_was_never_taken_changes_nothing() {
        let q = AddQuota::default();
        q.give_back("exe:/a", 1);
        for _ in 0..PER_APP {
            q.take("exe:/a", 1).expect("within the allowance");
        }
        assert_eq!(q.take("exe:/a", 1), Err(AddLimit::App));
    }
}
