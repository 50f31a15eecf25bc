//! Approval requests: "is it really you signing in?", answered by the user with number matching.
//!
//! The registry here is pure bookkeeping and policy: one decision per request, an expired
//! request cannot be approved, a wrong number is a denial, and (by default) approving needs an
//! unlocked vault. The hub runs requests through their life over it, for the bus and for push.

pub mod hub;
pub mod places;
pub mod request;

pub use crate::access::Caller;
pub use hub::{ApprovalHub, Surface};
pub use places::{Full, MAX_PENDING, Requester};
pub use request::{Claims, NumberMatch, Outcome, Request};

use std::collections::BTreeMap;

/// Default time a request waits for the user, in seconds.
pub const DEFAULT_TIMEOUT: u32 = 60;
/// Longest time a request may wait.
pub const MAX_TIMEOUT: u32 = 300;
/// Default number of choices shown for number matching.
pub const DEFAULT_CHOICES: u32 = 3;

/// Why a decision was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecisionError {
    #[error("no pending request {0}")]
    NotFound(String),
    #[error("the request has expired")]
    Expired,
    #[error("unlock the vault to approve (approving needs an unlocked vault)")]
    Locked,
    #[error("this request uses number matching: give the number the requester shows")]
    NumberRequired,
}

/// Every request this daemon run has seen, pending ones first in importance.
#[derive(Debug, Default)]
pub struct Approvals {
    pending: BTreeMap<String, Request>,
    places: places::Places,
    next_id: u64,
}

/// The user's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve { number: Option<u32> },
    Deny,
}

impl Approvals {
    /// Allocates the object path for a new request.
    fn next_path(&mut self) -> String {
        self.next_id += 1;
        format!("{}/request/{}", latchkey_dbus::OBJECT_PATH, self.next_id)
    }

    /// The path of a new request from `who`, with its place taken, or why there is no room.
    /// The place is given back when the request ends, or by [`Self::release`].
    pub fn admit(&mut self, who: Requester) -> Result<String, Full> {
        let path = self.next_path();
        self.places.take(&path, who)?;
        Ok(path)
    }

    /// Who took the place of request `path`, while it is pending.
    pub fn requester_of(&self, path: &str) -> Option<&Requester> {
        self.places.requester_of(path)
    }

    /// Gives back the place of an admitted request that was never opened.
    pub fn release(&mut self, path: &str) {
        if !self.pending.contains_key(path) {
            self.places.give_back(path);
        }
    }

    /// Records a new pending request.
    pub fn add(&mut self, request: Request) {
        self.pending.insert(request.path.clone(), request);
    }

    /// Pending requests, oldest first.
    pub fn pending(&self) -> impl Iterator<Item = &Request> {
        let mut v: Vec<&Request> = self.pending.values().collect();
        v.sort_by_key(|r| (r.created, r.path.len(), r.path.clone()));
        v.into_iter()
    }

    /// A pending request.
    pub fn get(&self, path: &str) -> Option<&Request> {
        self.pending.get(path)
    }

    /// Number of pending requests.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Applies the user's decision under the policy; the request ends unless the error says it
    /// may be retried (locked vault, number missing).
    pub fn decide(
        &mut self,
        path: &str,
        decision: Decision,
        now: u64,
        vault_unlocked: bool,
        needs_unlock: bool,
    ) -> Result<Request, DecisionError> {
        let request = self
            .pending
            .get(path)
            .ok_or_else(|| DecisionError::NotFound(path.to_string()))?;
        if now >= request.expires {
            return Err(DecisionError::Expired);
        }
        let outcome = match decision {
            Decision::Deny => Outcome::Denied,
            Decision::Approve { number } => {
                if needs_unlock && !vault_unlocked {
                    return Err(DecisionError::Locked);
                }
                match (&request.number, number) {
                    (Some(_), None) => return Err(DecisionError::NumberRequired),
                    // Checked by the server: any offered choice goes to it.
                    (Some(m), Some(n)) if m.number == 0 && !m.choices.contains(&n) => {
                        return Err(DecisionError::NumberRequired);
                    }
                    (Some(m), Some(n)) if m.number != 0 && m.number != n => Outcome::WrongNumber,
                    _ => Outcome::Approved,
                }
            }
        };
        if let (Decision::Approve { number }, Some(r)) = (decision, self.pending.get_mut(path))
            && let Some(m) = r.number.as_mut()
        {
            m.picked = number;
        }
        self.finish(path, outcome)
            .ok_or_else(|| DecisionError::NotFound(path.to_string()))
    }

