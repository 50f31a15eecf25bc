//! Account detail: the large code, rename, the websites browser fill offers the codes on, and
//! remove with confirmation.

use crate::daemon;
use crate::i18n::{fill, gettext};
use crate::models::AccountObject;
use crate::window::Window;
use adw::prelude::*;
use adw::subclass::prelude::*;
use gtk::glib;
use latchkey_dbus::AccountKind;

mod imp {
    use super::*;
    use std::cell::RefCell;

    #[derive(Default, gtk::CompositeTemplate)]
    #[template(file = "account_details.ui")]
    pub struct AccountDetails {
        #[template_child]
        pub title: TemplateChild<adw::WindowTitle>,
        #[template_child]
        pub code_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub countdown: TemplateChild<gtk::LevelBar>,
        #[template_child]
        pub copy_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub issuer_row: TemplateChild<adw::EntryRow>,
        #[template_child]
        pub account_row: TemplateChild<adw::EntryRow>,
        #[template_child]
        pub sites_group: TemplateChild<adw::PreferencesGroup>,
        #[template_child]
        pub sites_list: TemplateChild<gtk::ListBox>,
        #[template_child]
        pub no_sites_row: TemplateChild<adw::ActionRow>,
        #[template_child]
        pub site_entry: TemplateChild<adw::EntryRow>,
        #[template_child]
        pub add_site_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub site_error: TemplateChild<gtk::Label>,
        /// One row per site, above the placeholder and the entry.
        pub site_rows: RefCell<Vec<adw::ActionRow>>,
        /// The account's `notify::sites` handler, disconnected when the window goes.
        pub sites_handler: RefCell<Option<glib::SignalHandlerId>>,
        #[template_child]
        pub info_row: TemplateChild<adw::ActionRow>,
        #[template_child]
        pub qr_row: TemplateChild<adw::ActionRow>,
        #[template_child]
        pub qr_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub remove_button: TemplateChild<gtk::Button>,
        pub account: RefCell<Option<AccountObject>>,
        pub window: glib::WeakRef<Window>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for AccountDetails {
        const NAME: &'static str = "LatchkeyAccountDetails";
        type Type = super::AccountDetails;
        type ParentType = adw::Window;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for AccountDetails {
        fn dispose(&self) {
            if let (Some(a), Some(h)) = (self.account.borrow().as_ref(), self.sites_handler.take())
            {
                a.disconnect(h);
            }
        }
    }
    impl WidgetImpl for AccountDetails {}
    impl WindowImpl for AccountDetails {}
    impl AdwWindowImpl for AccountDetails {}
}

glib::wrapper! {
    /// The detail window of one account.
    pub struct AccountDetails(ObjectSubclass<imp::AccountDetails>)
        @extends adw::Window, gtk::Window, gtk::Widget,
        @implements gtk::Buildable, gtk::ConstraintTarget, gtk::Native,
            gtk::Root, gtk::ShortcutManager;
}

impl AccountDetails {
    /// Details of `account`, over `window`.
    pub fn new(window: &Window, account: &AccountObject) -> Self {
        let d: Self = glib::Object::builder()
            .property("transient-for", window)
            .build();
        let imp = d.imp();
        imp.window.set(Some(window));
        super::close_on_escape(&d);
        d.set_title(Some(&fill(
            &gettext("{account} — Latchkey"),
            &[("account", &account.label())],
        )));
        imp.account.replace(Some(account.clone()));
        imp.title.set_title(&account.issuer());
        imp.title.set_subtitle(&account.account());
        imp.issuer_row.set_text(&account.issuer());
        imp.account_row.set_text(&account.account());
        imp.info_row.set_subtitle(&describe(account));
        imp.copy_button.set_visible(!account.is_approval_only());
        imp.countdown.set_visible(!account.is_approval_only());
        for row in [&*imp.issuer_row, &*imp.account_row] {
            row.connect_apply(glib::clone!(
                #[weak]
                d,
                move |_| d.rename()
            ));
        }
        imp.copy_button.connect_clicked(glib::clone!(
            #[weak]
            d,
            move |_| {
                if let (Some(w), Some(a)) = (d.imp().window.upgrade(), d.account()) {
                    w.copy_code(a.id());
                }
            }
        ));
        imp.qr_row.set_visible(!account.is_approval_only());
        imp.qr_button.connect_clicked(glib::clone!(
            #[weak]
            d,
            move |_| {
                if let Some(a) = d.account() {
                    super::account_qr::show(&d, &a);
                }
            }
        ));
        imp.remove_button.connect_clicked(glib::clone!(
            #[weak]
            d,
            move |_| d.confirm_remove()
        ));
        d.set_up_sites(account);
        d.refresh(crate::now());
        d
    }

