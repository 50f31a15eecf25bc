//! The dialog of a pending request, a sign-in approval or an app asking for codes (consent),
//! laid out so that a person can trust it:
//!
//! - **who asks first**, as Latchkey determined it (a verified Flatpak id, the script a known
//!   interpreter runs, the program), large, apart from anything the requester says;
//! - the requester's own words after it, **quoted and marked as claims**, so a script that
//!   titles itself "Latchkey security check" reads as exactly that, a claim;
//! - the account asked for, a **countdown** to expiry, and with number matching the numbers as
//!   **large buttons, none of them the default**;
//! - **Not Now** (Escape, closing) apart from **Deny** and **Always Deny**: for an approval it
//!   only hides the dialog (the request stays pending until it expires, answerable from the
//!   window's banner, the CLI or a notification); for consent it refuses this call only;
//! - while the vault is locked, the passphrase is asked **in the dialog** and the answer is
//!   sent once it is unlocked.

use crate::daemon::{self, Answer, Pending};
use crate::i18n::{fill, gettext, ngettext};
use adw::prelude::*;
use gtk::glib;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use zeroize::Zeroizing;

/// What the user decided in the dialog.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// An answer for the daemon.
    Answer(Answer),
    /// Not now: an approval stays pending, hidden; a consent request is refused this time.
    NotNow,
}

/// What the window does with the user's decision.
type OnDecision = Box<dyn Fn(Decision)>;

/// One open request dialog.
pub struct RequestDialog {
    window: adw::Window,
    /// The buttons that answer (disabled while the vault is locked).
    answers: Vec<gtk::Button>,
    unlock: gtk::Box,
    unlock_entry: gtk::PasswordEntry,
    unlock_error: gtk::Label,
    countdown: gtk::Label,
    bar: gtk::LevelBar,
    decided: Cell<bool>,
    /// A consent request (rather than a sign-in approval).
    consent: bool,
    /// A plain-text summary (heading, who, claims), for the automation hook.
    summary: String,
    heading: String,
    /// The response ids offered (`not-now`, `deny`, `approve`, `once`, `always`, `nNN`).
    responses: Vec<String>,
    on_decision: RefCell<Option<OnDecision>>,
    /// Ids of the buttons, in `answers`' order, to press from the automation hook.
    ids: Vec<String>,
}

/// The one name for who asks and the line under it, as Latchkey determined them.
pub fn who(p: &Pending) -> (String, String) {
    let process = |pid: u32| fill(&gettext("process {pid}"), &[("pid", &pid.to_string())]);
    if !p.caller_flatpak.is_empty() {
        let detail = fill(
            &gettext("Flatpak app, sandbox verified by Latchkey · {process}"),
            &[("process", &process(p.caller_pid))],
        );
        (p.caller_flatpak.clone(), detail)
    } else if !p.caller_script.is_empty() {
        let name = file_name(&p.caller_script);
        let detail = fill(
            &gettext("{script}, run by {interpreter} · {process}"),
            &[
                ("script", &p.caller_script),
                ("interpreter", &p.caller_exe),
                ("process", &process(p.caller_pid)),
            ],
        );
        (name, detail)
    } else if !p.caller_exe.is_empty() {
        let detail = format!("{} · {}", p.caller_exe, process(p.caller_pid));
        (file_name(&p.caller_exe), detail)
    } else if !p.caller.is_empty() && p.caller_pid == 0 {
        // A push server: its name is what its signature proves.
        (p.caller.clone(), String::new())
    } else {
        (
            gettext("An unidentified program"),
            fill(
                &gettext("It hides its executable from Latchkey · {process}"),
                &[("process", &process(p.caller_pid))],
            ),
        )
    }
}

fn file_name(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).to_string()
}

fn label(text: &str, classes: &[&str]) -> gtk::Label {
    let l = gtk::Label::builder()
        .label(text)
        .wrap(true)
        .wrap_mode(gtk::pango::WrapMode::WordChar)
        .xalign(0.0)
        .build();
    for c in classes {
        l.add_css_class(c);
    }
    l
}

