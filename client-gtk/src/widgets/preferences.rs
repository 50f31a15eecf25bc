//! Preferences: the client's own (hide codes, clipboard delay) on the General page; the
//! service's settings (every one the CLI has, and keyring unlock) on the Security page.

use crate::daemon;
use crate::window::Window;
use adw::prelude::*;
use adw::subclass::prelude::*;
use gtk::glib;
use std::rc::Rc;

mod imp {
    use super::*;
    use std::cell::Cell;

    #[derive(Default, gtk::CompositeTemplate)]
    #[template(file = "preferences.ui")]
    pub struct PreferencesWindow {
        #[template_child]
        pub service_page: TemplateChild<adw::PreferencesPage>,
        #[template_child]
        pub keyring_switch: TemplateChild<gtk::Switch>,
        pub service: std::cell::OnceCell<Rc<super::super::service_settings::ServiceSettings>>,
        pub backups: std::cell::OnceCell<Rc<super::super::backups_page::BackupsPage>>,
        pub access: std::cell::OnceCell<Rc<super::super::access_page::AccessPage>>,
        pub devices: std::cell::OnceCell<Rc<super::super::devices_page::DevicesPage>>,
        #[template_child]
        pub passphrase_row: TemplateChild<adw::ActionRow>,
        #[template_child]
        pub passphrase_button: TemplateChild<gtk::Button>,
        #[template_child]
        pub hide_switch: TemplateChild<gtk::Switch>,
        #[template_child]
        pub clipboard_spin: TemplateChild<gtk::SpinButton>,
        pub window: glib::WeakRef<Window>,
        /// True while values from the daemon are being filled in (no write-back).
        pub loading: Cell<bool>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for PreferencesWindow {
        const NAME: &'static str = "LatchkeyPreferencesWindow";
        type Type = super::PreferencesWindow;
        type ParentType = adw::PreferencesWindow;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for PreferencesWindow {}
    impl WidgetImpl for PreferencesWindow {}
    impl WindowImpl for PreferencesWindow {}
    impl AdwWindowImpl for PreferencesWindow {}
    impl PreferencesWindowImpl for PreferencesWindow {}
}

glib::wrapper! {
    /// The preferences window.
    pub struct PreferencesWindow(ObjectSubclass<imp::PreferencesWindow>)
        @extends adw::PreferencesWindow, adw::Window, gtk::Window, gtk::Widget,
        @implements gtk::Buildable, gtk::ConstraintTarget, gtk::Native,
            gtk::Root, gtk::ShortcutManager;
}

impl PreferencesWindow {
    /// Preferences over `window`, filled from the daemon and the client's file.
    pub fn new(window: &Window) -> Self {
        let p: Self = glib::Object::builder()
            .property("transient-for", window)
            .build();
        let imp = p.imp();
        imp.window.set(Some(window));
        imp.loading.set(true);
        let prefs = window.prefs();
        imp.hide_switch.set_active(prefs.hide_codes);
        imp.clipboard_spin
            .set_value(f64::from(prefs.clipboard_clear_seconds));
        imp.keyring_switch
            .set_active(window.imp().keyring_unlock.get());
        let service = super::service_settings::ServiceSettings::new(p.upcast_ref());
        for g in service.groups() {
            imp.service_page.add(g);
        }
        let _ = imp.service.set(service);
        let backups = super::backups_page::BackupsPage::new(p.upcast_ref());
        p.add(backups.page());
        let _ = imp.backups.set(backups);
        let list = window.downgrade();
        let access = super::access_page::AccessPage::new(p.upcast_ref(), move |id| {
            let w = list.upgrade()?;
            let a = w.imp().accounts.get(id)?;
            Some(a.label())
        });
        p.add(access.page());
        let _ = imp.access.set(access);
        let devices = super::devices_page::DevicesPage::new(p.upcast_ref());
        p.add(devices.page());
        let _ = imp.devices.set(devices);
        p.connect_handlers();
        p.load_daemon_settings();
        p
    }

    fn connect_handlers(&self) {
        let imp = self.imp();
        let save_local = glib::clone!(
            #[weak(rename_to = p)]
            self,
            move || p.save_local()
        );
        let s = save_local.clone();
        imp.hide_switch.connect_active_notify(move |_| s());
        imp.clipboard_spin
            .connect_value_changed(move |_| save_local());
        imp.passphrase_button.connect_clicked(glib::clone!(
            #[weak(rename_to = p)]
            self,
            move |_| p.change_passphrase()
        ));
        imp.keyring_switch.connect_active_notify(glib::clone!(
            #[weak(rename_to = p)]
            self,
            move |sw| {
                let on = sw.is_active();
                p.write(async move { daemon::set_keyring(on).await });
            }
        ));
    }

    fn change_passphrase(&self) {
        let p = self.downgrade();
        super::passphrase_change::open(self, move || {
            if let Some(p) = p.upgrade() {
                p.add_toast(adw::Toast::new(&crate::i18n::gettext("Passphrase changed")));
            }
        });
    }

    fn load_daemon_settings(&self) {
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = p)]
            self,
            async move {
                let imp = p.imp();
                let open = p
                    .imp()
                    .window
                    .upgrade()
                    .is_some_and(|w| !w.imp().locked.get());
                imp.keyring_switch.set_sensitive(open);
                imp.passphrase_row.set_sensitive(open);
                imp.passphrase_button.set_sensitive(open);
                if let Some(b) = imp.backups.get() {
                    b.refresh(open);
                }
                if let Some(a) = imp.access.get() {
                    a.refresh();
                }
                if let Some(d) = imp.devices.get() {
                    d.refresh();
                }
                match daemon::daemon_settings().await {
                    Ok(s) => {
                        if let Some(service) = imp.service.get() {
                            service.show(s, open);
                        }
                    }
                    Err(e) => p.add_toast(adw::Toast::new(&e.message())),
                }
                imp.loading.set(false);
            }
        ));
    }

    fn save_local(&self) {
        let imp = self.imp();
        let Some(w) = imp.window.upgrade() else {
            return;
        };
        let mut prefs = w.prefs();
        prefs.hide_codes = imp.hide_switch.is_active();
        prefs.clipboard_clear_seconds = imp.clipboard_spin.value_as_int().max(0) as u32;
        w.set_prefs(prefs);
    }

    fn write(
        &self,
        call: impl std::future::Future<Output = Result<(), latchkey_dbus::Error>> + 'static,
    ) {
        if self.imp().loading.get() {
            return;
        }
        glib::spawn_future_local(glib::clone!(
            #[weak(rename_to = p)]
            self,
            async move {
                if let Err(e) = call.await {
                    p.add_toast(adw::Toast::new(&e.message()));
                }
            }
        ));
    }
}

/// Shows `text` as a toast in the preferences window `window`, if it is still open.
pub fn toast(window: &glib::WeakRef<gtk::Window>, text: &str) {
    if let Some(w) = window
        .upgrade()
        .and_then(|p| p.downcast::<adw::PreferencesWindow>().ok())
    {
        w.add_toast(adw::Toast::new(text));
    }
}