    fn account(&self) -> Option<AccountObject> {
        self.imp().account.borrow().clone()
    }

    /// Redraws the code and countdown (called by the main window's timer).
    pub fn refresh(&self, now: u64) {
        let imp = self.imp();
        let (Some(a), Some(w)) = (self.account(), imp.window.upgrade()) else {
            return;
        };
        if a.is_approval_only() {
            imp.code_label.set_label(&gettext("Approves sign-ins"));
            return;
        }
        if a.is_counter_based() {
            let text = if a.code().is_empty() {
                gettext("Copy for a new code")
            } else {
                a.formatted_code()
            };
            imp.code_label.set_label(&text);
            imp.countdown.set_visible(false);
            return;
        }
        if a.code_stale(now) {
            if !a.fetching() {
                w.fetch_code(&a);
            }
            imp.code_label.set_label("…");
            return;
        }
        imp.code_label.set_label(&a.formatted_code());
        let period = f64::from(a.period().max(1));
        let left = a.valid_until().saturating_sub(now) as f64;
        imp.countdown.set_value((left / period).clamp(0.0, 1.0));
    }

    fn rename(&self) {
        let imp = self.imp();
        let (Some(a), Some(w)) = (self.account(), imp.window.upgrade()) else {
            return;
        };
        let issuer = imp.issuer_row.text().trim().to_string();
        let account = imp.account_row.text().trim().to_string();
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = d)]
            self,
            async move {
                match daemon::rename(a.id(), issuer.clone(), account.clone()).await {
                    Ok(()) => {
                        d.imp().title.set_title(&issuer);
                        d.imp().title.set_subtitle(&account);
                        w.toast(&gettext("Account renamed"));
                    }
                    Err(e) => w.toast(&e.message()),
                }
            }
        ));
    }

    /// The Websites group: the account's sites, kept in step with the account (another client,
    /// or a fill the user confirmed, may add one), and the entry that adds one.
    fn set_up_sites(&self, account: &AccountObject) {
        let imp = self.imp();
        // Approval-only accounts have no codes to fill.
        imp.sites_group.set_visible(!account.is_approval_only());
        let handler = account.connect_sites_notify(glib::clone!(
            #[weak(rename_to = d)]
            self,
            move |a| d.show_sites(&a.sites())
        ));
        imp.sites_handler.replace(Some(handler));
        imp.site_entry.connect_changed(glib::clone!(
            #[weak(rename_to = d)]
            self,
            move |e| {
                d.imp()
                    .add_site_button
                    .set_sensitive(!e.text().trim().is_empty());
                d.site_error("");
            }
        ));
        imp.site_entry.connect_entry_activated(glib::clone!(
            #[weak(rename_to = d)]
            self,
            move |_| d.add_site()
        ));
        imp.add_site_button.connect_clicked(glib::clone!(
            #[weak(rename_to = d)]
            self,
            move |_| d.add_site()
        ));
        self.show_sites(&account.sites());
    }

    /// Lists `sites`, each with its remove button.
    fn show_sites(&self, sites: &[String]) {
        let imp = self.imp();
        for row in imp.site_rows.take() {
            imp.sites_list.remove(&row);
        }
        let rows: Vec<adw::ActionRow> = sites.iter().map(|site| self.site_row(site)).collect();
        for (i, row) in rows.iter().enumerate() {
            imp.sites_list.insert(row, i as i32);
        }
        imp.no_sites_row.set_visible(rows.is_empty());
        imp.site_rows.replace(rows);
    }

    fn site_row(&self, site: &str) -> adw::ActionRow {
        let row = adw::ActionRow::builder().title(site).build();
        let remove = gtk::Button::builder()
            .icon_name("user-trash-symbolic")
            .valign(gtk::Align::Center)
            .tooltip_text(gettext("Remove"))
            .css_classes(["flat"])
            .build();
        crate::a11y::name(&remove, &fill(&gettext("Remove {site}"), &[("site", site)]));
        let site = site.to_string();
        remove.connect_clicked(glib::clone!(
            #[weak(rename_to = d)]
            self,
            move |_| d.edit_sites(daemon::SiteChange::Remove(site.clone()))
        ));
        row.add_suffix(&remove);
        row
    }

    /// Shows the daemon's reason a site was refused under the list ("" hides it); the entry
    /// keeps what was typed so it can be corrected.
    fn site_error(&self, message: &str) {
        let imp = self.imp();
        imp.site_error.set_label(message);
        imp.site_error.set_visible(!message.is_empty());
        if message.is_empty() {
            imp.site_entry.remove_css_class("error");
        } else {
            imp.site_entry.add_css_class("error");
            scroll_into_view(imp.site_error.upcast_ref());
        }
    }

    fn add_site(&self) {
        let text = self.imp().site_entry.text().trim().to_string();
        if !text.is_empty() {
            self.edit_sites(daemon::SiteChange::Add(text));
        }
    }

    /// Sends a change of the sites to the daemon and shows the list it kept, or its error.
    fn edit_sites(&self, change: daemon::SiteChange) {
        let (Some(a), Some(w)) = (self.account(), self.imp().window.upgrade()) else {
            return;
        };
        let adding = matches!(change, daemon::SiteChange::Add(_));
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = d)]
            self,
            async move {
                match daemon::edit_sites(a.id(), change).await {
                    Ok(sites) => {
                        a.set_sites(sites);
                        if adding {
                            d.imp().site_entry.set_text("");
                            w.toast(&gettext("Website added"));
                        } else {
                            w.toast(&gettext("Website removed"));
                        }
                    }
                    Err(e) if adding => d.site_error(&e.message()),
                    Err(e) => w.toast(&e.message()),
                }
            }
        ));
    }

    fn confirm_remove(&self) {
        let Some(a) = self.account() else { return };
        let dialog = adw::MessageDialog::new(
            Some(self),
            Some(&gettext("Remove this account?")),
            Some(&fill(
                &gettext(
                    "{account} will be removed from the vault. Make sure you can still sign in \
                     another way.",
                ),
                &[("account", &a.label())],
            )),
        );
        // Plain labels: GTK 4.8 reads a mnemonic label twice ("_Remove Remove").
        dialog.add_response("cancel", &gettext("Cancel"));
        dialog.add_response("remove", &gettext("Remove"));
        dialog.set_response_appearance("remove", adw::ResponseAppearance::Destructive);
        dialog.set_default_response(Some("cancel"));
        dialog.set_close_response("cancel");
        dialog.connect_response(
            Some("remove"),
            glib::clone!(
                #[weak(rename_to = d)]
                self,
                move |_, _| d.remove(a.id())
            ),
        );
        dialog.present();
    }

    fn remove(&self, id: String) {
        let Some(w) = self.imp().window.upgrade() else {
            return;
        };
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = d)]
            self,
            async move {
                match daemon::remove(id).await {
                    Ok(()) => {
                        w.toast(&gettext("Account removed"));
                        d.close();
                    }
                    Err(e) => w.toast(&e.message()),
                }
            }
        ));
    }
}

