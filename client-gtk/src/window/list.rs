//! The account list: a `GtkListView` over filter → selection, with recycled rows.

use super::Window;
use crate::models::AccountObject;
use crate::widgets::AccountRow;
use adw::subclass::prelude::*;
use gtk::glib;
use gtk::prelude::*;

impl Window {
    pub(super) fn setup_list(&self) {
        let imp = self.imp();
        let filter = gtk::CustomFilter::new(glib::clone!(
            #[weak(rename_to = win)]
            self,
            #[upgrade_or]
            true,
            move |item| {
                let needle = win.imp().search_entry.text().to_lowercase();
                item.downcast_ref::<AccountObject>()
                    .is_some_and(|a| a.matches(needle.trim()))
            }
        ));
        let filtered =
            gtk::FilterListModel::new(Some(imp.accounts.store().clone()), Some(filter.clone()));
        let selection = gtk::SingleSelection::new(Some(filtered.clone()));
        selection.set_autoselect(true);
        let factory = gtk::SignalListItemFactory::new();
        factory.connect_setup(glib::clone!(
            #[weak(rename_to = win)]
            self,
            move |_, item| {
                let Some(item) = item.downcast_ref::<gtk::ListItem>() else {
                    return;
                };
                let row = AccountRow::default();
                win.imp().rows.borrow_mut().push(row.downgrade());
                item.set_child(Some(&row));
            }
        ));
        factory.connect_bind(glib::clone!(
            #[weak(rename_to = win)]
            self,
            move |_, item| {
                let Some(item) = item.downcast_ref::<gtk::ListItem>() else {
                    return;
                };
                let (Some(row), Some(account)) = (
                    item.child().and_downcast::<AccountRow>(),
                    item.item().and_downcast::<AccountObject>(),
                ) else {
                    return;
                };
                row.bind(&account);
                win.refresh_row(&row, crate::now());
            }
        ));
        factory.connect_unbind(|_, item| {
            if let Some(row) = item
                .downcast_ref::<gtk::ListItem>()
                .and_then(|i| i.child())
                .and_downcast::<AccountRow>()
            {
                row.unbind();
            }
        });
        factory.connect_teardown(glib::clone!(
            #[weak(rename_to = win)]
            self,
            move |_, _| win
                .imp()
                .rows
                .borrow_mut()
                .retain(|r| r.upgrade().is_some())
        ));
        imp.list_view.set_factory(Some(&factory));
        imp.list_view.set_model(Some(&selection));
        imp.list_view.connect_activate(glib::clone!(
            #[weak(rename_to = win)]
            self,
            move |_, position| {
                if let Some(a) = win.account_at(position) {
                    win.show_details(&a);
                }
            }
        ));
        imp.search_bar.connect_entry(&*imp.search_entry);
        imp.search_bar.set_key_capture_widget(Some(self));
        imp.search_button
            .bind_property("active", &*imp.search_bar, "search-mode-enabled")
            .bidirectional()
            .sync_create()
            .build();
        imp.search_entry.connect_search_changed(glib::clone!(
            #[weak(rename_to = win)]
            self,
            move |_| {
                if let Some(f) = win.imp().filter.borrow().as_ref() {
                    f.changed(gtk::FilterChange::Different);
                }
                win.update_list_page();
            }
        ));
        imp.search_entry.connect_activate(glib::clone!(
            #[weak(rename_to = win)]
            self,
            move |_| {
                // Enter in the search field copies the first match, like a launcher.
                if let Some(a) = win.account_at(0) {
                    win.copy_code(a.id());
                }
            }
        ));
        imp.filter.replace(Some(filter));
        imp.filtered.replace(Some(filtered));
        imp.selection.replace(Some(selection));
    }

    /// The account at `position` of the filtered list.
    pub fn account_at(&self, position: u32) -> Option<AccountObject> {
        self.imp()
            .filtered
            .borrow()
            .as_ref()?
            .item(position)
            .and_downcast::<AccountObject>()
    }

    /// The selected account, if any.
    pub fn selected_account(&self) -> Option<AccountObject> {
        self.imp()
            .selection
            .borrow()
            .as_ref()?
            .selected_item()
            .and_downcast::<AccountObject>()
    }

    /// Selects the `position`th shown account (automation and keyboard).
    pub fn select(&self, position: u32) {
        if let Some(s) = self.imp().selection.borrow().as_ref() {
            s.set_selected(position);
        }
    }

    /// How many accounts the list shows (after the search filter).
    pub fn shown_count(&self) -> u32 {
        self.imp()
            .filtered
            .borrow()
            .as_ref()
            .map(|f| f.n_items())
            .unwrap_or(0)
    }

    /// Sets the search text (automation hook; typing does the same through the search bar).
    pub fn set_search(&self, text: &str) {
        let imp = self.imp();
        imp.search_bar.set_search_mode(!text.is_empty());
        imp.search_entry.set_text(text);
    }

    /// Picks the list, "no accounts" or "no results" page, and the subtitle.
    pub(super) fn update_list_page(&self) {
        let imp = self.imp();
        let total = imp.accounts.len();
        let page = if total == 0 {
            "empty"
        } else if self.shown_count() == 0 {
            "no-results"
        } else {
            "list"
        };
        imp.list_stack.set_visible_child_name(page);
        let subtitle = match total {
            0 => String::new(),
            n => crate::i18n::fill(
                &crate::i18n::ngettext("{n} account", "{n} accounts", n as u32),
                &[("n", &n.to_string())],
            ),
        };
        imp.window_title.set_subtitle(&subtitle);
    }
}
