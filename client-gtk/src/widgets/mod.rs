//! The app's widgets; each composite template lives beside its code.

mod access_page;
mod account_details;
mod account_qr;
mod account_row;
mod add_dialog;
mod backups_page;
mod devices_page;
mod export_dialog;
pub mod files;
mod import_dialog;
mod passphrase;
mod passphrase_change;
mod preferences;
mod prompt;
pub mod request_dialog;
mod service_settings;
mod setup_page;
mod unlock_page;

pub use account_details::AccountDetails;
pub use account_row::{AccountRow, NEXT_CODE_WINDOW};
pub use add_dialog::AddDialog;
pub use backups_page::restore_file;
pub use devices_page::sync_changed;
pub use export_dialog::ExportDialog;
pub use import_dialog::{ImportDialog, accept_drops};
pub use preferences::PreferencesWindow;
pub use setup_page::SetupPage;

use gtk::prelude::*;

/// Lets Escape and Ctrl+W close a secondary window, as GNOME's windows do.
pub fn close_on_escape(window: &(impl IsA<gtk::Window> + IsA<gtk::Widget>)) {
    let controller = gtk::ShortcutController::new();
    let close = gtk::CallbackAction::new(|widget, _| {
        if let Some(w) = widget.downcast_ref::<gtk::Window>() {
            w.close();
        }
        gtk::glib::Propagation::Stop
    });
    controller.add_shortcut(gtk::Shortcut::new(
        gtk::ShortcutTrigger::parse_string("Escape|<Control>w"),
        Some(close),
    ));
    window.add_controller(controller);
}
pub use unlock_page::UnlockPage;
