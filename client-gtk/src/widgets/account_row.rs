//! One account in the list: issuer, account, code, countdown, reveal and copy buttons.
//!
//! Rows are recycled by the list view; `bind` attaches an account, `refresh` (called by the
//! window's one timer) redraws code and countdown. Rows never call the daemon themselves.

use crate::i18n::{fill, gettext, ngettext};
use crate::models::{AccountObject, group};
use adw::prelude::*;
use gtk::glib;
use gtk::subclass::prelude::*;

/// Seconds before expiry from which the next code is shown.
pub const NEXT_CODE_WINDOW: u64 = 7;

mod imp {
    use super::*;
    use std::cell::RefCell;

    #[derive(Default, gtk::CompositeTemplate)]
    #[template(file = "account_row.ui")]
    pub struct AccountRow {
        #[template_child]
        pub avatar: TemplateChild<adw::Avatar>,
        #[template_child]
        pub issuer_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub account_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub code_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub next_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub countdown_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub reveal_button: TemplateChild<gtk::ToggleButton>,
        #[template_child]
        pub copy_button: TemplateChild<gtk::Button>,
        /// The name the row and its buttons were last given (set again only when it changes:
        /// the timer redraws rows every second).
        pub named: RefCell<String>,
        pub account: RefCell<Option<AccountObject>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for AccountRow {
        const NAME: &'static str = "LatchkeyAccountRow";
        type Type = super::AccountRow;
        type ParentType = gtk::Box;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for AccountRow {
        fn constructed(&self) {
            self.parent_constructed();
            let row = self.obj();
            self.reveal_button.connect_clicked(glib::clone!(
                #[weak]
                row,
                move |_| row.activate_with_id("win.toggle-reveal")
            ));
            self.copy_button.connect_clicked(glib::clone!(
                #[weak]
                row,
                move |_| row.activate_with_id("win.copy")
            ));
        }
    }
    impl WidgetImpl for AccountRow {}
    impl BoxImpl for AccountRow {}
}

glib::wrapper! {
    /// A list row showing one account.
    pub struct AccountRow(ObjectSubclass<imp::AccountRow>)
        @extends gtk::Box, gtk::Widget,
        @implements gtk::Buildable, gtk::ConstraintTarget, gtk::Orientable;
}

impl Default for AccountRow {
    fn default() -> Self {
        glib::Object::new()
    }
}

impl AccountRow {
    /// Shows `account` in this (possibly recycled) row.
    pub fn bind(&self, account: &AccountObject) {
        let imp = self.imp();
        self.unbind();
        imp.account.replace(Some(account.clone()));
        self.show_names(account);
        let approval_only = account.is_approval_only();
        imp.copy_button.set_visible(!approval_only);
        imp.reveal_button.set_visible(!approval_only);
        if approval_only {
            self.add_css_class("approval-only");
        } else {
            self.remove_css_class("approval-only");
        }
    }

    /// Detaches the account before the row is recycled.
    pub fn unbind(&self) {
        self.imp().account.take();
        self.imp().named.take();
    }

    /// The account shown, if any.
    pub fn account(&self) -> Option<AccountObject> {
        self.imp().account.borrow().clone()
    }

    /// The heading (the issuer, or the account name when there is none), the subtitle, and the
    /// names a screen reader says for the row and its buttons.
    fn show_names(&self, a: &AccountObject) {
        let imp = self.imp();
        let (heading, sub) = a.heading();
        if imp.issuer_label.label() != heading {
            imp.issuer_label.set_label(&heading);
            imp.avatar.set_text(Some(&heading));
        }
        if imp.account_label.label() != sub {
            imp.account_label.set_label(&sub);
        }
        imp.account_label.set_visible(!sub.is_empty());
        let who = a.label();
        if *imp.named.borrow() == who {
            return;
        }
        imp.named.replace(who.clone());
        if let Some(item) = self.parent() {
            crate::a11y::name(&item, &who);
        }
        crate::a11y::name(
            &*imp.copy_button,
            &fill(
                &gettext("Copy the code for {account}"),
                &[("account", &who)],
            ),
        );
        crate::a11y::name(
            &*imp.reveal_button,
            &fill(
                &gettext("Show the code for {account}"),
                &[("account", &who)],
            ),
        );
    }

