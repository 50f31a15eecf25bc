//! Asking for a passphrase before something that needs it (an export, an account's secret, a
//! restore, approving while locked elsewhere): a small window that stays open on a wrong
//! passphrase, says so, and lets the user try again or cancel.

use adw::prelude::*;
use gtk::glib;
use std::future::Future;
use std::rc::Rc;
use zeroize::Zeroizing;

/// The words of one prompt.
pub struct Words {
    /// The window's title ("Show QR Code").
    pub title: String,
    /// What the passphrase is for, in a sentence or two.
    pub body: String,
    /// The entry's name ("Vault passphrase").
    pub entry: String,
    /// The button that goes ahead ("Show").
    pub button: String,
}

/// A small window asking for something: Cancel and a button that goes ahead (insensitive until
/// the caller enables it) in the header, `fields` for the caller's widgets, and an error line
/// under them. Escape and Ctrl+W close it.
pub struct Form {
    pub window: adw::Window,
    pub go: gtk::Button,
    pub fields: gtk::Box,
    pub error: gtk::Label,
}

impl Form {
    /// A form titled `title` over `parent`, whose button says `button`.
    pub fn new(parent: &impl IsA<gtk::Window>, title: &str, button: &str) -> Self {
        let window = adw::Window::builder()
            .transient_for(parent)
            .modal(true)
            .title(title)
            .default_width(420)
            .build();
        super::close_on_escape(&window);
        let cancel = gtk::Button::with_label(&crate::i18n::gettext("Cancel"));
        let go = gtk::Button::with_label(button);
        go.add_css_class("suggested-action");
        go.set_sensitive(false);
        let header = adw::HeaderBar::builder()
            .show_end_title_buttons(false)
            .show_start_title_buttons(false)
            .build();
        header.pack_start(&cancel);
        header.pack_end(&go);
        let fields = gtk::Box::new(gtk::Orientation::Vertical, 12);
        let error = gtk::Label::builder()
            .wrap(true)
            .xalign(0.0)
            .visible(false)
            .build();
        error.add_css_class("error");
        let content = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(12)
            .margin_top(18)
            .margin_bottom(24)
            .margin_start(24)
            .margin_end(24)
            .build();
        content.append(&fields);
        content.append(&error);
        let outer = gtk::Box::new(gtk::Orientation::Vertical, 0);
        outer.append(&header);
        outer.append(&content);
        window.set_content(Some(&outer));
        window.set_default_widget(Some(&go));
        cancel.connect_clicked(glib::clone!(
            #[weak]
            window,
            move |_| window.close()
        ));
        Self {
            window,
            go,
            fields,
            error,
        }
    }
}

/// A password entry named (for screen readers too) and hinted `name`.
pub fn password_entry(name: &str) -> gtk::PasswordEntry {
    let e = gtk::PasswordEntry::builder()
        .show_peek_icon(true)
        .placeholder_text(name)
        .build();
    crate::a11y::name(&e, name);
    e
}

/// Opens the prompt over `parent`; each time the user goes ahead, `attempt` runs with what they
/// typed. `Ok` closes the prompt; `Err(sentence)` shows the sentence and asks again.
pub fn ask<F, Fut>(parent: &impl IsA<gtk::Window>, words: Words, attempt: F)
where
    F: Fn(Zeroizing<String>) -> Fut + 'static,
    Fut: Future<Output = Result<(), String>> + 'static,
{
    let Form {
        window,
        go,
        fields,
        error,
    } = Form::new(parent, &words.title, &words.button);
    let body = gtk::Label::builder()
        .label(words.body.as_str())
        .wrap(true)
        .xalign(0.0)
        .build();
    let entry = password_entry(&words.entry);
    entry.set_activates_default(true);
    fields.append(&body);
    fields.append(&entry);
    entry.connect_changed(glib::clone!(
        #[weak]
        go,
        move |e| go.set_sensitive(!e.text().is_empty())
    ));
    let attempt = Rc::new(attempt);
    let submit = glib::clone!(
        #[weak]
        window,
        #[weak]
        entry,
        #[weak]
        error,
        #[weak]
        go,
        move || {
            let text = Zeroizing::new(entry.text().to_string());
            if text.is_empty() {
                return;
            }
            go.set_sensitive(false);
            entry.set_sensitive(false);
            let attempt = attempt.clone();
            glib::spawn_future_local(async move {
                let result = attempt(text).await;
                entry.set_sensitive(true);
                match result {
                    Ok(()) => window.close(),
                    Err(sentence) => {
                        error.set_label(&sentence);
                        error.set_visible(true);
                        entry.set_text("");
                        entry.grab_focus();
                    }
                }
            });
        }
    );
    let s = submit.clone();
    go.connect_clicked(move |_| s());
    entry.connect_activate(move |_| submit());
    window.present();
    entry.grab_focus();
}

/// The sentence for a failed passphrase check: a wrong passphrase in plain words, anything else
/// as the daemon says it.
pub fn failure(e: &latchkey_dbus::Error) -> String {
    match e {
        latchkey_dbus::Error::BadPassphrase(_) => {
            crate::i18n::gettext("Wrong passphrase. Try again.")
        }
        other => other.message(),
    }
}
