//! Compiles the translations in `po/` (one `LANG.po` per language listed in `po/LINGUAS`) into
//! gettext catalogues under `OUT_DIR/locale`, where an uninstalled build finds them.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    let po = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("po");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo:rerun-if-changed=po");
    println!("cargo:rerun-if-env-changed=LATCHKEY_LOCALEDIR");
    let linguas = std::fs::read_to_string(po.join("LINGUAS")).unwrap_or_default();
    for lang in linguas
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let dir = out.join("locale").join(lang).join("LC_MESSAGES");
        std::fs::create_dir_all(&dir).expect("create the locale folder");
        let status = Command::new("msgfmt")
            .arg("--check")
            .arg("-o")
            .arg(dir.join("latchkey.mo"))
            .arg(po.join(format!("{lang}.po")))
            .status()
            .unwrap_or_else(|e| panic!("msgfmt (Debian package gettext) is needed: {e}"));
        assert!(status.success(), "msgfmt refused po/{lang}.po");
    }
}