/// Scrolls the page holding `widget` until all of it is in sight, once it has its place (a label
/// just made visible gets it at the next layout): an error under the list must not be hidden
/// below the window's edge.
fn scroll_into_view(widget: &gtk::Widget) {
    widget.add_tick_callback(|w, _| {
        let Some(scrolled) = w
            .ancestor(gtk::ScrolledWindow::static_type())
            .and_downcast::<gtk::ScrolledWindow>()
        else {
            return glib::ControlFlow::Break;
        };
        let Some(content) = scrolled.child() else {
            return glib::ControlFlow::Break;
        };
        let bounds = match w.compute_bounds(&content) {
            Some(b) if w.height() > 0 => b,
            // Not laid out yet: try at the next frame.
            _ => return glib::ControlFlow::Continue,
        };
        let adj = scrolled.vadjustment();
        let (top, bottom) = (
            f64::from(bounds.y()),
            f64::from(bounds.y() + bounds.height()),
        );
        if bottom > adj.value() + adj.page_size() {
            adj.set_value(bottom - adj.page_size());
        }
        if top < adj.value() {
            adj.set_value(top);
        }
        glib::ControlFlow::Break
    });
}

fn describe(a: &AccountObject) -> String {
    match a.account_kind() {
        AccountKind::Totp => fill(
            &gettext("Time-based, {digits} digits every {period} seconds"),
            &[
                ("digits", &a.digits().to_string()),
                ("period", &a.period().to_string()),
            ],
        ),
        AccountKind::Hotp => fill(
            &gettext("Counter-based, {digits} digits"),
            &[("digits", &a.digits().to_string())],
        ),
        AccountKind::Steam => gettext("Steam Guard"),
        AccountKind::Push => gettext("Approval-only (push)"),
        AccountKind::Unknown => fill(&gettext("Approval-only ({kind})"), &[("kind", &a.kind())]),
    }
}
