//! One approval request: what the requester asked, who it really is, and how it ended.

use crate::access::Caller;
use rand::Rng;
use rand::seq::SliceRandom;
use serde::Serialize;

/// How a request ended; sent to the requester and every client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Approved,
    Denied,
    WrongNumber,
    Expired,
    Cancelled,
}

impl Outcome {
    /// The stable name on the bus and in the activity log.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Approved => "approved",
            Outcome::Denied => "denied",
            Outcome::WrongNumber => "wrong-number",
            Outcome::Expired => "expired",
            Outcome::Cancelled => "cancelled",
        }
    }
}

/// What the requester states; shown to the user as claims, beside the verified [`Caller`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Claims {
    pub title: String,
    pub message: String,
    pub account_id: String,
    pub app_name: String,
    pub location: String,
    pub ip_address: String,
    /// Consent for a browser: the site of the page it says it is on (empty otherwise).
    pub site: String,
}

/// Number matching: the requester shows `number`; the user must pick it among `choices`.
///
/// For a push token's presence check the server alone knows the right answer: `number` is 0,
/// `choices` are 1..=n and `labels` the server's options; `picked` records the user's pick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NumberMatch {
    pub number: u32,
    pub choices: Vec<u32>,
    pub labels: Vec<String>,
    pub picked: Option<u32>,
}

impl NumberMatch {
    /// A random two-digit number and `n - 1` distinct decoys, shuffled.
    pub fn generate(n: usize) -> Self {
        let mut rng = rand::rngs::OsRng;
        let number = rng.gen_range(10..100);
        let mut choices = vec![number];
        while choices.len() < n {
            let decoy = rng.gen_range(10..100);
            if !choices.contains(&decoy) {
                choices.push(decoy);
            }
        }
        choices.shuffle(&mut rng);
        Self {
            number,
            choices,
            labels: Vec::new(),
            picked: None,
        }
    }

    /// Options checked by a remote server: the user picks one, the server says if it was right.
    pub fn remote(labels: Vec<String>) -> Self {
        Self {
            number: 0,
            choices: (1..=labels.len() as u32).collect(),
            labels,
            picked: None,
        }
    }

    /// The label of the picked choice, for a remote check.
    pub fn picked_label(&self) -> Option<&str> {
        let i = self.picked?.checked_sub(1)? as usize;
        self.labels.get(i).map(String::as_str)
    }
}

/// A pending or finished request.
#[derive(Debug, Clone, Serialize)]
pub struct Request {
    /// Object path of the request.
    pub path: String,
    /// `approval` (a sign-in) or `consent` (an app wants codes).
    pub kind: String,
    pub claims: Claims,
    pub caller: Caller,
    pub number: Option<NumberMatch>,
    pub created: u64,
    pub expires: u64,
    pub outcome: Option<Outcome>,
}
