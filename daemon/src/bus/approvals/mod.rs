//! `org.latchkey.Latchkey1.Approvals`: apps ask "is it really you?", Latchkey's own clients
//! answer for the user.
//!
//! `hub` holds the registry and the waiters, `lifecycle` takes a request from opened to
//! resolved, `interface` is the D-Bus interface, `options` checks RequestApproval's arguments,
//! `wire` is what the bus sees of a request.

mod hub;
mod interface;
mod lifecycle;
mod options;
mod request;
mod wire;

pub use hub::ApprovalHub;
pub use interface::ApprovalsInterface;
pub use wire::{announcement, details};