    /// Redraws code, countdown and next code for the time `now` (unix seconds).
    pub fn refresh(&self, now: u64, hide_codes: bool, next_code: Option<&str>) {
        let imp = self.imp();
        let Some(a) = self.account() else { return };
        self.show_names(&a);
        let concealed = hide_codes && !a.revealed();
        // What is shown, and what a screen reader says for it.
        let (code, spoken, countdown) = if a.is_approval_only() {
            let t = gettext("Approves sign-ins");
            (t.clone(), t, String::new())
        } else if concealed {
            (conceal(a.digits()), gettext("Code hidden"), String::new())
        } else if a.is_counter_based() {
            if a.code().is_empty() {
                // Short, so it fits a 360 px window in the large code font.
                let t = gettext("Copy for a code");
                (
                    t,
                    gettext("No code yet: copying makes the next one"),
                    String::new(),
                )
            } else {
                let c = a.formatted_code();
                let spoken = fill(&gettext("Code {code}"), &[("code", &c)]);
                (c, spoken, String::new())
            }
        } else if a.code_stale(now) {
            ("…".to_string(), gettext("Code loading"), String::new())
        } else {
            let left = a.valid_until().saturating_sub(now);
            let c = a.formatted_code();
            let spoken = fill(&gettext("Code {code}"), &[("code", &c)]);
            (c, spoken, left.to_string())
        };
        if imp.code_label.label() != code {
            imp.code_label.set_label(&code);
            crate::a11y::name(&*imp.code_label, &spoken);
        }
        // The HOTP hint may wrap on a narrow window rather than widen it; a code never wraps.
        let hint = a.is_counter_based() && !concealed && a.code().is_empty();
        if hint {
            imp.code_label.add_css_class("hint");
        } else {
            imp.code_label.remove_css_class("hint");
        }
        if imp.code_label.wraps() != hint {
            imp.code_label.set_wrap(hint);
        }
        if imp.countdown_label.label() != countdown {
            imp.countdown_label.set_label(&countdown);
            if !countdown.is_empty() {
                let n: u32 = countdown.parse().unwrap_or(0);
                let spoken = fill(
                    &ngettext("{n} second left", "{n} seconds left", n),
                    &[("n", &countdown)],
                );
                crate::a11y::name(&*imp.countdown_label, &spoken);
            }
        }
        imp.countdown_label.set_visible(!countdown.is_empty());
        let left = a.valid_until().saturating_sub(now);
        if left <= 5 && !countdown.is_empty() {
            imp.countdown_label.add_css_class("expiring");
        } else {
            imp.countdown_label.remove_css_class("expiring");
        }
        let next = next_code.filter(|_| !concealed && left <= NEXT_CODE_WINDOW);
        imp.next_label.set_visible(next.is_some());
        if let Some(n) = next {
            imp.next_label
                .set_label(&fill(&gettext("next {code}"), &[("code", &group(n))]));
        }
        let (icon, tip) = if a.revealed() {
            ("view-conceal-symbolic", gettext("Hide code"))
        } else {
            ("view-reveal-symbolic", gettext("Show code"))
        };
        imp.reveal_button.set_icon_name(icon);
        imp.reveal_button.set_tooltip_text(Some(&tip));
        // A toggle: its name stays, its pressed state says whether the code shows.
        if imp.reveal_button.is_active() != a.revealed() {
            imp.reveal_button.set_active(a.revealed());
        }
        imp.reveal_button
            .set_visible(hide_codes && !a.is_approval_only());
    }

    fn activate_with_id(&self, action: &str) {
        if let Some(a) = self.account() {
            let _ = self.activate_action(action, Some(&a.id().to_variant()));
        }
    }
}

/// Dots standing in for a concealed code of `digits` characters.
fn conceal(digits: u32) -> String {
    let d = digits.clamp(5, 10) as usize;
    let half = d / 2;
    format!("{} {}", "•".repeat(half), "•".repeat(d - half))
}
