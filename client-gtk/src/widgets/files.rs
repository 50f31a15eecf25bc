//! Files the user picks to open or to save to.
//!
//! GTK keeps no reference to a native file chooser: one dropped when the function that made it
//! returns is never shown (the "Scan a QR Code Image…" button once did nothing for that reason).
//! Each chooser here holds itself through its own response handler until it answers.

use crate::i18n::gettext;
use gtk::prelude::*;
use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;

/// A named group of files for the chooser's filter: (name, MIME types, glob patterns).
pub struct Kind {
    pub name: String,
    pub mime: &'static [&'static str],
    pub patterns: &'static [&'static str],
}

/// Exports of other authenticators and Latchkey's own files.
pub fn exports() -> Kind {
    Kind {
        name: gettext("Exports and backups"),
        mime: &[
            "application/json",
            "text/plain",
            "text/csv",
            "image/png",
            "image/jpeg",
        ],
        patterns: &[
            "*.json",
            "*.2fas",
            "*.aes",
            "*.txt",
            "*.csv",
            "*.latchkey",
            "*.png",
            "*.jpg",
            "*.jpeg",
            "*.xml",
            "*.db",
            "*.kdbx",
            "*.maFile",
        ],
    }
}

/// PNG and JPEG images (QR codes, screenshots).
pub fn images() -> Kind {
    Kind {
        name: gettext("Images"),
        mime: &["image/png", "image/jpeg"],
        patterns: &["*.png", "*.jpg", "*.jpeg"],
    }
}

/// Latchkey backups and exports.
pub fn backups() -> Kind {
    Kind {
        name: gettext("Latchkey backups"),
        mime: &[],
        patterns: &["*.latchkey", "*.latchkey.bak"],
    }
}

fn chooser(
    parent: &impl IsA<gtk::Window>,
    title: &str,
    action: gtk::FileChooserAction,
    accept: &str,
    done: impl Fn(PathBuf) + 'static,
) -> gtk::FileChooserNative {
    let chooser = gtk::FileChooserNative::new(
        Some(title),
        Some(parent),
        action,
        Some(accept),
        Some(&gettext("Cancel")),
    );
    chooser.set_modal(true);
    let held: Rc<RefCell<Option<gtk::FileChooserNative>>> = Rc::default();
    let keep = held.clone();
    chooser.connect_response(move |c, response| {
        let path = c.file().and_then(|f| f.path());
        c.destroy();
        // Answered: let go of the chooser (this ends the cycle that kept it alive).
        keep.replace(None);
        if response == gtk::ResponseType::Accept
            && let Some(path) = path
        {
            done(path);
        }
    });
    held.replace(Some(chooser.clone()));
    chooser
}

/// Asks for a file to open, of `kinds` (or any file); calls `done` with it.
pub fn open(
    parent: &impl IsA<gtk::Window>,
    title: &str,
    kinds: &[Kind],
    done: impl Fn(PathBuf) + 'static,
) {
    let c = chooser(
        parent,
        title,
        gtk::FileChooserAction::Open,
        &gettext("Open"),
        done,
    );
    for kind in kinds {
        let filter = gtk::FileFilter::new();
        filter.set_name(Some(&kind.name));
        for m in kind.mime {
            filter.add_mime_type(m);
        }
        for p in kind.patterns {
            filter.add_pattern(p);
        }
        c.add_filter(&filter);
    }
    if !kinds.is_empty() {
        let all = gtk::FileFilter::new();
        all.set_name(Some(&gettext("All files")));
        all.add_pattern("*");
        c.add_filter(&all);
    }
    c.show();
}

/// Asks for a folder; calls `done` with it.
pub fn folder(parent: &impl IsA<gtk::Window>, title: &str, done: impl Fn(PathBuf) + 'static) {
    let c = chooser(
        parent,
        title,
        gtk::FileChooserAction::SelectFolder,
        &gettext("Select"),
        done,
    );
    c.show();
}

/// Asks where to save, suggesting `name`; calls `done` with the chosen path.
pub fn save(
    parent: &impl IsA<gtk::Window>,
    title: &str,
    name: &str,
    done: impl Fn(PathBuf) + 'static,
) {
    let c = chooser(
        parent,
        title,
        gtk::FileChooserAction::Save,
        &gettext("Save"),
        done,
    );
    c.set_current_name(name);
    c.show();
}
