//! The Devices page of Preferences: sync with the user's other machines through a folder they
//! already sync (turn it on, join with a code, invite another machine, forget a lost one, turn
//! it off), and following the encrypted Aegis backups a phone writes — everything
//! `latchkey sync` does, for a person who never opens a terminal.

use super::prompt::{self, Form, Words};
use crate::daemon::{self, SyncStatus};
use crate::i18n::{fill, gettext};
use adw::prelude::*;
use gtk::glib;
use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::{Rc, Weak};
use zeroize::Zeroizing;

thread_local! {
    /// The Devices pages open now, refreshed when sync's status changes.
    static OPEN: RefCell<Vec<Weak<DevicesPage>>> = const { RefCell::new(Vec::new()) };
}

/// Sync's status changed (the daemon's `Changed` signal): every open Devices page re-reads it.
pub fn sync_changed() {
    let pages: Vec<Rc<DevicesPage>> =
        OPEN.with(|o| o.borrow().iter().filter_map(Weak::upgrade).collect());
    for p in pages {
        p.refresh();
    }
}

/// What a row's button does on the page.
type Action = fn(&Rc<DevicesPage>);

/// The page and what it refreshes.
pub struct DevicesPage {
    page: adw::PreferencesPage,
    sync: adw::PreferencesGroup,
    devices: adw::PreferencesGroup,
    aegis: adw::PreferencesGroup,
    /// The rows shown now, removed before the next refresh.
    rows: RefCell<Vec<(adw::PreferencesGroup, gtk::Widget)>>,
    /// The status they show: a refresh that reads the same keeps them (and the focus in them).
    shown: RefCell<Option<SyncStatus>>,
    parent: glib::WeakRef<gtk::Window>,
}

fn date(time: u64) -> String {
    glib::DateTime::from_unix_local(time as i64)
        .and_then(|t| t.format("%x %X"))
        .map(|s| s.to_string())
        .unwrap_or_default()
}

impl DevicesPage {
    /// The page, in the window `parent`.
    pub fn new(parent: &gtk::Window) -> Rc<Self> {
        let page = adw::PreferencesPage::builder()
            .title(gettext("Devices"))
            .icon_name("computer-symbolic")
            .build();
        let sync = adw::PreferencesGroup::builder()
            .title(gettext("Sync"))
            .description(gettext(
                "Keep your accounts in step with your other computers through a folder you \
                 already sync, with Syncthing or Nextcloud. Latchkey writes only encrypted \
                 files there, one per computer.",
            ))
            .build();
        let devices = adw::PreferencesGroup::builder()
            .title(gettext("Your Computers"))
            .build();
        let aegis = adw::PreferencesGroup::builder()
            .title(gettext("Aegis on Your Phone"))
            .description(gettext(
                "Mirror the encrypted backups Aegis writes on your phone, carried here by \
                 Syncthing or Nextcloud: accounts added, changed and removed in Aegis follow. \
                 Latchkey never writes into that folder.",
            ))
            .build();
        page.add(&sync);
        page.add(&devices);
        page.add(&aegis);
        let this = Rc::new(Self {
            page,
            sync,
            devices,
            aegis,
            rows: RefCell::default(),
            shown: RefCell::default(),
            parent: parent.downgrade(),
        });
        OPEN.with(|o| {
            let mut o = o.borrow_mut();
            o.retain(|w| w.strong_count() > 0);
            o.push(Rc::downgrade(&this));
        });
        this
    }

    /// The page widget.
    pub fn page(&self) -> &adw::PreferencesPage {
        &self.page
    }

    /// Reads sync's status again and shows it.
    pub fn refresh(self: &Rc<Self>) {
        let this = self.clone();
        glib::spawn_future_local(async move {
            match daemon::sync_status().await {
                Ok(s) => this.show(&s),
                Err(e) => this.toast(&e.message()),
            }
        });
    }

    fn toast(&self, text: &str) {
        super::preferences::toast(&self.parent, text);
    }

    fn add(&self, group: &adw::PreferencesGroup, row: &impl IsA<gtk::Widget>) {
        group.add(row);
        self.rows
            .borrow_mut()
            .push((group.clone(), row.clone().upcast()));
    }

    /// A row with a title, a subtitle and, when `button` is given, a button doing `action`.
    fn row(
        self: &Rc<Self>,
        group: &adw::PreferencesGroup,
        title: &str,
        subtitle: &str,
        button: Option<(String, bool, Action)>,
    ) {
        let row = adw::ActionRow::builder()
            .title(glib::markup_escape_text(title).as_str())
            .build();
        if !subtitle.is_empty() {
            row.set_subtitle(&glib::markup_escape_text(subtitle));
        }
        if let Some((label, destructive, action)) = button {
            let b = gtk::Button::builder()
                .label(label)
                .valign(gtk::Align::Center)
                .build();
            if destructive {
                b.add_css_class("destructive-action");
            }
            let this = Rc::downgrade(self);
            b.connect_clicked(move |_| {
                if let Some(t) = this.upgrade() {
                    action(&t);
                }
            });
            row.add_suffix(&b);
            row.set_activatable_widget(Some(&b));
        }
        self.add(group, &row);
    }

