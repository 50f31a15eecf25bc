//! The main window: a stack of pages (connecting, first run, unlock, accounts) over one toast
//! overlay.
//!
//! The window owns the account model, the one timer that refreshes codes, and the dialogs of
//! pending requests. Submodules add its behaviour: `list` (model, factory, search), `actions`,
//! `live` (daemon events and state), `codes` (timer, fetch, copy), `requests` (approvals).

mod actions;
#[cfg(any(debug_assertions, feature = "test-hooks"))]
mod bench;
mod codes;
mod list;
mod live;
mod requests;

#[cfg(any(debug_assertions, feature = "test-hooks"))]
pub use codes::CODE_FETCHES;

use crate::models::AccountList;
use crate::prefs::Prefs;
use crate::widgets::{AccountRow, SetupPage, UnlockPage};
use adw::subclass::prelude::*;
use gtk::prelude::*;
use gtk::{gio, glib};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

mod imp {
    use super::*;

    #[derive(Default, gtk::CompositeTemplate)]
    #[template(file = "window.ui")]
    pub struct Window {
        #[template_child]
        pub toasts: TemplateChild<adw::ToastOverlay>,
        #[template_child]
        pub stack: TemplateChild<gtk::Stack>,
        #[template_child]
        pub status_page: TemplateChild<adw::StatusPage>,
        #[template_child]
        pub retry_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub problem_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub setup_page: TemplateChild<SetupPage>,
        #[template_child]
        pub unlock_page: TemplateChild<UnlockPage>,
        #[template_child]
        pub window_title: TemplateChild<adw::WindowTitle>,
        #[template_child]
        pub search_button: TemplateChild<gtk::ToggleButton>,
        #[template_child]
        pub search_bar: TemplateChild<gtk::SearchBar>,
        #[template_child]
        pub search_entry: TemplateChild<gtk::SearchEntry>,
        #[template_child]
        pub list_stack: TemplateChild<gtk::Stack>,
        #[template_child]
        pub scroller: TemplateChild<gtk::ScrolledWindow>,
        #[template_child]
        pub list_view: TemplateChild<gtk::ListView>,
        pub accounts: AccountList,
        pub filter: RefCell<Option<gtk::CustomFilter>>,
        pub filtered: RefCell<Option<gtk::FilterListModel>>,
        pub selection: RefCell<Option<gtk::SingleSelection>>,
        /// Every row the factory made (a screenful plus a few): the timer walks these only.
        pub rows: RefCell<Vec<glib::WeakRef<AccountRow>>>,
        pub prefs: RefCell<Prefs>,
        /// Open approval/consent dialogs by request path.
        pub dialogs:
            RefCell<HashMap<String, std::rc::Rc<crate::widgets::request_dialog::RequestDialog>>>,
        /// Requests the user put off ("Not Now"): not raised again by themselves.
        pub put_off: RefCell<std::collections::HashSet<String>>,
        #[template_child]
        pub waiting_revealer: TemplateChild<gtk::Revealer>,
        #[template_child]
        pub waiting_label: TemplateChild<gtk::Label>,
        pub last_toast: RefCell<String>,
        pub locked: Cell<bool>,
        pub connected: Cell<bool>,
        pub keyring_unlock: Cell<bool>,
        pub reconnecting: Cell<bool>,
        /// The vault was just created here: the setup page stays until the user moves on.
        pub setting_up: Cell<bool>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for Window {
        const NAME: &'static str = "LatchkeyWindow";
        type Type = super::Window;
        type ParentType = adw::ApplicationWindow;

        fn class_init(klass: &mut Self::Class) {
            UnlockPage::static_type();
            SetupPage::static_type();
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for Window {
        fn constructed(&self) {
            self.parent_constructed();
            let win = self.obj();
            self.prefs.replace(Prefs::load());
            self.locked.set(true);
            win.setup_list();
            win.setup_actions();
            // An export dropped on the window from a file manager is imported (after the
            // preview), as GNOME Authenticator and OTPClient users expect.
            crate::widgets::accept_drops(
                &*win,
                glib::clone!(
                    #[weak]
                    win,
                    move |path| win.import_dropped(path)
                ),
            );
            win.start_timer();
        }
    }
    impl WidgetImpl for Window {}
    impl WindowImpl for Window {}
    impl ApplicationWindowImpl for Window {}
    impl AdwApplicationWindowImpl for Window {}
}

glib::wrapper! {
    /// Latchkey's main window.
    pub struct Window(ObjectSubclass<imp::Window>)
        @extends adw::ApplicationWindow, gtk::ApplicationWindow, gtk::Window, gtk::Widget,
        @implements gio::ActionGroup, gio::ActionMap, gtk::Buildable,
            gtk::ConstraintTarget, gtk::Native, gtk::Root, gtk::ShortcutManager;
}

impl Window {
    /// A window for `app`; call [`Window::connect_daemon`] once it is shown.
    pub fn new(app: &adw::Application) -> Self {
        glib::Object::builder().property("application", app).build()
    }

    /// Shows a toast (and remembers its text for the automation hook).
    pub fn toast(&self, text: &str) {
        self.imp().last_toast.replace(text.to_string());
        let toast = adw::Toast::new(text);
        toast.set_timeout(3);
        self.imp().toasts.add_toast(toast);
    }

    /// Current client preferences.
    pub fn prefs(&self) -> Prefs {
        self.imp().prefs.borrow().clone()
    }

    /// Stores new client preferences and redraws.
    pub fn set_prefs(&self, prefs: Prefs) {
        if let Err(e) = prefs.save() {
            self.toast(&e.to_string());
        }
        self.imp().prefs.replace(prefs);
        self.tick();
    }

    /// The name of the visible page (`loading`, `unlock`, `accounts`), for tests.
    pub fn page(&self) -> String {
        self.imp()
            .stack
            .visible_child_name()
            .map(|s| s.to_string())
            .unwrap_or_default()
    }
}

impl Window {
    /// The unlock page (automation hook).
    pub fn unlock_page(&self) -> crate::widgets::UnlockPage {
        self.imp().unlock_page.clone()
    }

    /// The text of the last toast (automation hook).
    pub fn last_toast(&self) -> String {
        self.imp().last_toast.borrow().clone()
    }
}
