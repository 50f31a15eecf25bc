//! The published test vector: the fixture unlocks to the documented body, and the bytes printed in
//! docs/vault-format.md are exactly the fixture's, so the document cannot drift from the code.

use data_encoding::BASE64;
use latchkey_core::vault::{KdfParams, Store};
use std::path::PathBuf;

const PASSPHRASE: &[u8] = b"correct horse battery staple";
const BODY: &[u8] = br#"{"hello":"latchkey"}"#;
/// The HTML comment that precedes the vector's code block in the doc.
const DOC_MARKER: &str = "<!-- vault-vector-v1.latchkey -->";

fn fixture_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/vault-vector-v1.latchkey")
}

fn doc_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/vault-format.md")
}

/// The base64 block following `DOC_MARKER`, decoded.
fn vector_from_doc() -> Vec<u8> {
    let doc = std::fs::read_to_string(doc_path()).unwrap();
    let mut lines = doc.lines().skip_while(|l| l.trim() != DOC_MARKER).skip(1);
    assert!(
        lines.next().is_some_and(|l| l.starts_with("```")),
        "no code block after {DOC_MARKER}"
    );
    let text: String = lines
        .take_while(|l| !l.starts_with("```"))
        .map(str::trim)
        .collect();
    BASE64.decode(text.as_bytes()).unwrap()
}

#[test]
fn fixture_unlocks_to_the_documented_body() {
    let store = Store::new(fixture_path());
    let before = std::fs::read(store.path()).unwrap();
    let info = store.inspect().unwrap();
    assert_eq!(
        (info.version, info.account_count, info.kdf),
        (1, 1, KdfParams::insecure_for_tests())
    );
    let (_session, body) = store.unlock(PASSPHRASE).unwrap();
    assert_eq!(&body[..], BODY);
    assert_eq!(std::fs::read(store.path()).unwrap(), before);
}

#[test]
fn doc_bytes_are_the_fixture() {
    let fixture = std::fs::read(fixture_path()).unwrap();
    assert_eq!(
        vector_from_doc(),
        fixture,
        "docs/vault-format.md and the fixture differ"
    );
}

/// Writes a new fixture and prints it for the doc. Run once:
/// `LATCHKEY_WRITE_VECTOR=1 cargo test -p latchkey-core --test it vault_vector -- --ignored --nocapture`
#[test]
#[ignore = "regenerates the committed test vector"]
fn generate_vector() {
    if std::env::var_os("LATCHKEY_WRITE_VECTOR").is_none() {
        eprintln!(
            "set LATCHKEY_WRITE_VECTOR=1 to overwrite {}",
            fixture_path().display()
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path().join("vector.latchkey"));
    store
        .create(PASSPHRASE, KdfParams::insecure_for_tests(), BODY, 1)
        .unwrap();
    let bytes = std::fs::read(store.path()).unwrap();
    std::fs::write(fixture_path(), &bytes).unwrap();
    println!("{DOC_MARKER}\n```text");
    for chunk in BASE64.encode(&bytes).as_bytes().chunks(76) {
        println!("{}", String::from_utf8_lossy(chunk));
    }
    println!("```");
}
