//! `latchkey-gtk`: Latchkey's GTK4/libadwaita client. It talks to latchkeyd only over D-Bus.

mod a11y;
mod application;
#[cfg(any(debug_assertions, feature = "test-hooks"))]
mod automation;
mod clipboard;
mod daemon;
mod i18n;
mod models;
mod prefs;
mod search;
mod widgets;
mod window;

use gtk::glib;
use gtk::prelude::*;

/// Unix time in seconds (codes and delays are expressed in it).
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn main() -> glib::ExitCode {
    i18n::init();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "warn,zbus=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    if let Err(e) = daemon::connect() {
        eprintln!("latchkey-gtk: {e}");
        return glib::ExitCode::FAILURE;
    }
    // The window's X11 class and the program name are the app id, as the desktop file's name,
    // so docks and the shell match the window to its launcher and icon.
    glib::set_prgname(Some(application::APP_ID));
    glib::set_application_name("Latchkey");
    // The app's only option is GApplication's own --gapplication-service (D-Bus activation, for
    // the desktop's search); GTK's are not offered.
    let args: Vec<String> = std::env::args()
        .take(1)
        .chain(
            std::env::args()
                .skip(1)
                .filter(|a| a == "--gapplication-service"),
        )
        .collect();
    let app = application::build();
    app.run_with_args(&args)
}
