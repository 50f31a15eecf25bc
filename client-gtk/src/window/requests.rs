//! Approval and consent requests: raised as soon as they arrive, answered through the daemon.

use super::Window;
use crate::daemon::{self, Pending};
use crate::widgets::{approval_dialog, consent_dialog};
use adw::prelude::*;
use adw::subclass::prelude::*;
use gtk::glib;

impl Window {
    /// Opens a dialog for every pending request that has none; closes those no longer pending.
    pub fn show_pending(&self) {
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = win)]
            self,
            async move {
                let pending = match daemon::pending().await {
                    Ok(p) => p,
                    Err(e) => return tracing::warn!("cannot list requests: {}", e.message()),
                };
                let open: Vec<String> = win.imp().dialogs.borrow().keys().cloned().collect();
                for path in open {
                    if !pending.iter().any(|p| p.path == path) {
                        win.close_dialog(&path);
                    }
                }
                for p in pending {
                    if !win.imp().dialogs.borrow().contains_key(&p.path) {
                        win.open_dialog(p);
                    }
                }
            }
        ));
    }

    fn open_dialog(&self, p: Pending) {
        let consent = p.kind == "consent";
        let dialog = if consent {
            consent_dialog::build(self.upcast_ref(), &p)
        } else {
            approval_dialog::build(self.upcast_ref(), &p)
        };
        let path = p.path.clone();
        dialog.connect_response(
            None,
            glib::clone!(
                #[weak(rename_to = win)]
                self,
                move |_, response| {
                    // One answer per request: closing after a response (or after the request
                    // ended elsewhere) emits the close response again; ignore it.
                    if win.imp().dialogs.borrow_mut().remove(&path).is_none() {
                        return;
                    }
                    let answer = if consent {
                        consent_dialog::answer_for(response)
                    } else {
                        approval_dialog::answer_for(response)
                    };
                    if let Some(answer) = answer {
                        win.send_answer(path.clone(), answer);
                    }
                }
            ),
        );
        self.imp()
            .dialogs
            .borrow_mut()
            .insert(p.path.clone(), dialog.clone());
        // Raise the window and the dialog at once: the requester is waiting.
        self.present();
        dialog.present();
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
            }
        ));
    }

    /// A request ended elsewhere (another client, timeout): close its dialog.
    pub(super) fn request_resolved(&self, path: &str, result: &str) {
        if self.close_dialog(path) {
            self.toast(&outcome_text(result));
        }
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
            .map(|(path, d)| {
                let heading = d.heading().map(|h| h.to_string()).unwrap_or_default();
                OpenDialog {
                    path: path.clone(),
                    heading,
                    body: d.body().to_string(),
                    responses: response_ids(d),
                    size: (d.width(), d.height()),
                }
            })
            .collect()
    }

    /// Answers an open dialog as if the user clicked `response` (automation hook).
    pub fn respond(&self, path: &str, response: &str) -> bool {
        let dialog = self.imp().dialogs.borrow().get(path).cloned();
        match dialog {
            Some(d) if d.has_response(response) => {
                d.response(response);
                true
            }
            _ => false,
        }
    }
}

/// An open request dialog as the automation hook reports it.
pub struct OpenDialog {
    pub path: String,
    pub heading: String,
    pub body: String,
    /// Response ids (`deny`, `approve`, `once`, `always`, `nNN`).
    pub responses: Vec<String>,
    pub size: (i32, i32),
}

fn response_ids(d: &adw::MessageDialog) -> Vec<String> {
    let mut ids = Vec::new();
    for id in ["not-now", "deny", "approve", "once", "always"] {
        if d.has_response(id) {
            ids.push(id.to_string());
        }
    }
    ids.extend(
        (10..100)
            .map(|n| format!("n{n}"))
            .filter(|id| d.has_response(id)),
    );
    ids
}

fn outcome_text(outcome: &str) -> String {
    match outcome {
        "approved" => "Sign-in approved".into(),
        "denied" => "Request denied".into(),
        "wrong-number" => "Wrong number: the request was denied".into(),
        "expired" => "The request expired".into(),
        "cancelled" => "The request was withdrawn".into(),
        "once" | "allowed" => "Access allowed once".into(),
        "always" => "Access allowed".into(),
        other => format!("Request {other}"),
    }
}
