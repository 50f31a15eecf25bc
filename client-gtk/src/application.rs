//! The application: one main window, accelerators, style, the About window.

use crate::i18n::gettext;
use crate::window::Window;
use adw::prelude::*;
use gtk::{gdk, gio, glib};

/// The application id (also the name of the .desktop file, icon and metainfo).
pub const APP_ID: &str = "org.latchkey.Latchkey";

mod imp {
    use super::*;
    use adw::subclass::prelude::*;
    use std::cell::RefCell;

    #[derive(Default)]
    pub struct Application {
        /// The desktop search objects, exported while the app owns its bus name.
        pub search: RefCell<Option<crate::search::Registration>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for Application {
        const NAME: &'static str = "LatchkeyApplication";
        type Type = super::Application;
        type ParentType = adw::Application;
    }

    impl ObjectImpl for Application {}

    impl ApplicationImpl for Application {
        // The search objects are exported here, before the name is taken, so a search that
        // D-Bus activation started the app for finds them.
        fn dbus_register(
            &self,
            connection: &gio::DBusConnection,
            object_path: &str,
        ) -> Result<(), glib::Error> {
            self.parent_dbus_register(connection, object_path)?;
            let app = self.obj();
            let registration = crate::search::register(app.upcast_ref(), connection)?;
            self.search.replace(Some(registration));
            Ok(())
        }

        fn dbus_unregister(&self, connection: &gio::DBusConnection, object_path: &str) {
            if let Some(r) = self.search.take() {
                r.unregister(connection);
            }
            self.parent_dbus_unregister(connection, object_path);
        }
    }

    impl GtkApplicationImpl for Application {}
    impl AdwApplicationImpl for Application {}
}

glib::wrapper! {
    /// Latchkey's application: one window, and the desktop's search.
    pub struct Application(ObjectSubclass<imp::Application>)
        @extends adw::Application, gtk::Application, gio::Application,
        @implements gio::ActionGroup, gio::ActionMap;
}

/// Builds the application; `run` it.
pub fn build() -> Application {
    // Unique per session bus: launching it again raises the open window. Started by D-Bus
    // activation (`--gapplication-service`, for a search), it shows no window until asked.
    let app: Application = glib::Object::builder()
        .property("application-id", APP_ID)
        .build();
    app.connect_startup(|app| {
        gtk::Window::set_default_icon_name(APP_ID);
        load_css();
        add_icon_path();
        app.set_accels_for_action("win.lock", &["<Control>l"]);
        app.set_accels_for_action("win.copy-selected", &["<Control>c"]);
        app.set_accels_for_action("win.add", &["<Control>n"]);
        app.set_accels_for_action("win.preferences", &["<Control>comma"]);
        app.set_accels_for_action("window.close", &["<Control>w"]);
        app.set_accels_for_action("win.search", &["<Control>f"]);
        app.set_accels_for_action("win.show-help-overlay", &["<Control>question"]);
        app.set_accels_for_action("app.quit", &["<Control>q"]);
        let quit = gio::SimpleAction::new("quit", None);
        quit.connect_activate(glib::clone!(
            #[weak]
            app,
            move |_, _| app.quit()
        ));
        app.add_action(&quit);
        let about = gio::SimpleAction::new("about", None);
        about.connect_activate(glib::clone!(
            #[weak]
            app,
            move |_, _| show_about(app.upcast_ref())
        ));
        app.add_action(&about);
    });
    app.connect_activate(|app| {
        if let Some(w) = app.active_window() {
            w.present();
            return;
        }
        let window = Window::new(app.upcast_ref());
        window.present();
        window.connect_daemon();
        #[cfg(any(debug_assertions, feature = "test-hooks"))]
        if crate::automation::enabled() {
            crate::automation::start(&window);
        }
    });
    app
}

fn load_css() {
    let provider = gtk::CssProvider::new();
    provider.load_from_data(include_str!("style.css"));
    if let Some(display) = gdk::Display::default() {
        gtk::style_context_add_provider_for_display(
            &display,
            &provider,
            gtk::STYLE_PROVIDER_PRIORITY_APPLICATION,
        );
    }
}

/// Lets an uninstalled build find its icon in `client-gtk/data/icons`.
fn add_icon_path() {
    if let Some(display) = gdk::Display::default() {
        let theme = gtk::IconTheme::for_display(&display);
        theme.add_search_path(concat!(env!("CARGO_MANIFEST_DIR"), "/data/icons"));
    }
}

fn show_about(app: &adw::Application) {
    let about = adw::AboutWindow::builder()
        .application_name("Latchkey")
        .application_icon(APP_ID)
        .version(env!("CARGO_PKG_VERSION"))
        .developer_name(gettext("The Latchkey developers"))
        .developers(vec![gettext("The Latchkey developers")])
        // Translators: your names, one per line, as you would like to be credited.
        .translator_credits(gettext("translator-credits"))
        .website(env!("CARGO_PKG_HOMEPAGE"))
        .issue_url(concat!(env!("CARGO_PKG_REPOSITORY"), "/issues"))
        .support_url(concat!(
            env!("CARGO_PKG_REPOSITORY"),
            "/src/branch/main/docs/gtk.md"
        ))
        .copyright("© 2026 The Latchkey developers")
        .license_type(gtk::License::Gpl30)
        .comments(gettext(
            "Two-factor codes and sign-in approvals for the Linux desktop",
        ))
        .release_notes_version("0.2.0")
        .release_notes(gettext(
            "<p>The app is complete on its own: no terminal is needed.</p><ul><li>Create the \
             vault, or restore it from a backup, on first run</li><li>Import other \
             authenticators' exports with a preview; export, back up and restore</li><li>Show \
             an account's QR code to move it to a phone</li><li>Request dialogs that show who \
             asks first</li><li>A Dutch translation</li></ul>",
        ))
        .build();
    if let Some(w) = app.active_window() {
        about.set_transient_for(Some(&w));
    }
    about.present();
}