    fn show(self: &Rc<Self>, s: &SyncStatus) {
        if self.shown.borrow().as_ref() == Some(s) {
            return;
        }
        self.shown.replace(Some(s.clone()));
        for (group, row) in self.rows.take() {
            group.remove(&row);
        }
        if !s.enabled {
            self.row(
                &self.sync,
                &gettext("Turn On Sync"),
                &gettext("As the first computer: choose the shared folder"),
                Some((gettext("Turn On…"), false, Self::enable)),
            );
            self.row(
                &self.sync,
                &gettext("Join Your Other Computers"),
                &gettext("With the code another computer shows under Invite"),
                Some((gettext("Join…"), false, Self::join)),
            );
        } else {
            let state = if s.forgotten {
                gettext("Another computer forgot this one: it gets nothing more")
            } else if !s.join_error.is_empty() {
                s.join_error.clone()
            } else if s.joining {
                gettext("Waiting for the inviting computer to let this one in")
            } else if s.last_merge > 0 {
                fill(
                    &gettext("Last merged {date}: {summary}"),
                    &[
                        ("date", &date(s.last_merge)),
                        ("summary", &s.last_merge_summary),
                    ],
                )
            } else {
                gettext("Nothing merged yet")
            };
            let short: String = s.device_id.chars().take(8).collect();
            self.row(
                &self.sync,
                &gettext("This Computer"),
                &format!("{} · {short}", s.device_name),
                None,
            );
            self.row(&self.sync, &gettext("Folder"), &s.folder, None);
            self.row(&self.sync, &gettext("Status"), &state, None);
            if !s.last_error.is_empty() {
                self.row(&self.sync, &gettext("Last Error"), &s.last_error, None);
            }
            if s.joining {
                self.row(
                    &self.sync,
                    &gettext("Join Again"),
                    &gettext("With a new code from the inviting computer"),
                    Some((gettext("Join…"), false, Self::join)),
                );
            } else {
                self.row(
                    &self.sync,
                    &gettext("Invite a Computer"),
                    &gettext("Shows a one-time code for your next computer"),
                    Some((gettext("Invite…"), false, Self::invite)),
                );
            }
            self.row(
                &self.sync,
                &gettext("Turn Off Sync"),
                &gettext("This computer keeps its accounts and stops syncing"),
                Some((gettext("Turn Off…"), true, Self::disable)),
            );
        }
        self.devices.set_visible(s.enabled);
        for d in &s.devices {
            let subtitle = if d.this_device {
                gettext("This computer")
            } else if d.forgotten {
                gettext("Forgotten")
            } else if d.last_seen > 0 {
                fill(
                    &gettext("Last seen {date}"),
                    &[("date", &date(d.last_seen))],
                )
            } else {
                gettext("Not seen yet")
            };
            let row = adw::ActionRow::builder()
                .title(glib::markup_escape_text(&d.name).as_str())
                .subtitle(glib::markup_escape_text(&subtitle).as_str())
                .tooltip_text(d.id.as_str())
                .build();
            if !d.this_device && !d.forgotten {
                let b = gtk::Button::builder()
                    .label(gettext("Forget…"))
                    .valign(gtk::Align::Center)
                    .build();
                b.add_css_class("destructive-action");
                crate::a11y::name(&b, &fill(&gettext("Forget {name}"), &[("name", &d.name)]));
                let (this, id, name) = (Rc::downgrade(self), d.id.clone(), d.name.clone());
                b.connect_clicked(move |_| {
                    if let Some(t) = this.upgrade() {
                        t.forget(id.clone(), name.clone());
                    }
                });
                row.add_suffix(&b);
            }
            self.add(&self.devices, &row);
        }
        if s.aegis_folder.is_empty() {
            self.row(
                &self.aegis,
                &gettext("Follow Aegis Backups"),
                &gettext("Choose the folder Aegis writes its backups to"),
                Some((gettext("Follow…"), false, Self::follow_aegis)),
            );
        } else {
            let detail = if !s.aegis_error.is_empty() {
                s.aegis_error.clone()
            } else if !s.aegis_backup.is_empty() {
                fill(&gettext("Mirroring {file}"), &[("file", &s.aegis_backup)])
            } else {
                gettext("No backup seen yet")
            };
            self.row(&self.aegis, &s.aegis_folder, &detail, None);
            self.row(
                &self.aegis,
                &gettext("Stop Following"),
                &gettext("The accounts that came from Aegis stay"),
                Some((gettext("Stop"), false, Self::stop_aegis)),
            );
        }
    }

