//! `org.latchkey.Latchkey1.Approvals`: apps ask "is it really you?", Latchkey's own clients
//! answer for the user.
//!
//! The requests, their policy and their waiters are the approvals service
//! (`crate::approvals::ApprovalHub`); this module is how the bus shows them (a `Request`
//! object per request that the requester watches, the signals, the notifications) and the
//! checks on what a requester may claim.

pub mod delivery;
mod interface;
mod lifecycle;
mod notes;
mod options;

pub use interface::ApprovalsInterface;
pub use interface::{announcement, details};
pub use lifecycle::{BusSurface, relay};
