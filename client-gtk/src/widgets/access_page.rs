//! The Apps page of Preferences: which other apps were allowed or denied always (each can be
//! revoked, so the app is asked again) and the activity log of every decision.

use crate::daemon;
use crate::i18n::{fill, gettext};
use adw::prelude::*;
use gtk::glib;
use latchkey_dbus::display::{IDENTITY_MAX, TITLE_MAX, claim};
use latchkey_dbus::{ActivityEntry, Grant};
use std::rc::Rc;

/// How many decisions of the activity log the page shows.
const ACTIVITY: u32 = 50;

/// Names an account id as the user knows it ("GitHub (alice)"), if it is still there.
type Names = Box<dyn Fn(&str) -> Option<String>>;

/// The page and what it refreshes.
pub struct AccessPage {
    page: adw::PreferencesPage,
    grants: gtk::ListBox,
    activity: gtk::ListBox,
    parent: glib::WeakRef<gtk::Window>,
    /// Names accounts by id ("GitHub (alice)"), from the main window's list.
    names: Names,
}

fn boxed_list(name: &str) -> gtk::ListBox {
    let list = gtk::ListBox::new();
    list.add_css_class("boxed-list");
    list.set_selection_mode(gtk::SelectionMode::None);
    crate::a11y::name(&list, name);
    list
}

fn clear(list: &gtk::ListBox) {
    while let Some(row) = list.first_child() {
        list.remove(&row);
    }
}

fn date(time: u64) -> String {
    glib::DateTime::from_unix_local(time as i64)
        .and_then(|t| t.format("%x %X"))
        .map(|s| s.to_string())
        .unwrap_or_default()
}

impl AccessPage {
    /// The page, in the window `parent`; `names` names an account id as the user knows it.
    pub fn new(parent: &gtk::Window, names: impl Fn(&str) -> Option<String> + 'static) -> Rc<Self> {
        let page = adw::PreferencesPage::builder()
            .title(gettext("Apps"))
            .icon_name("application-x-executable-symbolic")
            .build();
        let remembered = adw::PreferencesGroup::builder()
            .title(gettext("Remembered Decisions"))
            .description(gettext(
                "Apps you allowed or denied always. Revoke a decision and the app is asked \
                 again the next time.",
            ))
            .build();
        let grants = boxed_list(&gettext("Remembered decisions"));
        remembered.add(&grants);
        page.add(&remembered);
        let log = adw::PreferencesGroup::builder()
            .title(gettext("Activity"))
            .description(gettext(
                "Every sign-in approval and access decision, newest first.",
            ))
            .build();
        let activity = boxed_list(&gettext("Activity"));
        log.add(&activity);
        page.add(&log);
        Rc::new(Self {
            page,
            grants,
            activity,
            parent: parent.downgrade(),
            names: Box::new(names),
        })
    }

    /// The page widget.
    pub fn page(&self) -> &adw::PreferencesPage {
        &self.page
    }

    /// Reads the decisions and the log again.
    pub fn refresh(self: &Rc<Self>) {
        let this = self.clone();
        glib::spawn_future_local(async move {
            match daemon::grants().await {
                Ok(g) => this.show_grants(&g),
                Err(e) => this.toast(&e.message()),
            }
            match daemon::activity(ACTIVITY).await {
                Ok(a) => this.show_activity(&a),
                Err(e) => this.toast(&e.message()),
            }
        });
    }

    fn toast(&self, text: &str) {
        super::preferences::toast(&self.parent, text);
    }

    /// What a decision covers, in words.
    fn scope(&self, g: &Grant) -> String {
        match g.account_id.as_str() {
            Grant::ALL => gettext("every account"),
            Grant::LIST => gettext("the account list"),
            id => (self.names)(id).unwrap_or_else(|| gettext("a removed account")),
        }
    }

    fn show_grants(self: &Rc<Self>, grants: &[Grant]) {
        clear(&self.grants);
        if grants.is_empty() {
            let row = adw::ActionRow::builder()
                .title(gettext(
                    "No remembered decisions: every other app is asked.",
                ))
                .build();
            self.grants.append(&row);
        }
        for g in grants {
            let app = claim(&g.app(), IDENTITY_MAX);
            let what = if g.allows() {
                gettext("Allowed: {scope}, since {date}")
            } else {
                gettext("Denied: {scope}, since {date}")
            };
            let subtitle = fill(&what, &[("scope", &self.scope(g)), ("date", &date(g.time))]);
            let row = adw::ActionRow::builder()
                .title(glib::markup_escape_text(&app).as_str())
                .subtitle(glib::markup_escape_text(&subtitle).as_str())
                .tooltip_text(claim(&g.identity, IDENTITY_MAX).as_str())
                .build();
            let revoke = gtk::Button::builder()
                .label(gettext("Revoke"))
                .valign(gtk::Align::Center)
                .build();
            crate::a11y::name(
                &revoke,
                &fill(
                    &gettext("Revoke the decision for {app}: {what}"),
                    &[("app", &app), ("what", &subtitle)],
                ),
            );
            let (identity, account) = (g.identity.clone(), g.account_id.clone());
            let this = Rc::downgrade(self);
            revoke.connect_clicked(move |_| {
                let (identity, account, this) = (identity.clone(), account.clone(), this.clone());
                glib::spawn_future_local(async move {
                    let Some(t) = this.upgrade() else { return };
                    match daemon::revoke(identity, account).await {
                        Ok(_) => t.refresh(),
                        Err(e) => t.toast(&e.message()),
                    }
                });
            });
            row.add_suffix(&revoke);
            self.grants.append(&row);
        }
    }

    fn show_activity(&self, entries: &[ActivityEntry]) {
        clear(&self.activity);
        if entries.is_empty() {
            let row = adw::ActionRow::builder()
                .title(gettext("No activity yet."))
                .build();
            self.activity.append(&row);
        }
        for e in entries {
            let subtitle = format!(
                "{} · {} · {}",
                claim(&e.outcome, TITLE_MAX),
                date(e.time),
                claim(&e.caller, IDENTITY_MAX)
            );
            let row = adw::ActionRow::builder()
                .title(glib::markup_escape_text(&claim(&e.title, TITLE_MAX)).as_str())
                .subtitle(glib::markup_escape_text(&subtitle).as_str())
                .build();
            self.activity.append(&row);
        }
    }
}
