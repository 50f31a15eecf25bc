//! Accessible names set at run time, for what only the data can name (a row's account, its
//! code, its countdown).
//!
//! gtk4-rs binds `gtk_accessible_update_property` only from GTK 4.10 (as gtk4-sys does), but
//! GTK has had it since 4.0, so on Debian's 4.8 it is declared and called here. A name set here replaces the one GTK would
//! compute, so a screen reader says "Copy the code for GitHub (alice)", not "Copy code" for
//! every row.

use gtk::glib::translate::ToGlibPtr;
use gtk::prelude::*;

unsafe extern "C" {
    /// GTK's `void gtk_accessible_update_property (GtkAccessible*, GtkAccessibleProperty, ...)`.
    fn gtk_accessible_update_property(
        accessible: *mut gtk::ffi::GtkAccessible,
        first_property: gtk::ffi::GtkAccessibleProperty,
        ...
    );
}

/// Sets the accessible name of `widget` to `text`.
pub fn name(widget: &impl IsA<gtk::Widget>, text: &str) {
    let Ok(text) = std::ffi::CString::new(text) else {
        return;
    };
    let raw: *mut gtk::ffi::GtkWidget = widget.as_ref().to_glib_none().0;
    // Every GtkWidget implements the GtkAccessible interface on the same instance.
    let accessible = raw.cast::<gtk::ffi::GtkAccessible>();
    // SAFETY: `accessible` is a live GtkAccessible borrowed for the call; LABEL takes one
    // NUL-terminated string, which GTK copies; the list of (property, value) pairs ends with
    // -1 as the C API requires.
    unsafe {
        gtk_accessible_update_property(
            accessible,
            gtk::ffi::GTK_ACCESSIBLE_PROPERTY_LABEL,
            text.as_ptr(),
            -1i32,
        );
    }
}
