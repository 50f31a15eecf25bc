//! The list model of accounts: one `gio::ListStore`, refreshed from `ListAccounts` in one splice.

use super::AccountObject;
use gtk::gio;
use gtk::prelude::*;
use latchkey_dbus::AccountInfo;
use std::cell::RefCell;
use std::collections::HashMap;

/// Accounts sorted by their heading (issuer, else account) then account; objects are kept across refreshes so a revealed
/// code or a fetched code survives another client's edit.
#[derive(Debug)]
pub struct AccountList {
    store: gio::ListStore,
    by_id: RefCell<HashMap<String, AccountObject>>,
}

impl Default for AccountList {
    fn default() -> Self {
        Self {
            store: gio::ListStore::new::<AccountObject>(),
            by_id: RefCell::default(),
        }
    }
}

impl AccountList {
    /// The model the list view shows (through a filter and a selection).
    pub fn store(&self) -> &gio::ListStore {
        &self.store
    }

    /// Replaces the contents with what the daemon listed.
    pub fn replace(&self, mut infos: Vec<AccountInfo>) {
        // By the heading a row shows: the issuer, or the account name when there is none.
        infos.sort_by_cached_key(|a| {
            let heading = if a.issuer.trim().is_empty() {
                &a.account
            } else {
                &a.issuer
            };
            (heading.to_lowercase(), a.account.to_lowercase())
        });
        let mut old = self.by_id.take();
        let mut next = HashMap::with_capacity(infos.len());
        let objects: Vec<AccountObject> = infos
            .iter()
            .map(|info| {
                let obj = match old.remove(&info.id) {
                    Some(o) => {
                        o.update(info);
                        o
                    }
                    None => AccountObject::new(info),
                };
                next.insert(info.id.clone(), obj.clone());
                obj
            })
            .collect();
        let unchanged = objects.len() == self.store.n_items() as usize
            && objects
                .iter()
                .enumerate()
                .all(|(i, o)| self.store.item(i as u32).as_ref() == Some(o.upcast_ref()));
        if !unchanged {
            self.store.splice(0, self.store.n_items(), &objects);
        }
        self.by_id.replace(next);
    }

    /// Empties the list (on lock): no metadata stays on screen.
    pub fn clear(&self) {
        self.by_id.take();
        self.store.remove_all();
    }

    /// The account with this id.
    pub fn get(&self, id: &str) -> Option<AccountObject> {
        self.by_id.borrow().get(id).cloned()
    }

    /// Number of accounts.
    pub fn len(&self) -> usize {
        self.by_id.borrow().len()
    }
}
