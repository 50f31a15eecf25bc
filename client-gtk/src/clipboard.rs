//! Copying codes: marked as secret for clipboard managers, cleared after a delay if unchanged.

use gtk::gdk;
use gtk::glib;
use gtk::prelude::*;
use std::time::Duration;

/// MIME type KDE's and several other clipboard managers read as "do not keep in history".
const SECRET_HINT: &str = "x-kde-passwordManagerHint";

/// Puts `code` on the clipboard of `display`; clears it after `clear_after` seconds (0 = never)
/// if the clipboard still holds this code.
pub fn copy(display: &gdk::Display, code: &str, clear_after: u32) {
    let clipboard = display.clipboard();
    let text = gdk::ContentProvider::for_bytes(
        "text/plain;charset=utf-8",
        &glib::Bytes::from(code.as_bytes()),
    );
    let plain = gdk::ContentProvider::for_bytes("text/plain", &glib::Bytes::from(code.as_bytes()));
    let utf8 = gdk::ContentProvider::for_value(&code.to_value());
    let hint = gdk::ContentProvider::for_bytes(SECRET_HINT, &glib::Bytes::from_static(b"secret"));
    let provider = gdk::ContentProvider::new_union(&[utf8, text, plain, hint]);
    if let Err(e) = clipboard.set_content(Some(&provider)) {
        tracing::warn!("cannot set the clipboard: {e}");
        return;
    }
    if clear_after == 0 {
        return;
    }
    let code = code.to_string();
    glib::timeout_add_local_once(Duration::from_secs(u64::from(clear_after)), move || {
        glib::spawn_future_local(async move {
            // Only our own content is cleared: if the user copied something else, keep it.
            if !clipboard.is_local() {
                return;
            }
            if let Ok(Some(current)) = clipboard.read_text_future().await
                && current == code
                && let Err(e) = clipboard.set_content(None::<&gdk::ContentProvider>)
            {
                tracing::warn!("cannot clear the clipboard: {e}");
            }
        });
    });
}
