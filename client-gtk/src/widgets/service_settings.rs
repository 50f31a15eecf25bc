//! The service's settings in Preferences, one row per [`Setting`] of the contract: a switch for
//! a flag, a spin button for seconds and counts, an entry for text. A change that weakens a
//! protection is confirmed first, with the contract's own question; a refused change is put
//! back. While the vault is locked the rows cannot be changed, as the daemon refuses other
//! apps: whoever sits at an unlocked session must not switch protections off unseen.

use crate::daemon;
use crate::i18n::{fill, gettext, n_};
use adw::prelude::*;
use gtk::glib;
use latchkey_dbus::settings::{Kind, Setting, Snapshot, Value};
use std::cell::RefCell;
use std::rc::Rc;

/// The groups and the settings in each, in the order people read them.
const GROUPS: [(&str, &[Setting]); 4] = [
    (
        n_("Locking"),
        &[
            Setting::AutoLockTimeout,
            Setting::LockOnScreenLock,
            Setting::LockOnSuspend,
            Setting::LockOnSessionIdle,
        ],
    ),
    (
        n_("Apps and Sign-Ins"),
        &[
            Setting::RequireAppConsent,
            Setting::ApprovalRequiresUnlock,
            Setting::PushPollInterval,
        ],
    ),
    (
        n_("Backups"),
        &[
            Setting::AutomaticBackups,
            Setting::BackupFolder,
            Setting::BackupKeep,
        ],
    ),
    (n_("Diagnostics"), &[Setting::LogLevel]),
];

/// A row's title and subtitle.
fn words(s: Setting) -> (String, String) {
    let (title, subtitle) = match s {
        Setting::AutoLockTimeout => (
            gettext("Lock After Inactivity"),
            gettext("Minutes without use; 0 never locks"),
        ),
        Setting::LockOnScreenLock => (gettext("Lock With the Screen"), String::new()),
        Setting::LockOnSuspend => (gettext("Lock Before Suspend"), String::new()),
        Setting::LockOnSessionIdle => (gettext("Lock When the Session Is Idle"), String::new()),
        Setting::RequireAppConsent => (
            gettext("Ask Before Other Apps Get Codes"),
            gettext("Apps other than Latchkey's own need your consent for each account"),
        ),
        Setting::ApprovalRequiresUnlock => (
            gettext("Approve Sign-Ins Only When Unlocked"),
            gettext("A sign-in request waits until the vault is unlocked"),
        ),
        Setting::PushPollInterval => (gettext("Check for Push Sign-Ins Every"), gettext("Seconds")),
        Setting::AutomaticBackups => (gettext("Back Up After Every Change"), String::new()),
        Setting::BackupFolder => (
            gettext("Backup Folder"),
            gettext("Empty: the default folder"),
        ),
        Setting::BackupKeep => (gettext("Backups to Keep"), String::new()),
        Setting::LogLevel => (
            gettext("Log Level"),
            gettext("error, warn, info, debug or trace"),
        ),
    };
    (title, subtitle)
}

/// The question asked before a change that weakens a protection (the contract decides which
/// do: [`Setting::weakens`]), in the user's language.
fn question(s: Setting, old: &Value, new: &Value) -> Option<String> {
    let asked = s.weakens(old, new)?;
    Some(match (s, new) {
        (Setting::RequireAppConsent, _) => {
            gettext("Let every app get codes without asking you first?")
        }
        (Setting::ApprovalRequiresUnlock, _) => {
            gettext("Let sign-in requests be approved while the vault is locked?")
        }
        (Setting::LockOnScreenLock, _) => gettext("Stop locking the vault with the screen?"),
        (Setting::LockOnSuspend, _) => gettext("Stop locking the vault before suspend?"),
        (Setting::LockOnSessionIdle, _) => {
            gettext("Stop locking the vault when the session is idle?")
        }
        (Setting::AutomaticBackups, _) => gettext("Stop writing automatic backups?"),
        (Setting::AutoLockTimeout, Value::Number(0)) => {
            gettext("Never lock the vault after inactivity?")
        }
        (Setting::AutoLockTimeout, Value::Number(n)) => fill(
            &gettext("Keep the vault unlocked longer when idle ({minutes} minutes)?"),
            &[("minutes", &(n / 60).to_string())],
        ),
        _ => asked,
    })
}

