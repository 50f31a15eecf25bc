//! `org.latchkey.Latchkey1.Approvals`: apps ask "is it really you?", Latchkey's own clients
//! answer for the user.
//!
//! The policy (one decision per request, expiry, number matching) is `crate::approvals`; this
//! module is what the bus adds to it: a `Request` object per request that the requester
//! watches, the waiters that resume a consent check or a push answer, the notifications that
//! show a request, and the checks on what a requester may claim.

mod hub;
mod interface;
mod lifecycle;
mod options;
mod request;
mod wire;

pub use hub::ApprovalHub;
pub use interface::ApprovalsInterface;
pub use wire::{announcement, details};