    /// Runs `call`, then says `done` or why not, and refreshes.
    fn run(
        self: &Rc<Self>,
        call: impl std::future::Future<Output = Result<(), latchkey_dbus::Error>> + 'static,
        done: String,
    ) {
        let this = self.clone();
        glib::spawn_future_local(async move {
            match call.await {
                Ok(()) => this.toast(&done),
                Err(e) => this.toast(&e.message()),
            }
            this.refresh();
        });
    }

    fn folder_then(self: &Rc<Self>, title: String, then: impl Fn(&Rc<Self>, PathBuf) + 'static) {
        let Some(parent) = self.parent.upgrade() else {
            return;
        };
        let this = Rc::downgrade(self);
        super::files::folder(&parent, &title, move |path| {
            if let Some(t) = this.upgrade() {
                then(&t, path);
            }
        });
    }

    /// A form asking for this computer's name (and, to join, the code). Going ahead runs `go`
    /// with what was typed; the form stays open until the daemon answers: `Ok` closes it and
    /// says `done`, an error is shown in the form with what was typed kept, to correct.
    fn ask_name<F, Fut>(
        self: &Rc<Self>,
        title: String,
        button: String,
        with_code: bool,
        done: String,
        go: F,
    ) where
        F: Fn(Zeroizing<String>, String) -> Fut + 'static,
        Fut: std::future::Future<Output = Result<(), latchkey_dbus::Error>> + 'static,
    {
        let Some(parent) = self.parent.upgrade() else {
            return;
        };
        let form = Form::new(&parent, &title, &button);
        let code = gtk::Entry::builder()
            .placeholder_text(gettext("Invite code").as_str())
            .visible(with_code)
            .build();
        crate::a11y::name(&code, &gettext("Invite code"));
        let name = gtk::Entry::builder()
            .placeholder_text(gettext("This computer's name").as_str())
            .text(glib::host_name().as_str())
            .activates_default(true)
            .build();
        crate::a11y::name(&name, &gettext("This computer's name"));
        let hint = gtk::Label::builder()
            .label(gettext("Your other computers list this one by this name."))
            .wrap(true)
            .xalign(0.0)
            .build();
        hint.add_css_class("caption");
        form.fields.append(&code);
        form.fields.append(&name);
        form.fields.append(&hint);
        let ready = move |code: &gtk::Entry, name: &gtk::Entry| {
            !name.text().trim().is_empty() && (!with_code || !code.text().trim().is_empty())
        };
        let check = glib::clone!(
            #[weak]
            code,
            #[weak]
            name,
            #[weak(rename_to = go_button)]
            form.go,
            move || go_button.set_sensitive(ready(&code, &name))
        );
        let c = check.clone();
        code.connect_changed(move |_| c());
        name.connect_changed(move |_| check());
        form.go.set_sensitive(ready(&code, &name));
        let (this, go) = (Rc::downgrade(self), Rc::new(go));
        form.go.connect_clicked(glib::clone!(
            #[weak(rename_to = window)]
            form.window,
            #[weak(rename_to = error)]
            form.error,
            move |button| {
                let Some(t) = this.upgrade() else {
                    return;
                };
                let secret = Zeroizing::new(code.text().trim().to_string());
                let call = go(secret, name.text().trim().to_string());
                button.set_sensitive(false);
                error.set_visible(false);
                let (button, done) = (button.clone(), done.clone());
                glib::spawn_future_local(async move {
                    let result = call.await;
                    t.refresh();
                    match result {
                        Ok(()) => {
                            window.close();
                            t.toast(&done);
                        }
                        Err(e) => {
                            error.set_label(&e.message());
                            error.set_visible(true);
                            button.set_sensitive(true);
                        }
                    }
                });
            }
        ));
        form.window.present();
    }

    fn enable(self: &Rc<Self>) {
        self.folder_then(gettext("Choose the Shared Folder"), |t, folder| {
            let folder = folder.display().to_string();
            t.ask_name(
                gettext("Turn On Sync"),
                gettext("Turn On"),
                false,
                gettext("Sync is on"),
                move |_, name| daemon::sync_enable(folder.clone(), name),
            );
        });
    }

    fn join(self: &Rc<Self>) {
        self.folder_then(gettext("Choose the Shared Folder"), |t, folder| {
            let folder = folder.display().to_string();
            t.ask_name(
                gettext("Join Your Other Computers"),
                gettext("Join"),
                true,
                gettext("Asked to join: the inviting computer lets this one in"),
                move |code, name| daemon::sync_join(folder.clone(), code, name),
            );
        });
    }

