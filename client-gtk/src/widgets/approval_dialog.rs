//! The sign-in approval dialog: title, message, who asks (claimed and checked), number matching
//! or a push server's presence choices.
//!
//! With number matching the user must pick the number the requester shows; the numbers are
//! the responses, none of them highlighted, so the dialog gives no hint.

use crate::daemon::{Answer, Pending};
use adw::prelude::*;
use gtk::glib;

/// Builds the dialog for an approval request (not yet presented).
pub fn build(parent: &gtk::Window, p: &Pending) -> adw::MessageDialog {
    // Who asks comes first, as Latchkey determined it; the requester's words follow as claims.
    let mut body = format!("Requested by {}, as checked by Latchkey.", requester(p));
    if !p.title.is_empty() {
        body.push_str(&format!("\n\nIt says: \u{201c}{}\u{201d}", p.title));
    }
    if !p.message.is_empty() {
        body.push_str(&format!("\n\u{201c}{}\u{201d}", p.message));
    }
    if !p.choice_labels.is_empty() {
        body.push_str("\n\nPick the answer shown on the sign-in page.");
    } else if !p.choices.is_empty() {
        body.push_str("\n\nPick the number shown where you are signing in.");
    }
    let heading = "Approve sign-in?";
    let dialog = adw::MessageDialog::new(Some(parent), Some(heading), Some(&body));
    dialog.set_extra_child(Some(&details_list(p)));
    dialog.add_response("deny", "Deny");
    dialog.set_response_appearance("deny", adw::ResponseAppearance::Destructive);
    if p.choices.is_empty() {
        dialog.add_response("approve", "Approve");
        dialog.set_response_appearance("approve", adw::ResponseAppearance::Suggested);
        dialog.set_default_response(Some("deny"));
    } else {
        for (id, label) in choice_responses(p) {
            dialog.add_response(&id, &label);
        }
    }
    dialog.set_close_response("deny");
    dialog
}

/// The dialog's responses for the choices, as (id, label): a push server's presence check names
/// its choices (as claims, with `_` kept literal rather than a mnemonic); local number matching
/// shows the numbers.
pub fn choice_responses(p: &Pending) -> Vec<(String, String)> {
    p.choices
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let label = p
                .choice_labels
                .get(i)
                .map_or_else(|| format!("{n:02}"), |l| l.replace('_', "__"));
            (format!("n{n}"), label)
        })
        .collect()
}

/// What a response id of the approval dialog means.
pub fn answer_for(response: &str) -> Option<Answer> {
    match response {
        "approve" => Some(Answer::Approve(0)),
        "deny" => Some(Answer::Deny),
        other => other
            .strip_prefix('n')
            .and_then(|n| n.parse().ok())
            .map(Answer::Approve),
    }
}

/// Who asks: the requester's claims and what Latchkey checked itself, as a boxed list.
pub fn details_list(p: &Pending) -> gtk::ListBox {
    let list = gtk::ListBox::new();
    list.add_css_class("boxed-list");
    list.set_selection_mode(gtk::SelectionMode::None);
    let add = |title: &str, value: &str| {
        if value.is_empty() {
            return;
        }
        let row = adw::ActionRow::new();
        row.set_title(&glib::markup_escape_text(title));
        row.set_subtitle(&glib::markup_escape_text(value));
        row.add_css_class("property");
        list.append(&row);
    };
    add("Program (checked by Latchkey)", &program(p));
    add("Flatpak app (checked by Latchkey)", &p.caller_flatpak);
    add("Application (as it says)", &p.app_name);
    add("Location (as it says)", &p.location);
    add("IP address (as it says)", &p.ip_address);
    list
}

/// The requester's executable and process, as the daemon determined them.
fn program(p: &Pending) -> String {
    match (p.caller_exe.as_str(), p.caller_pid) {
        ("", 0) => String::new(),
        ("", pid) => format!("process {pid}"),
        (exe, 0) => exe.to_string(),
        (exe, pid) => format!("{exe} (process {pid})"),
    }
}

/// One name for who asks: the Flatpak app, else the program.
fn requester(p: &Pending) -> String {
    if !p.caller_flatpak.is_empty() {
        format!("the Flatpak app {}", p.caller_flatpak)
    } else {
        let program = program(p);
        if program.is_empty() {
            "an unknown program".into()
        } else {
            program
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{answer_for, choice_responses};
    use crate::daemon::{Answer, Pending};

    #[test]
    fn responses_map_to_answers() {
        assert_eq!(answer_for("n42"), Some(Answer::Approve(42)));
        assert_eq!(answer_for("approve"), Some(Answer::Approve(0)));
        assert_eq!(answer_for("deny"), Some(Answer::Deny));
        assert_eq!(answer_for("nope"), None);
    }

    #[test]
    fn presence_choices_show_their_labels_and_numbers_their_digits() {
        let mut p = Pending {
            choices: vec![4, 17],
            ..Pending::default()
        };
        assert_eq!(
            choice_responses(&p),
            [("n4".into(), "04".into()), ("n17".into(), "17".into())]
        );
        p.choice_labels = vec!["Yes_please".into(), "No".into()];
        let r = choice_responses(&p);
        assert_eq!(
            r,
            [
                ("n4".into(), "Yes__please".into()),
                ("n17".into(), "No".into())
            ]
        );
        assert_eq!(answer_for(&r[1].0), Some(Answer::Approve(17)));
    }
}
