//! Android shared-preferences files (`shared_prefs/*.xml`), where Authy, Battle.net
//! Authenticator, FreeOTP and TOTP Authenticator keep their accounts, read with quick-xml.
//!
//! The file is `<map>` holding `<string name="…">text</string>` and `<int|long|float|boolean
//! name="…" value="…"/>` (and `<set>` of strings); only strings carry accounts. quick-xml does
//! not read DTDs, so entity tricks cannot expand the file.

use super::ImportError;
use serde::Deserialize;
use serde::de::IgnoredAny;
use zeroize::Zeroizing;

/// Most preferences read from one file.
const MAX_PREFS: usize = 20_000;

#[derive(Deserialize)]
struct Map {
    #[serde(rename = "$value", default)]
    items: Vec<Item>,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum Item {
    String {
        #[serde(rename = "@name")]
        name: String,
        #[serde(rename = "$text", default)]
        value: Text,
    },
    Int(IgnoredAny),
    Long(IgnoredAny),
    Float(IgnoredAny),
    Boolean(IgnoredAny),
    Set(IgnoredAny),
}

/// A string's text, wiped on drop.
#[derive(Default)]
struct Text(Zeroizing<String>);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|s| Text(Zeroizing::new(s)))
    }
}

/// The string preferences of a file, in order, as (name, value).
pub struct Strings(Vec<(String, Zeroizing<String>)>);

impl Strings {
    /// The value of the first string named `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every (name, value).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

/// Reads the string preferences of `bytes`; `app` names the app in errors.
pub fn strings(bytes: &[u8], app: &'static str) -> Result<Strings, ImportError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ImportError::malformed(app, "the preferences file is not UTF-8 text"))?;
    let map: Map = quick_xml::de::from_str(text).map_err(|e| {
        ImportError::malformed(app, format!("not an Android preferences file ({e})"))
    })?;
    if map.items.len() > MAX_PREFS {
        return Err(ImportError::TooManyEntries);
    }
    Ok(Strings(
        map.items
            .into_iter()
            .filter_map(|item| match item {
                Item::String { name, value } => Some((name, value.0)),
                _ => None,
            })
            .collect(),
    ))
}
