//! The consent dialog: an app that is not one of Latchkey's own clients wants codes.

use crate::daemon::{Answer, Pending};
use adw::prelude::*;

/// Builds the dialog for a consent request (not yet presented).
pub fn build(parent: &gtk::Window, p: &Pending) -> adw::MessageDialog {
    let heading = "Allow access to your codes?";
    let body = if p.message.is_empty() {
        p.title.clone()
    } else {
        p.message.clone()
    };
    let dialog = adw::MessageDialog::new(Some(parent), Some(heading), Some(&body));
    dialog.set_extra_child(Some(&super::approval_dialog::details_list(p)));
    dialog.add_response("deny", "_Deny");
    dialog.add_response("once", "Allow _Once");
    dialog.add_response("always", "_Always Allow");
    dialog.set_response_appearance("deny", adw::ResponseAppearance::Destructive);
    dialog.set_response_appearance("once", adw::ResponseAppearance::Suggested);
    dialog.set_default_response(Some("deny"));
    dialog.set_close_response("deny");
    dialog
}

/// What a response id of the consent dialog means.
pub fn answer_for(response: &str) -> Option<Answer> {
    match response {
        "once" | "always" | "deny" => Some(Answer::Consent(response.to_string())),
        _ => None,
    }
}