    /// Ends a request with `outcome` (expiry, cancellation, disconnect); `None` if already ended.
    pub fn finish(&mut self, path: &str, outcome: Outcome) -> Option<Request> {
        let mut request = self.pending.remove(path)?;
        self.places.give_back(path);
        request.outcome = Some(outcome);
        Some(request)
    }

    /// Paths of the pending requests made by `bus_name` (to cancel when it leaves the bus).
    pub fn by_caller(&self, bus_name: &str) -> Vec<String> {
        self.pending
            .values()
            .filter(|r| r.caller.bus_name == bus_name)
            .map(|r| r.path.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(approvals: &mut Approvals, number: Option<NumberMatch>) -> String {
        let path = approvals.admit(Requester::Trusted).expect("room");
        approvals.add(Request {
            path: path.clone(),
            kind: "approval".into(),
            claims: Claims::default(),
            caller: Caller {
                bus_name: ":1.9".into(),
                ..Caller::default()
            },
            number,
            created: 100,
            expires: 160,
            outcome: None,
        });
        path
    }

    #[test]
    fn one_decision_per_request() {
        let mut a = Approvals::default();
        let p = request(&mut a, None);
        assert_eq!(
            a.decide(&p, Decision::Approve { number: None }, 110, true, true)
                .map(|r| r.outcome),
            Ok(Some(Outcome::Approved))
        );
        assert!(matches!(
            a.decide(&p, Decision::Deny, 111, true, true),
            Err(DecisionError::NotFound(_))
        ));
    }

    #[test]
    fn expired_cannot_be_approved_and_locked_vault_blocks_approval() {
        let mut a = Approvals::default();
        let p = request(&mut a, None);
        assert_eq!(
            a.decide(&p, Decision::Approve { number: None }, 160, true, true)
                .err(),
            Some(DecisionError::Expired)
        );
        assert_eq!(
            a.decide(&p, Decision::Approve { number: None }, 120, false, true)
                .err(),
            Some(DecisionError::Locked)
        );
        assert_eq!(
            a.decide(&p, Decision::Approve { number: None }, 120, false, false)
                .map(|r| r.outcome),
            Ok(Some(Outcome::Approved))
        );
    }

    #[test]
    fn deny_works_while_locked() {
        let mut a = Approvals::default();
        let p = request(&mut a, None);
        assert_eq!(
            a.decide(&p, Decision::Deny, 120, false, true)
                .map(|r| r.outcome),
            Ok(Some(Outcome::Denied))
        );
    }

    #[test]
    fn number_matching() {
        let mut a = Approvals::default();
        let m = NumberMatch::generate(3);
        let right = m.number;
        let wrong = *m.choices.iter().find(|&&c| c != right).expect("decoy");
        let p = request(&mut a, Some(m.clone()));
        assert_eq!(
            a.decide(&p, Decision::Approve { number: None }, 110, true, true)
                .err(),
            Some(DecisionError::NumberRequired)
        );
        assert_eq!(
            a.decide(
                &p,
                Decision::Approve {
                    number: Some(wrong)
                },
                110,
                true,
                true
            )
            .map(|r| r.outcome),
            Ok(Some(Outcome::WrongNumber))
        );
        let p = request(&mut a, Some(m));
        assert_eq!(
            a.decide(
                &p,
                Decision::Approve {
                    number: Some(right)
                },
                110,
                true,
                true
            )
            .map(|r| r.outcome),
            Ok(Some(Outcome::Approved))
        );
    }

    #[test]
    fn remote_check_takes_any_offered_choice_and_records_the_pick() {
        let mut a = Approvals::default();
        let labels = vec!["B".to_string(), "K".to_string(), "X".to_string()];
        let p = request(&mut a, Some(NumberMatch::remote(labels)));
        let approve = |n| Decision::Approve { number: Some(n) };
        assert_eq!(
            a.decide(&p, approve(4), 110, true, true).err(),
            Some(DecisionError::NumberRequired),
            "not one of the choices"
        );
        let done = a.decide(&p, approve(2), 110, true, true).expect("approved");
        assert_eq!(done.outcome, Some(Outcome::Approved));
        let m = done.number.expect("match");
        assert_eq!((m.picked, m.picked_label()), (Some(2), Some("K")));
    }

    #[test]
    fn choices_are_distinct_and_contain_the_number() {
        for n in 2..=9 {
            let m = NumberMatch::generate(n);
            let mut c = m.choices.clone();
            c.sort_unstable();
            c.dedup();
            assert_eq!(c.len(), n);
            assert!(m.choices.contains(&m.number));
            assert!(m.choices.iter().all(|&x| (10..100).contains(&x)));
        }
    }
}