impl RequestDialog {
    /// Builds the dialog of `p` over `parent`; `account` names the account it is about, if
    /// any; `locked` says whether the vault must be unlocked before answering.
    pub fn new(
        parent: &gtk::Window,
        p: &Pending,
        account: Option<String>,
        locked: bool,
        keyring: bool,
    ) -> Rc<Self> {
        let consent = p.kind == "consent";
        let heading = if consent {
            gettext("Allow Access to Your Codes?")
        } else {
            gettext("Approve Sign-In?")
        };
        let window = adw::Window::builder()
            .transient_for(parent)
            .modal(true)
            .title(heading.as_str())
            .default_width(440)
            .build();
        let content = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(14)
            .margin_top(12)
            .margin_bottom(20)
            .margin_start(20)
            .margin_end(20)
            .build();
        let header = adw::HeaderBar::builder()
            .show_end_title_buttons(false)
            .show_start_title_buttons(false)
            .build();
        header.set_title_widget(Some(&gtk::Label::new(Some("Latchkey"))));
        header.add_css_class("flat");
        content.append(&label(&heading, &["title-2"]));

        // Who asks, as determined: first and prominent.
        let (name, detail) = who(p);
        let card = gtk::Box::builder()
            .orientation(gtk::Orientation::Horizontal)
            .spacing(12)
            .build();
        card.add_css_class("card");
        card.add_css_class("requester");
        let icon = gtk::Image::from_icon_name(if p.caller_flatpak.is_empty() {
            "application-x-executable-symbolic"
        } else {
            "package-x-generic-symbolic"
        });
        icon.set_pixel_size(32);
        icon.set_valign(gtk::Align::Center);
        let words = gtk::Box::new(gtk::Orientation::Vertical, 2);
        words.append(&label(&gettext("Asked by"), &["caption", "dim-label"]));
        words.append(&label(&name, &["title-3"]));
        if !detail.is_empty() {
            words.append(&label(&detail, &["caption"]));
        }
        card.append(&icon);
        card.append(&words);
        crate::a11y::name(
            &card,
            &fill(
                &gettext("Asked by {name}, as Latchkey determined it: {detail}"),
                &[("name", &name), ("detail", &detail)],
            ),
        );
        content.append(&card);

        let mut summary = vec![heading.clone(), format!("{name} — {detail}")];
        // What for: the daemon's own sentence (consent) or the account the request names.
        if consent {
            content.append(&label(&p.title, &[]));
            summary.push(p.title.clone());
        } else if let Some(account) = &account {
            let line = fill(&gettext("For {account}"), &[("account", account)]);
            content.append(&label(&line, &["heading"]));
            summary.push(line);
        }

        // The requester's own words, as claims.
        if !consent {
            let claims: Vec<(String, &str)> = [
                (gettext("Title"), p.title.as_str()),
                (gettext("Message"), p.message.as_str()),
                (gettext("App"), p.app_name.as_str()),
                (gettext("Location"), p.location.as_str()),
                (gettext("IP address"), p.ip_address.as_str()),
            ]
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .collect();
            if !claims.is_empty() {
                let group = gtk::Box::new(gtk::Orientation::Vertical, 4);
                group.append(&label(
                    &gettext("It says (Latchkey cannot check this):"),
                    &["caption-heading", "dim-label"],
                ));
                for (what, value) in claims {
                    let line = fill(
                        &gettext("{what}: \u{201c}{value}\u{201d}"),
                        &[("what", &what), ("value", value)],
                    );
                    group.append(&label(&line, &["claim"]));
                    summary.push(line);
                }
                content.append(&group);
            }
        } else if !p.message.is_empty() {
            content.append(&label(&p.message, &["caption", "dim-label"]));
        }

        // Inline unlock, when the vault is locked.
        let unlock = gtk::Box::new(gtk::Orientation::Vertical, 6);
        unlock.append(&label(
            &gettext("Latchkey is locked. Unlock it to answer."),
            &["heading"],
        ));
        let unlock_entry = gtk::PasswordEntry::builder()
            .show_peek_icon(true)
            .placeholder_text(gettext("Passphrase").as_str())
            .build();
        crate::a11y::name(&unlock_entry, &gettext("Passphrase"));
        let unlock_row = gtk::Box::new(gtk::Orientation::Horizontal, 6);
        unlock_entry.set_hexpand(true);
        let unlock_button = gtk::Button::with_label(&gettext("Unlock"));
        unlock_row.append(&unlock_entry);
        unlock_row.append(&unlock_button);
        unlock.append(&unlock_row);
        let keyring_button = gtk::Button::with_label(&gettext("Use the Login Keyring"));
        keyring_button.add_css_class("flat");
        keyring_button.set_visible(keyring);
        unlock.append(&keyring_button);
        let unlock_error = label("", &["error"]);
        unlock_error.set_visible(false);
        unlock.append(&unlock_error);
        unlock.set_visible(locked);
        content.append(&unlock);

        // Number matching: the numbers as large targets.
        let mut answers = Vec::new();
        let mut ids = Vec::new();
        let mut responses = vec!["not-now".to_string()];
        if !p.choices.is_empty() {
            let prompt = if p.choice_labels.is_empty() {
                gettext("Pick the number shown where you are signing in.")
            } else {
                gettext("Pick the answer shown on the sign-in page.")
            };
            content.append(&label(&prompt, &[]));
            let grid = gtk::Grid::builder()
                .column_homogeneous(true)
                .column_spacing(12)
                .row_spacing(12)
                .build();
            for (i, n) in p.choices.iter().enumerate() {
                let text = p
                    .choice_labels
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| format!("{n:02}"));
                let b = gtk::Button::with_label(&text);
                b.add_css_class("number");
                b.set_height_request(64);
                crate::a11y::name(&b, &fill(&gettext("Pick {answer}"), &[("answer", &text)]));
                let (col, row) = ((i % 3) as i32, (i / 3) as i32);
                grid.attach(&b, col, row, 1, 1);
                answers.push(b);
                ids.push(format!("n{n}"));
            }
            content.append(&grid);
        }