/// The rows, built once and filled from a snapshot.
pub struct ServiceSettings {
    groups: Vec<adw::PreferencesGroup>,
    rows: Vec<(Setting, gtk::Widget)>,
    /// The values as the daemon last said, to compare a change with.
    current: RefCell<Option<Snapshot>>,
    /// True while values are being filled in (no write-back).
    loading: std::cell::Cell<bool>,
}

impl ServiceSettings {
    /// Builds the groups; a refused change's reason is shown as a toast on `parent`.
    pub fn new(parent: &adw::PreferencesWindow) -> Rc<Self> {
        let mut groups = Vec::new();
        let mut rows = Vec::new();
        for (title, settings) in GROUPS {
            let group = adw::PreferencesGroup::new();
            group.set_title(&gettext(title));
            for &s in settings {
                let (row, control) = row_for(s);
                group.add(&row);
                rows.push((s, control));
            }
            groups.push(group);
        }
        let this = Rc::new(Self {
            groups,
            rows,
            current: RefCell::new(None),
            loading: std::cell::Cell::new(true),
        });
        for (s, control) in &this.rows {
            this.connect(parent, *s, control);
        }
        this
    }

    /// The groups, to add to a page.
    pub fn groups(&self) -> &[adw::PreferencesGroup] {
        &self.groups
    }

    /// Shows the daemon's values; `open` is whether the vault is unlocked (else read-only).
    pub fn show(&self, snapshot: Snapshot, open: bool) {
        self.loading.set(true);
        for (s, control) in &self.rows {
            if let Some(v) = snapshot.get(*s) {
                set_control(*s, control, v);
            }
            // Each control too, not only its group: GTK 4.8 tells assistive technologies a
            // widget's own sensitivity, not the one it inherits.
            control.set_sensitive(open);
        }
        for g in &self.groups {
            g.set_sensitive(open);
            let locked = gettext("Unlock Latchkey to change these settings.");
            g.set_description((!open).then_some(locked.as_str()));
        }
        self.current.replace(Some(snapshot));
        self.loading.set(false);
    }

    fn connect(
        self: &Rc<Self>,
        parent: &adw::PreferencesWindow,
        s: Setting,
        control: &gtk::Widget,
    ) {
        let this = Rc::downgrade(self);
        let parent = parent.downgrade();
        let changed = move |value: Value| {
            let (Some(this), Some(parent)) = (this.upgrade(), parent.upgrade()) else {
                return;
            };
            if this.loading.get() {
                return;
            }
            this.change(&parent, s, value);
        };
        if let Some(sw) = control.downcast_ref::<gtk::Switch>() {
            sw.connect_active_notify(move |sw| changed(Value::Flag(sw.is_active())));
        } else if let Some(spin) = control.downcast_ref::<gtk::SpinButton>() {
            spin.connect_value_changed(move |spin| {
                let n = spin.value_as_int().max(0) as u32;
                changed(Value::Number(if s == Setting::AutoLockTimeout {
                    n * 60
                } else {
                    n
                }));
            });
        } else if let Some(entry) = control.downcast_ref::<adw::EntryRow>() {
            entry.connect_apply(move |e| changed(Value::Text(e.text().trim().to_string())));
        }
    }

