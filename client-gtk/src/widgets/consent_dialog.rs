//! The consent dialog: an app that is not one of Latchkey's own clients wants a code or the
//! account list.
//!
//! The daemon writes the request's title itself ("PROGRAM wants the code for ISSUER
//! (ACCOUNT)"), so it names both who asks, as Latchkey determined it, and what for; nothing
//! here is the asking app's own words. Closing the dialog (Escape) is "Not Now": this call is
//! refused and nothing is remembered. Only "Always Deny" and "Always Allow" are remembered,
//! and neither is the default.

use crate::daemon::{Answer, Pending};
use adw::prelude::*;

/// Builds the dialog for a consent request (not yet presented).
pub fn build(parent: &gtk::Window, p: &Pending) -> adw::MessageDialog {
    let heading = "Allow access to your codes?";
    let body = if p.message.is_empty() {
        p.title.clone()
    } else {
        format!("{}\n\n{}", p.title, p.message)
    };
    let dialog = adw::MessageDialog::new(Some(parent), Some(heading), Some(&body));
    dialog.set_extra_child(Some(&super::approval_dialog::details_list(p)));
    // Plain labels: GTK 4.8 reads a mnemonic label twice ("_Deny Deny").
    dialog.add_response("not-now", "Not Now");
    let identified = !p.caller_exe.is_empty() || !p.caller_flatpak.is_empty();
    if identified {
        dialog.add_response("deny", "Always Deny");
        dialog.set_response_appearance("deny", adw::ResponseAppearance::Destructive);
    }
    dialog.add_response("once", "Allow Once");
    if identified {
        dialog.add_response("always", "Always Allow");
    }
    dialog.set_default_response(None);
    dialog.set_close_response("not-now");
    dialog
}

/// What a response id of the consent dialog means.
pub fn answer_for(response: &str) -> Option<Answer> {
    match response {
        "once" | "always" | "deny" | "not-now" => Some(Answer::Consent(response.to_string())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::answer_for;
    use crate::daemon::Answer;

    #[test]
    fn closing_is_not_now_and_every_response_is_a_consent_answer() {
        for r in ["once", "always", "deny", "not-now"] {
            assert_eq!(answer_for(r), Some(Answer::Consent(r.into())));
        }
        assert_eq!(answer_for("approve"), None);
    }
}