        // Countdown to expiry.
        let countdown = label("", &["caption", "numeric"]);
        let bar = gtk::LevelBar::builder().max_value(1.0).build();
        crate::a11y::name(&bar, &gettext("Time left to answer"));
        content.append(&bar);
        content.append(&countdown);

        // The answers.
        let buttons = gtk::Box::builder()
            .orientation(gtk::Orientation::Horizontal)
            .spacing(8)
            .homogeneous(true)
            .build();
        let button = |text: String, class: Option<&str>| {
            let b = gtk::Button::with_label(&text);
            if let Some(c) = class {
                b.add_css_class(c);
            }
            buttons.append(&b);
            b
        };
        let not_now = button(gettext("Not Now"), None);
        let identified =
            !p.caller_exe.is_empty() || !p.caller_flatpak.is_empty() || !p.caller_script.is_empty();
        let mut add = |b: gtk::Button, id: &str| {
            responses.push(id.to_string());
            ids.push(id.to_string());
            answers.push(b);
        };
        if consent {
            if identified {
                add(
                    button(gettext("Always Deny"), Some("destructive-action")),
                    "deny",
                );
            }
            add(button(gettext("Allow Once"), None), "once");
            if identified {
                add(button(gettext("Always Allow"), None), "always");
            }
        } else {
            add(button(gettext("Deny"), Some("destructive-action")), "deny");
            if p.choices.is_empty() {
                add(
                    button(gettext("Approve"), Some("suggested-action")),
                    "approve",
                );
            }
        }
        responses.extend(ids.iter().filter(|i| i.starts_with('n')).cloned());
        content.append(&buttons);

        let outer = gtk::Box::new(gtk::Orientation::Vertical, 0);
        outer.append(&header);
        outer.append(&content);
        window.set_content(Some(&outer));

