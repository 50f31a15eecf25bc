//! Security events about push tokens: a D-Bus signal and a critical desktop notification (the
//! journal entry is the caller's).

use crate::events::{Events, Security};
use crate::notifications::Urgency;

/// Publishes `SecurityEvent(event, message, {serial})`, shown as a notification too.
pub fn security_event(events: &Events, event: &'static str, message: &str, serial: &str) {
    events.security(Security::new(event, message).with("serial", serial).notify(
        "Latchkey: push sign-in",
        message,
        Urgency::Critical,
    ));
}
