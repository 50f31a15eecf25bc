//! The export formats Latchkey reads, by the name `--format` takes and the app that writes them.
//!
//! A format is an app (or a family of files one app writes): its reader tells the app's files
//! apart by content (Stratum's plain JSON, encrypted backups and internal database are all
//! `stratum`), so a user who knows where a file came from never needs to know its layout.

use super::ImportError;

/// An export format; `Auto` asks for detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Auto,
    Aegis,
    TwoFas,
    AndOtp,
    AuthenticatorPlus,
    Authy,
    BattleNet,
    Bitwarden,
    Duo,
    Ente,
    /// FreeOTP: its token XML (also FreeOTP+'s internal file) and its 2.x encrypted backup.
    FreeOtp,
    /// FreeOTP+'s JSON export (its URI export is a URI list).
    FreeOtpPlus,
    /// Google Authenticator: `otpauth-migration://` URIs, or the app's SQLite database.
    Google,
    Kdbx,
    Microsoft,
    Proton,
    Steam,
    Stratum,
    TotpAuthenticator,
    WinAuth,
    Uris,
    Qr,
    /// Latchkey's own backup / export (a vault file).
    Latchkey,
}

/// Every format but `Auto`, in the order help texts list them.
pub const ALL: [Format; 22] = [
    Format::Aegis,
    Format::TwoFas,
    Format::AndOtp,
    Format::AuthenticatorPlus,
    Format::Authy,
    Format::BattleNet,
    Format::Bitwarden,
    Format::Duo,
    Format::Ente,
    Format::FreeOtp,
    Format::FreeOtpPlus,
    Format::Google,
    Format::Kdbx,
    Format::Microsoft,
    Format::Proton,
    Format::Steam,
    Format::Stratum,
    Format::TotpAuthenticator,
    Format::WinAuth,
    Format::Qr,
    Format::Uris,
    Format::Latchkey,
];

/// The apps whose files are recognised, as an unknown file's error lists them.
pub const KNOWN_APPS: &str = "Aegis, 2FAS, andOTP, Authenticator Plus, Authy, Battle.net \
     Authenticator, Bitwarden, Duo Mobile, Ente Auth, FreeOTP, FreeOTP+, Google Authenticator \
     (migration QR codes or its database), KeePass/KeePassXC (KDBX), Microsoft Authenticator \
     (its database), Proton Authenticator, Steam (maFile), Stratum (Authenticator Pro), TOTP \
     Authenticator, QR code images, lists of otpauth:// URIs and Latchkey backups";

impl Format {
    /// Parses a `--format` value (empty means auto).
    pub fn from_name(name: &str) -> Result<Self, ImportError> {
        let lower = name.to_ascii_lowercase();
        if lower.is_empty() || lower == "auto" {
            return Ok(Format::Auto);
        }
        let alias = match lower.as_str() {
            "uri" => Some(Format::Uris),
            "image" => Some(Format::Qr),
            "freeotp+" | "freeotpplus" => Some(Format::FreeOtpPlus),
            "authenticatorpro" | "authenticator-pro" => Some(Format::Stratum),
            "keepass" | "keepassxc" => Some(Format::Kdbx),
            "battle.net" => Some(Format::BattleNet),
            "microsoft-authenticator" => Some(Format::Microsoft),
            "ente-auth" => Some(Format::Ente),
            _ => None,
        };
        alias
            .or_else(|| ALL.into_iter().find(|f| f.name() == lower))
            .ok_or_else(|| ImportError::UnknownFormatName(name.chars().take(32).collect()))
    }

    /// The name `--format` takes, and reports and logs use.
    pub fn name(self) -> &'static str {
        match self {
            Format::Auto => "auto",
            Format::Aegis => "aegis",
            Format::TwoFas => "2fas",
            Format::AndOtp => "andotp",
            Format::AuthenticatorPlus => "authenticator-plus",
            Format::Authy => "authy",
            Format::BattleNet => "battlenet",
            Format::Bitwarden => "bitwarden",
            Format::Duo => "duo",
            Format::Ente => "ente",
            Format::FreeOtp => "freeotp",
            Format::FreeOtpPlus => "freeotp-plus",
            Format::Google => "google",
            Format::Kdbx => "kdbx",
            Format::Microsoft => "microsoft",
            Format::Proton => "proton",
            Format::Steam => "steam",
            Format::Stratum => "stratum",
            Format::TotpAuthenticator => "totp-authenticator",
            Format::WinAuth => "winauth",
            Format::Uris => "uris",
            Format::Qr => "qr",
            Format::Latchkey => "latchkey",
        }
    }

    /// The app (or kind of file) as people know it, for messages.
    pub fn app(self) -> &'static str {
        match self {
            Format::Auto => "automatic detection",
            Format::Aegis => "Aegis",
            Format::TwoFas => "2FAS",
            Format::AndOtp => "andOTP",
            Format::AuthenticatorPlus => "Authenticator Plus",
            Format::Authy => "Authy",
            Format::BattleNet => "Battle.net Authenticator",
            Format::Bitwarden => "Bitwarden",
            Format::Duo => "Duo Mobile",
            Format::Ente => "Ente Auth",
            Format::FreeOtp => "FreeOTP",
            Format::FreeOtpPlus => "FreeOTP+",
            Format::Google => "Google Authenticator",
            Format::Kdbx => "KeePass",
            Format::Microsoft => "Microsoft Authenticator",
            Format::Proton => "Proton Authenticator",
            Format::Steam => "Steam",
            Format::Stratum => "Stratum",
            Format::TotpAuthenticator => "TOTP Authenticator",
            Format::WinAuth => "WinAuth",
            Format::Uris => "otpauth URI list",
            Format::Qr => "QR image",
            Format::Latchkey => "Latchkey backup",
        }
    }
}

/// The `--format` names, as `UnknownFormatName` lists them.
pub fn names() -> String {
    let mut out = String::from("auto");
    for f in ALL {
        out.push_str(", ");
        out.push_str(f.name());
    }
    out
}