    fn invite(self: &Rc<Self>) {
        let this = self.clone();
        glib::spawn_future_local(async move {
            match daemon::sync_invite().await {
                Ok((code, expires)) => this.show_invite(&code, expires),
                Err(e) => this.toast(&e.message()),
            }
        });
    }

    /// The invite code as text and as a QR code, with its expiry.
    fn show_invite(&self, code: &str, expires: u64) {
        let Some(parent) = self.parent.upgrade() else {
            return;
        };
        let explain = gtk::Label::builder()
            .label(gettext(
                "On your other computer, open Latchkey's Preferences, Devices, Join, choose the \
                 same shared folder and enter this code. It works once, and gives every account: \
                 enter it only on a computer of your own.",
            ))
            .wrap(true)
            .xalign(0.0)
            .build();
        let picture = super::account_qr::picture(code, &gettext("The invite code as a QR code"));
        let until = gtk::Label::builder()
            .label(fill(&gettext("Valid until {date}"), &[("date", &date(expires))]).as_str())
            .build();
        until.add_css_class("caption");
        let text = gtk::Label::builder()
            .label(code)
            .selectable(true)
            .wrap(true)
            .wrap_mode(gtk::pango::WrapMode::Char)
            .build();
        text.add_css_class("title-3");
        text.add_css_class("monospace");
        crate::a11y::name(
            &text,
            &fill(&gettext("Invite code {code}"), &[("code", code)]),
        );
        super::account_qr::secret_window(
            &parent,
            &gettext("Invite a Computer"),
            &[
                explain.upcast_ref(),
                picture.upcast_ref(),
                until.upcast_ref(),
            ],
            text,
        );
    }

    fn forget(self: &Rc<Self>, id: String, name: String) {
        let Some(parent) = self.parent.upgrade() else {
            return;
        };
        let dialog = adw::MessageDialog::new(
            Some(&parent),
            Some(&fill(&gettext("Forget {name}?"), &[("name", &name)])),
            Some(&gettext(
                "Nothing new is sealed for it and its later files are refused. Do this for a \
                 lost or sold computer; it cannot be undone, but it can be invited again.",
            )),
        );
        dialog.add_response("cancel", &gettext("Cancel"));
        dialog.add_response("forget", &gettext("Forget"));
        dialog.set_response_appearance("forget", adw::ResponseAppearance::Destructive);
        dialog.set_default_response(Some("cancel"));
        dialog.set_close_response("cancel");
        let this = Rc::downgrade(self);
        dialog.connect_response(Some("forget"), move |_, _| {
            if let Some(t) = this.upgrade() {
                let done = fill(&gettext("{name} is forgotten"), &[("name", &name)]);
                t.run(daemon::sync_forget(id.clone()), done);
            }
        });
        dialog.present();
    }

    fn disable(self: &Rc<Self>) {
        let Some(parent) = self.parent.upgrade() else {
            return;
        };
        let dialog = adw::MessageDialog::new(
            Some(&parent),
            Some(&gettext("Turn off sync?")),
            Some(&gettext(
                "This computer keeps its accounts and stops writing to the shared folder and \
                 reading from it.",
            )),
        );
        dialog.add_response("cancel", &gettext("Cancel"));
        dialog.add_response("off", &gettext("Turn Off"));
        dialog.set_response_appearance("off", adw::ResponseAppearance::Destructive);
        dialog.set_default_response(Some("cancel"));
        dialog.set_close_response("cancel");
        let this = Rc::downgrade(self);
        dialog.connect_response(Some("off"), move |_, _| {
            if let Some(t) = this.upgrade() {
                t.run(daemon::sync_disable(), gettext("Sync is off"));
            }
        });
        dialog.present();
    }

    fn follow_aegis(self: &Rc<Self>) {
        self.folder_then(
            gettext("Choose the Folder of Aegis Backups"),
            |t, folder| {
                let Some(parent) = t.parent.upgrade() else {
                    return;
                };
                let words = Words {
                    title: gettext("Follow Aegis Backups"),
                    body: gettext(
                        "Enter the password of your Aegis vault. Latchkey keeps it in its own \
                     encrypted vault to open each new backup.",
                    ),
                    entry: gettext("Aegis password"),
                    button: gettext("Follow"),
                };
                let (folder, this) = (folder.display().to_string(), Rc::downgrade(t));
                prompt::ask(&parent, words, move |password| {
                    let (folder, this) = (folder.clone(), this.clone());
                    async move {
                        daemon::follow_aegis(folder, password)
                            .await
                            .map_err(|e| prompt::failure(&e))?;
                        if let Some(t) = this.upgrade() {
                            t.toast(&gettext("Following Aegis backups"));
                            t.refresh();
                        }
                        Ok(())
                    }
                });
            },
        );
    }

    fn stop_aegis(self: &Rc<Self>) {
        self.run(
            daemon::stop_following_aegis(),
            gettext("No longer following Aegis backups"),
        );
    }
}
