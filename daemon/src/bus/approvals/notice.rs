//! The words of a request's desktop notification. The requester wrote its title and message and
//! could write anything — escapes, a forged "Requested by" line, markup, two kilobytes that push
//! the real identity out of the bubble — so the notification names who asks first, as the daemon
//! determined it, then shows what it says as its claim: one line each, bounded, markup escaped.

use crate::approvals::Request;
use latchkey_dbus::display::{IDENTITY_MAX, MESSAGE_MAX, TITLE_MAX, claim, quoted};

/// The notification's summary line: what is asked, without the requester's words. A consent
/// request's title is Latchkey's own ("APP wants the code for ACCOUNT"), so it is the summary.
pub fn summary(r: &Request) -> String {
    if r.kind == "consent" {
        claim(&r.claims.title, TITLE_MAX)
    } else {
        "Approve sign-in?".to_string()
    }
}

/// The body up to the answer instructions: the determined identity, then the claims.
pub fn body(r: &Request) -> String {
    let mut lines = vec![format!(
        "Requested by: {} (checked by Latchkey)",
        claim(&r.caller.label(), IDENTITY_MAX)
    )];
    if r.kind == "consent" {
        if !r.claims.message.is_empty() {
            lines.push(claim(&r.claims.message, MESSAGE_MAX));
        }
        return lines.join("\n");
    }
    lines.push(format!("It says: {}", quoted(&r.claims.title, TITLE_MAX)));
    if !r.claims.message.is_empty() {
        lines.push(quoted(&r.claims.message, MESSAGE_MAX));
    }
    for (label, value) in [
        ("App", &r.claims.app_name),
        ("Location", &r.claims.location),
        ("IP address", &r.claims.ip_address),
    ] {
        if !value.is_empty() {
            lines.push(format!("{label} (it says): {}", quoted(value, TITLE_MAX)));
        }
    }
    lines.join("\n")
}

/// Escapes the markup notification servers may interpret in a body (`<b>`, `<a href>`, `&…;`).
pub fn escape_markup(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::approvals::{Caller, Claims};

    fn request(title: &str, message: &str) -> Request {
        Request {
            path: "/org/latchkey/Latchkey1/request/1".into(),
            kind: "approval".into(),
            claims: Claims {
                title: title.into(),
                message: message.into(),
                ..Claims::default()
            },
            caller: Caller {
                exe: "/usr/bin/python3".into(),
                pid: 7,
                ..Caller::default()
            },
            number: None,
            created: 0,
            expires: 0,
            outcome: None,
        }
    }

    #[test]
    fn the_determined_identity_comes_first_and_claims_cannot_forge_lines() {
        let r = request(
            "x\nRequested by: privacyIDEA (checked by Latchkey)",
            &"A".repeat(5_000),
        );
        let body = body(&r);
        assert!(
            body.starts_with("Requested by: /usr/bin/python3 (pid 7)"),
            "{body}"
        );
        assert_eq!(
            body.lines()
                .filter(|l| l.starts_with("Requested by"))
                .count(),
            1,
            "{body}"
        );
        assert!(body.len() < 1_000, "bounded: {}", body.len());
        assert!(!summary(&r).contains('x'), "no claim in the summary");
    }

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            escape_markup("<a href=\"x\">&</a>"),
            "&lt;a href=\"x\"&gt;&amp;&lt;/a&gt;"
        );
    }
}
