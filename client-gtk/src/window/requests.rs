//! Approval and consent requests: raised as soon as they arrive, answered through the daemon.
//!
//! A request the user puts off ("Not Now") is not raised again by itself: the accounts page
//! shows a banner with the number waiting, and its button raises them.

use super::Window;
use crate::daemon::{self, Pending};
use crate::i18n::{fill, gettext, ngettext};
use crate::widgets::request_dialog::{Decision, RequestDialog};
use adw::subclass::prelude::*;
use gtk::glib;
use gtk::prelude::*;
use std::rc::Rc;

impl Window {
    /// Opens a dialog for every pending request that has none and was not put off; closes
    /// those no longer pending.
    pub fn show_pending(&self) {
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = win)]
            self,
            async move {
                let pending = match daemon::pending().await {
                    Ok(p) => p,
                    Err(e) => return tracing::warn!("cannot list requests: {}", e.message()),
                };
                let imp = win.imp();
                let open: Vec<String> = imp.dialogs.borrow().keys().cloned().collect();
                for path in open {
                    if !pending.iter().any(|p| p.path == path) {
                        win.close_dialog(&path);
                    }
                }
                imp.put_off
                    .borrow_mut()
                    .retain(|path| pending.iter().any(|p| &p.path == path));
                for p in pending {
                    let known = imp.dialogs.borrow().contains_key(&p.path)
                        || imp.put_off.borrow().contains(&p.path);
                    if !known {
                        win.open_dialog(p);
                    }
                }
                win.update_waiting();
            }
        ));
    }

    /// Raises the requests the user put off (the banner's button).
    pub(super) fn show_put_off(&self) {
        self.imp().put_off.borrow_mut().clear();
        self.show_pending();
    }

    /// The banner saying how many requests wait without a dialog.
    fn update_waiting(&self) {
        let imp = self.imp();
        let n = imp.put_off.borrow().len();
        imp.waiting_revealer.set_reveal_child(n > 0);
        if n > 0 {
            imp.waiting_label.set_label(&fill(
                &ngettext(
                    "A request is waiting for your answer",
                    "{n} requests are waiting for your answer",
                    n as u32,
                ),
                &[("n", &n.to_string())],
            ));
        }
    }

    fn open_dialog(&self, p: Pending) {
        let imp = self.imp();
        let account = imp.accounts.get(&p.account_id).map(|a| a.label());
        let dialog = RequestDialog::new(
            self.upcast_ref(),
            &p,
            account,
            imp.locked.get(),
            imp.keyring_unlock.get(),
        );
        let path = p.path.clone();
        let consent = p.kind == "consent";
        dialog.connect_decision(glib::clone!(
            #[weak(rename_to = win)]
            self,
            move |decision| {
                win.imp().dialogs.borrow_mut().remove(&path);
                match decision {
                    Decision::Answer(answer) => win.send_answer(path.clone(), answer),
                    // For consent, not now is an answer: this call is refused.
                    Decision::NotNow if consent => {
                        win.send_answer(path.clone(), daemon::Answer::Consent("not-now".into()))
                    }
                    Decision::NotNow => {
                        win.imp().put_off.borrow_mut().insert(path.clone());
                        win.update_waiting();
                    }
                }
            }
        ));
        imp.dialogs
            .borrow_mut()
            .insert(p.path.clone(), dialog.clone());
        // Raise the window and the dialog at once: the requester is waiting.
        self.present();
        dialog.present();
    }

    /// The vault was locked or unlocked: open dialogs ask for the passphrase or stop asking.
    pub(super) fn dialogs_locked(&self, locked: bool) {
        let dialogs: Vec<Rc<RequestDialog>> =
            self.imp().dialogs.borrow().values().cloned().collect();
        for d in dialogs {
            d.set_locked(locked);
        }
    }

    fn send_answer(&self, path: String, answer: daemon::Answer) {
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = win)]
            self,
            async move {
                match daemon::answer(path, answer).await {
                    Ok(outcome) => win.toast(&outcome_text(&outcome)),
                    Err(e) => win.toast(&e.message()),
                }
                win.show_pending();
            }
        ));
    }

    /// A request ended elsewhere (another client, timeout): close its dialog.
    pub(super) fn request_resolved(&self, path: &str, result: &str) {
        let put_off = self.imp().put_off.borrow_mut().remove(path);
        if self.close_dialog(path) || put_off {
            self.toast(&outcome_text(result));
        }
        self.update_waiting();
    }

    fn close_dialog(&self, path: &str) -> bool {
        let dialog = self.imp().dialogs.borrow_mut().remove(path);
        match dialog {
            Some(d) => {
                d.close();
                true
            }
            None => false,
        }
    }

    /// Open request dialogs, for the automation hook.
    pub fn open_dialogs(&self) -> Vec<OpenDialog> {
        self.imp()
            .dialogs
            .borrow()
            .iter()
            .map(|(path, d)| OpenDialog {
                path: path.clone(),
                heading: d.heading().to_string(),
                body: d.summary().to_string(),
                responses: d.responses().to_vec(),
                size: d.size(),
            })
            .collect()
    }

    /// Answers an open dialog as if the user clicked `response` (automation hook).
    pub fn respond(&self, path: &str, response: &str) -> bool {
        let dialog = self.imp().dialogs.borrow().get(path).cloned();
        dialog.is_some_and(|d| d.respond(response))
    }
}

/// An open request dialog as the automation hook reports it.
pub struct OpenDialog {
    pub path: String,
    pub heading: String,
    pub body: String,
    /// Response ids (`not-now`, `deny`, `approve`, `once`, `always`, `nNN`).
    pub responses: Vec<String>,
    pub size: (i32, i32),
}

fn outcome_text(outcome: &str) -> String {
    match outcome {
        "approved" => gettext("Sign-in approved"),
        "denied" => gettext("Request denied"),
        "wrong-number" => gettext("Wrong number: the request was denied"),
        "expired" => gettext("The request expired"),
        "cancelled" => gettext("The request was withdrawn"),
        "once" | "allowed" => gettext("Access allowed once"),
        "always" => gettext("Access allowed"),
        "not-now" => gettext("Access refused this time"),
        other => fill(&gettext("Request {outcome}"), &[("outcome", other)]),
    }
}
