//! One account as a GObject, so list rows can bind to its properties and update live.

use gtk::glib;
use gtk::prelude::*;
use gtk::subclass::prelude::*;
use latchkey_dbus::{AccountInfo, AccountKind};

mod imp {
    use super::*;
    use std::cell::{Cell, RefCell};

    #[derive(Default, glib::Properties)]
    #[properties(wrapper_type = super::AccountObject)]
    pub struct AccountObject {
        #[property(get, set)]
        id: RefCell<String>,
        #[property(get, set)]
        issuer: RefCell<String>,
        #[property(get, set)]
        account: RefCell<String>,
        #[property(get, set)]
        kind: RefCell<String>,
        #[property(get, set)]
        digits: Cell<u32>,
        #[property(get, set)]
        period: Cell<u32>,
        /// The host names browser fill offers the account's codes on (as the daemon keeps them).
        #[property(get, set)]
        sites: RefCell<Vec<String>>,
        /// The current code ("" until fetched).
        #[property(get, set)]
        code: RefCell<String>,
        /// Unix time the code stops being valid.
        #[property(get, set)]
        valid_until: Cell<u64>,
        /// The code of the next window, fetched shortly before the current one expires.
        #[property(get, set)]
        next_code: RefCell<String>,
        /// Unix time the next code starts being valid.
        #[property(get, set)]
        next_valid_from: Cell<u64>,
        /// The user revealed this account's code.
        #[property(get, set)]
        revealed: Cell<bool>,
        /// A fetch is under way (avoids duplicate GetCode calls).
        #[property(get, set)]
        fetching: Cell<bool>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for AccountObject {
        const NAME: &'static str = "LatchkeyAccountObject";
        type Type = super::AccountObject;
    }

    #[glib::derived_properties]
    impl ObjectImpl for AccountObject {}
}

glib::wrapper! {
    /// An account in the list model.
    pub struct AccountObject(ObjectSubclass<imp::AccountObject>);
}

impl AccountObject {
    /// Wraps the metadata the daemon listed.
    pub fn new(info: &AccountInfo) -> Self {
        let obj: Self = glib::Object::builder().property("id", &info.id).build();
        obj.update(info);
        obj
    }

    /// Takes new metadata (after a rename); drops the code if its shape changed.
    pub fn update(&self, info: &AccountInfo) {
        if self.issuer() != info.issuer {
            self.set_issuer(info.issuer.as_str());
        }
        if self.account() != info.account {
            self.set_account(info.account.as_str());
        }
        if self.digits() != info.digits || self.period() != info.period {
            self.clear_code();
        }
        let sites = info.extra.sites.clone().unwrap_or_default();
        if self.sites() != sites {
            self.set_sites(sites);
        }
        self.set_kind(info.kind.as_str());
        self.set_digits(info.digits);
        self.set_period(info.period);
    }

    /// What the account is, as the contract types it.
    pub fn account_kind(&self) -> AccountKind {
        AccountKind::from_name(&self.kind())
    }

    /// Accounts that only approve sign-ins (push tokens) have no code.
    pub fn is_approval_only(&self) -> bool {
        !self.account_kind().has_codes()
    }

    /// HOTP codes are generated on request only (each one advances the counter).
    pub fn is_counter_based(&self) -> bool {
        self.account_kind() == AccountKind::Hotp
    }

    /// Whether the code is missing or expired at `now` (TOTP/Steam).
    pub fn code_stale(&self, now: u64) -> bool {
        self.code().is_empty() || (!self.is_counter_based() && self.valid_until() <= now)
    }

    /// Forgets the codes (lock, edits).
    pub fn clear_code(&self) {
        self.set_code("");
        self.set_valid_until(0);
        self.set_next_code("");
        self.set_next_valid_from(0);
    }

    /// The next code, if the one fetched follows the current code.
    pub fn upcoming_code(&self) -> Option<String> {
        let next = self.next_code();
        (!next.is_empty() && self.next_valid_from() == self.valid_until()).then_some(next)
    }

    /// The heading a row shows (the issuer, or the account name when there is none) and the
    /// line under it (the account name, or nothing).
    pub fn heading(&self) -> (String, String) {
        let (issuer, account) = (self.issuer(), self.account());
        if issuer.trim().is_empty() {
            (account, String::new())
        } else {
            (issuer, account)
        }
    }

    /// The account as a person names it: "GitHub (alice)", or whichever of the two it has.
    pub fn label(&self) -> String {
        match self.heading() {
            (heading, sub) if sub.is_empty() => heading,
            (heading, sub) => format!("{heading} ({sub})"),
        }
    }

    /// Text for search: issuer and account, lowercased.
    pub fn matches(&self, needle: &str) -> bool {
        needle.is_empty()
            || self.issuer().to_lowercase().contains(needle)
            || self.account().to_lowercase().contains(needle)
    }

    /// The code grouped for reading: "123 456", "1234 5678".
    pub fn formatted_code(&self) -> String {
        group(&self.code())
    }
}

/// Splits a code into two halves separated by a space.
pub fn group(code: &str) -> String {
    if code.len() < 6 || !code.is_ascii() {
        return code.to_string();
    }
    let mid = code.len() / 2;
    format!("{} {}", &code[..mid], &code[mid..])
}

#[cfg(test)]
mod tests {
    #[test]
    fn groups_codes() {
        assert_eq!(super::group("123456"), "123 456");
        assert_eq!(super::group("12345678"), "1234 5678");
        assert_eq!(super::group("K7Q2M"), "K7Q2M");
    }
}
