//! Import formats by name, and guessing one from the first bytes of a file.

use super::ImportError;

/// An export format; `Other` names formats of the issue that are not supported yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Auto,
    Aegis,
    Google,
    Uris,
    /// Latchkey's own backup / export (a vault file).
    Latchkey,
    Other(&'static str),
}

impl Format {
    /// Parses a `--format` value (empty means auto).
    pub fn from_name(name: &str) -> Result<Self, ImportError> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "" | "auto" => Format::Auto,
            "aegis" => Format::Aegis,
            "google" => Format::Google,
            "uris" | "uri" => Format::Uris,
            "latchkey" => Format::Latchkey,
            "2fas" => Format::Other("2FAS"),
            "andotp" => Format::Other("andOTP"),
            "freeotp" => Format::Other("FreeOTP+"),
            "bitwarden" => Format::Other("Bitwarden"),
            _ => {
                let shown: String = name.chars().take(32).collect();
                return Err(ImportError::UnknownFormatName(shown));
            }
        })
    }

    /// The name reports and logs use.
    pub fn name(self) -> &'static str {
        match self {
            Format::Auto => "auto",
            Format::Aegis => "aegis",
            Format::Google => "google",
            Format::Uris => "uris",
            Format::Latchkey => "latchkey",
            Format::Other(name) => name,
        }
    }
}

/// Guesses the format: the `LATCHKEY` magic is a Latchkey backup; otherwise the first line that is
/// not blank or a `#` comment decides: JSON is Aegis,
/// `otpauth-migration://` is Google, `otpauth://` a URI list.
pub fn detect(bytes: &[u8]) -> Result<Format, ImportError> {
    if bytes.starts_with(b"LATCHKEY") {
        return Ok(Format::Latchkey);
    }
    let head = bytes
        .split(|&b| b == b'\n')
        .map(|line| line.trim_ascii())
        .find(|line| !line.is_empty() && !line.starts_with(b"#"))
        .unwrap_or_default();
    let starts = |prefix: &str| {
        head.len() >= prefix.len() && head[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
    };
    if head.first() == Some(&b'{') {
        Ok(Format::Aegis)
    } else if starts("otpauth-migration:") {
        Ok(Format::Google)
    } else if starts("otpauth:") {
        Ok(Format::Uris)
    } else {
        Err(ImportError::UnknownFormat)
    }
}
