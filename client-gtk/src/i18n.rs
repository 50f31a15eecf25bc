//! Translations through gettext: the Rust strings go through [`gettext`] and [`ngettext`], the
//! templates' `translatable="yes"` strings through GtkBuilder, both in the `latchkey` domain
//! bound here before any widget exists. The catalogues are compiled from `client-gtk/po/` by
//! `build.rs`; a package points `LATCHKEY_LOCALEDIR` at the system's locale folder at build time.

pub use gettextrs::{gettext, ngettext};

/// The text domain of every string the app shows.
pub const DOMAIN: &str = "latchkey";

/// Where the compiled catalogues are: the system's folder for a package, else the build's own.
const LOCALEDIR: &str = match option_env!("LATCHKEY_LOCALEDIR") {
    Some(dir) => dir,
    None => concat!(env!("OUT_DIR"), "/locale"),
};

/// Takes the user's locale and binds the domain; call first thing in `main`.
pub fn init() {
    use gettextrs::{
        LocaleCategory, bind_textdomain_codeset, bindtextdomain, setlocale, textdomain,
    };
    setlocale(LocaleCategory::LcAll, "");
    // Untranslated (English) text is the fallback of every failure here: nothing to report.
    let _ = bindtextdomain(DOMAIN, LOCALEDIR);
    let _ = bind_textdomain_codeset(DOMAIN, "UTF-8");
    let _ = textdomain(DOMAIN);
}

/// Marks `msgid` for translation where it is defined (a constant), for `xgettext` to find; it
/// is translated with [`gettext`] where it is shown.
pub const fn n_(msgid: &'static str) -> &'static str {
    msgid
}

/// `template` (already translated) with each `{name}` replaced by its value; named, so a
/// translation may put them in another order.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::fill;

    #[test]
    fn placeholders_are_filled_by_name_in_any_order() {
        assert_eq!(
            fill("{b} before {a}", &[("a", "x"), ("b", "y")]),
            "y before x"
        );
        assert_eq!(fill("no {such}", &[("a", "x")]), "no {such}");
    }
}