        let dialog = Rc::new(Self {
            window,
            answers,
            unlock,
            unlock_entry,
            unlock_error,
            countdown,
            bar,
            decided: Cell::new(false),
            consent,
            summary: summary.join("\n"),
            heading,
            responses,
            on_decision: RefCell::new(None),
            ids,
        });
        dialog.set_locked(locked);
        dialog.wire(
            &not_now,
            &unlock_button,
            &keyring_button,
            p.created,
            p.expires,
        );
        dialog
    }

    fn wire(
        self: &Rc<Self>,
        not_now: &gtk::Button,
        unlock_button: &gtk::Button,
        keyring_button: &gtk::Button,
        created: u64,
        expires: u64,
    ) {
        for (b, id) in self.answers.iter().zip(self.ids.clone()) {
            let d = Rc::downgrade(self);
            b.connect_clicked(move |_| {
                if let Some(d) = d.upgrade() {
                    d.respond(&id);
                }
            });
        }
        let d = Rc::downgrade(self);
        not_now.connect_clicked(move |_| {
            if let Some(d) = d.upgrade() {
                d.respond("not-now");
            }
        });
        // Escape, Ctrl+W and closing the window are Not Now.
        super::close_on_escape(&self.window);
        let d = Rc::downgrade(self);
        self.window.connect_close_request(move |_| {
            if let Some(d) = d.upgrade()
                && !d.decided.get()
            {
                d.decide(Decision::NotNow);
            }
            glib::Propagation::Proceed
        });
        let d = Rc::downgrade(self);
        let unlock = move || {
            if let Some(d) = d.upgrade() {
                d.unlock(false);
            }
        };
        let u = unlock.clone();
        unlock_button.connect_clicked(move |_| u());
        self.unlock_entry.connect_activate(move |_| unlock());
        let d = Rc::downgrade(self);
        keyring_button.connect_clicked(move |_| {
            if let Some(d) = d.upgrade() {
                d.unlock(true);
            }
        });
        self.tick(created, expires);
        let d = Rc::downgrade(self);
        glib::timeout_add_seconds_local(1, move || match d.upgrade() {
            Some(d) if !d.decided.get() => {
                d.tick(created, expires);
                glib::ControlFlow::Continue
            }
            _ => glib::ControlFlow::Break,
        });
    }

    /// Redraws the countdown.
    fn tick(&self, created: u64, expires: u64) {
        let left = expires.saturating_sub(crate::now());
        let total = expires.saturating_sub(created).max(1);
        self.bar.set_value(left as f64 / total as f64);
        let text = fill(
            &ngettext(
                "Expires in {n} second",
                "Expires in {n} seconds",
                left.min(u64::from(u32::MAX)) as u32,
            ),
            &[("n", &left.to_string())],
        );
        if self.countdown.label() != text {
            self.countdown.set_label(&text);
        }
    }

    /// Shows or hides the inline unlock; answers wait for an unlocked vault (Deny and Not Now
    /// never do).
    pub fn set_locked(&self, locked: bool) {
        self.unlock.set_visible(locked);
        for (b, id) in self.answers.iter().zip(&self.ids) {
            // Denying a sign-in works while locked; everything else waits for the unlock.
            b.set_sensitive(!locked || (id == "deny" && !self.consent));
        }
        if locked {
            self.unlock_entry.grab_focus();
        }
    }

    fn unlock(self: &Rc<Self>, keyring: bool) {
        let passphrase = Zeroizing::new(self.unlock_entry.text().to_string());
        if !keyring && passphrase.is_empty() {
            return;
        }
        self.unlock_entry.set_text("");
        let d = self.clone();
        glib::spawn_future_local(async move {
            let result = if keyring {
                daemon::unlock_with_keyring().await
            } else {
                daemon::unlock(passphrase).await
            };
            match result {
                // The window hears of the unlock and enables the answers (set_locked).
                Ok(()) => {
                    d.unlock_error.set_visible(false);
                    d.set_locked(false);
                }
                Err(e) => {
                    d.unlock_error.set_label(&super::prompt::failure(&e));
                    d.unlock_error.set_visible(true);
                    d.unlock_entry.grab_focus();
                }
            }
        });
    }

    /// Calls `f` with the user's decision (once).
    pub fn connect_decision(&self, f: impl Fn(Decision) + 'static) {
        self.on_decision.replace(Some(Box::new(f)));
    }

    fn decide(&self, decision: Decision) {
        if self.decided.replace(true) {
            return;
        }
        if let Some(f) = self.on_decision.borrow().as_ref() {
            f(decision);
        }
    }

    /// Answers as if the user pressed the button `id` (`not-now`, `deny`, `approve`, `once`,
    /// `always`, `nNN`); false if the dialog has no such answer or it is not available now.
    pub fn respond(&self, id: &str) -> bool {
        let decision = match id {
            "not-now" => Decision::NotNow,
            "approve" => Decision::Answer(Answer::Approve(0)),
            "deny" if self.consent => Decision::Answer(Answer::Consent("deny".into())),
            "deny" => Decision::Answer(Answer::Deny),
            "once" | "always" => Decision::Answer(Answer::Consent(id.into())),
            n => match n.strip_prefix('n').and_then(|n| n.parse().ok()) {
                Some(n) => Decision::Answer(Answer::Approve(n)),
                None => return false,
            },
        };
        let available = id == "not-now"
            || self
                .answers
                .iter()
                .zip(&self.ids)
                .any(|(b, i)| i == id && b.is_sensitive());
        if !available {
            return false;
        }
        self.decide(decision);
        self.window.close();
        true
    }

    /// Presents the dialog; nothing has the focus that could answer by a stray Enter.
    pub fn present(&self) {
        self.window.present();
        if self.unlock.is_visible() {
            self.unlock_entry.grab_focus();
        } else {
            GtkWindowExt::set_focus(&self.window, None::<&gtk::Widget>);
        }
    }

    /// Closes the dialog without answering (the request ended elsewhere).
    pub fn close(&self) {
        self.decided.set(true);
        self.window.close();
    }

    /// The heading, for the automation hook.
    pub fn heading(&self) -> &str {
        &self.heading
    }

    /// What the dialog says, as plain text, for the automation hook.
    pub fn summary(&self) -> &str {
        &self.summary
    }

    /// The answers offered, for the automation hook.
    pub fn responses(&self) -> &[String] {
        &self.responses
    }

    /// The window's size, for the automation hook.
    pub fn size(&self) -> (i32, i32) {
        (self.window.width(), self.window.height())
    }
}
