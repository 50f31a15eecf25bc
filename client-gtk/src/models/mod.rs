//! The data behind the account list.

mod account_list;
mod account_object;

pub use account_list::AccountList;
pub use account_object::{AccountObject, group};
