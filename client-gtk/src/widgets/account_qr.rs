//! One account's QR code and secret, to move it to a phone: shown only after the vault
//! passphrase (the daemon checks it and records an "exported" security event), and forgotten
//! when the window closes.

use super::prompt::{self, Words};
use crate::daemon;
use crate::i18n::{fill, gettext};
use crate::models::AccountObject;
use adw::prelude::*;
use gtk::{gdk, glib};
use zeroize::Zeroizing;

/// Pixels per QR module, and the quiet zone around the code in modules.
const SCALE: usize = 6;
const QUIET: usize = 4;

/// Asks for the vault passphrase over `parent`, then shows `account`'s QR code and link.
pub fn show(parent: &impl IsA<gtk::Window>, account: &AccountObject) {
    let words = Words {
        title: gettext("Move to a Phone"),
        body: fill(
            &gettext(
                "The QR code holds the secret of {account}: anyone who sees it can make its \
                 codes. Enter your vault passphrase to show it.",
            ),
            &[("account", &account.label())],
        ),
        entry: gettext("Vault passphrase"),
        button: gettext("Show"),
    };
    let (id, label) = (account.id(), account.label());
    let weak = parent.as_ref().downgrade();
    prompt::ask(parent, words, move |passphrase| {
        let (id, label, parent) = (id.clone(), label.clone(), weak.clone());
        async move {
            let uri = daemon::export_account(id, passphrase)
                .await
                .map_err(|e| prompt::failure(&e))?;
            if let Some(parent) = parent.upgrade() {
                window(&parent, &label, uri);
            }
            Ok(())
        }
    });
}

fn window(parent: &gtk::Window, label: &str, uri: Zeroizing<String>) {
    let picture = picture(
        &uri,
        &fill(&gettext("QR code of {account}"), &[("account", label)]),
    );
    let explain = gtk::Label::builder()
        .label(gettext(
            "Scan it with the authenticator on your phone, or type the link's secret into it. \
             Close this window when you are done.",
        ))
        .wrap(true)
        .xalign(0.0)
        .build();
    let link = gtk::Label::builder()
        .label(uri.as_str())
        .wrap(true)
        .wrap_mode(gtk::pango::WrapMode::Char)
        .selectable(true)
        .xalign(0.0)
        .build();
    link.add_css_class("monospace");
    link.add_css_class("caption");
    crate::a11y::name(&link, &gettext("The account's otpauth link"));
    let title = fill(&gettext("{account} — QR Code"), &[("account", label)]);
    secret_window(
        parent,
        &title,
        &[picture.upcast_ref(), explain.upcast_ref()],
        link,
    );
}

/// A picture of the QR code of `text`, named `name` for screen readers (hidden when `text` is
/// too long for a QR code).
pub(super) fn picture(text: &str, name: &str) -> gtk::Picture {
    let picture = gtk::Picture::new();
    match texture(text) {
        Some(t) => picture.set_paintable(Some(&t)),
        None => picture.set_visible(false),
    }
    picture.set_can_shrink(false);
    picture.set_halign(gtk::Align::Center);
    crate::a11y::name(&picture, name);
    picture
}

/// A small modal window over `parent` showing `widgets` and then `secret`, a label holding a
/// secret in text: the label keeps its own copy of the text, so it is emptied when the window
/// closes.
pub(super) fn secret_window(
    parent: &gtk::Window,
    title: &str,
    widgets: &[&gtk::Widget],
    secret: gtk::Label,
) {
    let w = adw::Window::builder()
        .transient_for(parent)
        .modal(true)
        .title(title)
        .default_width(420)
        .build();
    super::close_on_escape(&w);
    let content = gtk::Box::builder()
        .orientation(gtk::Orientation::Vertical)
        .spacing(12)
        .margin_top(12)
        .margin_bottom(24)
        .margin_start(24)
        .margin_end(24)
        .build();
    for widget in widgets {
        content.append(*widget);
    }
    content.append(&secret);
    let outer = gtk::Box::new(gtk::Orientation::Vertical, 0);
    outer.append(&adw::HeaderBar::new());
    outer.append(&content);
    w.set_content(Some(&outer));
    w.connect_close_request(move |_| {
        secret.set_label("");
        glib::Propagation::Proceed
    });
    w.present();
}

/// The QR code of `text` as a texture: black modules on white, with the quiet zone.
fn texture(text: &str) -> Option<gdk::MemoryTexture> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET) * SCALE;
    // RGB, three bytes a pixel (GTK 4.8 has no one-channel texture format).
    let mut pixels = Zeroizing::new(vec![0xffu8; side * side * 3]);
    for (i, c) in colors.iter().enumerate() {
        if *c != qrcode::Color::Dark {
            continue;
        }
        let (mx, my) = (i % modules + QUIET, i / modules + QUIET);
        for y in my * SCALE..(my + 1) * SCALE {
            let row = y * side * 3;
            pixels[row + mx * SCALE * 3..row + (mx + 1) * SCALE * 3].fill(0);
        }
    }
    let bytes = glib::Bytes::from(&pixels[..]);
    let edge = i32::try_from(side).ok()?;
    Some(gdk::MemoryTexture::new(
        edge,
        edge,
        gdk::MemoryFormat::R8g8b8,
        &bytes,
        side * 3,
    ))
}