    /// Asks first when `value` weakens a protection, then sends it; puts the old value back if
    /// the user declines or the daemon refuses.
    fn change(self: &Rc<Self>, parent: &adw::PreferencesWindow, s: Setting, value: Value) {
        let old = self
            .current
            .borrow()
            .as_ref()
            .and_then(|c| c.get(s).cloned());
        let Some(old) = old else { return };
        match question(s, &old, &value) {
            None => self.send(parent, s, value, old),
            Some(q) => {
                let dialog = adw::MessageDialog::new(
                    Some(parent),
                    Some(&gettext("Weaken a protection?")),
                    Some(&q),
                );
                dialog.add_response("cancel", &gettext("Keep It"));
                dialog.add_response("weaken", &gettext("Change It"));
                dialog.set_response_appearance("weaken", adw::ResponseAppearance::Destructive);
                dialog.set_default_response(Some("cancel"));
                dialog.set_close_response("cancel");
                let this = self.clone();
                let parent = parent.clone();
                dialog.connect_response(None, move |_, response| {
                    if response == "weaken" {
                        this.send(&parent, s, value.clone(), old.clone());
                    } else {
                        this.restore(s, &old);
                    }
                });
                dialog.present();
            }
        }
    }

    /// Sends the change; a refusal puts the old value back and says why.
    fn send(
        self: &Rc<Self>,
        parent: &adw::PreferencesWindow,
        s: Setting,
        value: Value,
        old: Value,
    ) {
        let this = self.clone();
        let parent = parent.clone();
        glib::spawn_future_local(async move {
            match daemon::set_setting(s, value.clone()).await {
                Ok(()) => {
                    if let Some(c) = this.current.borrow_mut().as_mut() {
                        c.set(s, value);
                    }
                }
                Err(e) => {
                    this.restore(s, &old);
                    parent.add_toast(adw::Toast::new(&e.message()));
                }
            }
        });
    }

    fn restore(&self, s: Setting, old: &Value) {
        self.loading.set(true);
        if let Some((_, control)) = self.rows.iter().find(|(r, _)| *r == s) {
            set_control(s, control, old);
        }
        self.loading.set(false);
    }
}

/// A row for `s` and the widget that holds its value.
fn row_for(s: Setting) -> (gtk::Widget, gtk::Widget) {
    let (title, subtitle) = words(s);
    let (title, subtitle) = (title.as_str(), subtitle.as_str());
    match s.kind() {
        Kind::Flag => {
            let row = adw::ActionRow::new();
            row.set_title(title);
            if !subtitle.is_empty() {
                row.set_subtitle(subtitle);
            }
            let sw = gtk::Switch::new();
            sw.set_valign(gtk::Align::Center);
            row.add_suffix(&sw);
            row.set_activatable_widget(Some(&sw));
            (row.upcast(), sw.upcast())
        }
        Kind::Seconds | Kind::Count => {
            let row = adw::ActionRow::new();
            row.set_title(title);
            if !subtitle.is_empty() {
                row.set_subtitle(subtitle);
            }
            let (lower, upper) = match s {
                Setting::AutoLockTimeout => (0.0, 7.0 * 24.0 * 60.0),
                Setting::PushPollInterval => (1.0, 3600.0),
                _ => (1.0, 10_000.0),
            };
            let spin = gtk::SpinButton::with_range(lower, upper, 1.0);
            spin.set_valign(gtk::Align::Center);
            row.add_suffix(&spin);
            row.set_activatable_widget(Some(&spin));
            (row.upcast(), spin.upcast())
        }
        Kind::Text => {
            let row = adw::EntryRow::new();
            row.set_title(title);
            row.set_show_apply_button(true);
            (row.clone().upcast(), row.upcast())
        }
    }
}

fn set_control(s: Setting, control: &gtk::Widget, v: &Value) {
    match v {
        Value::Flag(b) => {
            if let Some(sw) = control.downcast_ref::<gtk::Switch>() {
                sw.set_active(*b);
            }
        }
        Value::Number(n) => {
            if let Some(spin) = control.downcast_ref::<gtk::SpinButton>() {
                let shown = if s == Setting::AutoLockTimeout {
                    n.div_ceil(60)
                } else {
                    *n
                };
                spin.set_value(f64::from(shown));
            }
        }
        Value::Text(t) => {
            if let Some(e) = control.downcast_ref::<adw::EntryRow>() {
                e.set_text(t);
            }
        }
    }
}
