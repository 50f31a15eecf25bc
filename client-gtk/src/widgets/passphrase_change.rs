//! Changing the vault passphrase: the current one, then the new one twice, judged as on the
//! first run. The daemon checks the current one (a wrong one counts like a wrong unlock).

use super::prompt::{Form, password_entry};
use crate::daemon;
use crate::i18n::gettext;
use adw::prelude::*;
use gtk::glib;
use std::rc::Rc;
use zeroize::Zeroizing;

/// Opens the dialog over `parent`; `done` runs after the passphrase changed.
pub fn open(parent: &impl IsA<gtk::Window>, done: impl Fn() + 'static) {
    let form = Form::new(parent, &gettext("Change Passphrase"), &gettext("Change"));
    let current = password_entry(&gettext("Current passphrase"));
    let first = password_entry(&gettext("New passphrase"));
    let second = password_entry(&gettext("Repeat the new passphrase"));
    second.set_activates_default(true);
    let bar = gtk::LevelBar::builder()
        .min_value(0.0)
        .max_value(4.0)
        .mode(gtk::LevelBarMode::Discrete)
        .build();
    crate::a11y::name(&bar, &gettext("Passphrase strength"));
    let hint = gtk::Label::builder().wrap(true).xalign(0.0).build();
    hint.add_css_class("caption");
    let warning = gtk::Label::builder()
        .label(gettext(
            "Nobody can recover a forgotten passphrase. Backups made before the change still \
             open with the old one.",
        ))
        .wrap(true)
        .xalign(0.0)
        .build();
    warning.add_css_class("caption");
    warning.add_css_class("dim-label");
    for w in [
        current.upcast_ref::<gtk::Widget>(),
        first.upcast_ref(),
        second.upcast_ref(),
        bar.upcast_ref(),
        hint.upcast_ref(),
        warning.upcast_ref(),
    ] {
        form.fields.append(w);
    }
    let check = glib::clone!(
        #[weak]
        current,
        #[weak]
        first,
        #[weak]
        second,
        #[weak]
        bar,
        #[weak]
        hint,
        #[weak(rename_to = change)]
        form.go,
        move || {
            let verdict = super::passphrase::judge(&first.text(), &second.text());
            bar.set_value(verdict.level);
            hint.set_label(&verdict.hint);
            hint.set_visible(!verdict.hint.is_empty());
            change.set_sensitive(verdict.usable && !current.text().is_empty());
        }
    );
    for e in [&current, &first, &second] {
        let check = check.clone();
        e.connect_changed(move |_| check());
    }
    let done = Rc::new(done);
    form.go.connect_clicked(glib::clone!(
        #[weak(rename_to = window)]
        form.window,
        #[weak(rename_to = error)]
        form.error,
        #[weak]
        current,
        #[weak]
        first,
        move |button| {
            let old = Zeroizing::new(current.text().to_string());
            let new = Zeroizing::new(first.text().to_string());
            button.set_sensitive(false);
            let done = done.clone();
            glib::spawn_future_local(async move {
                match daemon::change_passphrase(old, new).await {
                    Ok(()) => {
                        done();
                        window.close();
                    }
                    Err(e) => {
                        error.set_label(&super::prompt::failure(&e));
                        error.set_visible(true);
                        current.set_text("");
                        current.grab_focus();
                    }
                }
            });
        }
    ));
    form.window.present();
    current.grab_focus();
}
