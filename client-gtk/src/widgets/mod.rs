//! The app's widgets; each composite template lives beside its code.

mod account_details;
mod account_row;
mod add_dialog;
pub mod approval_dialog;
pub mod consent_dialog;
mod preferences;
mod setup_page;
mod unlock_page;

pub use account_details::AccountDetails;
pub use account_row::{AccountRow, NEXT_CODE_WINDOW};
pub use add_dialog::AddDialog;
pub use preferences::PreferencesWindow;
pub use setup_page::SetupPage;
pub use unlock_page::UnlockPage;
