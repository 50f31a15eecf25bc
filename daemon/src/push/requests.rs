//! Challenges become approval requests; the user's decisions go back to the server, signed.
//! A challenge whose signature does not verify is dropped and reported as a security event.

use super::poller::{Push, lock};
use super::store::PushToken;
use super::{PushError, protocol};
use crate::approvals::{Caller, Claims, NumberMatch, Outcome, Request};
use crate::clock::unix_now;
use crate::events::{Events, Security};
use crate::notifications::Urgency;
use std::sync::Arc;

/// How long a challenge waits for the user (privacyIDEA's default challenge validity).
pub const REQUEST_TIMEOUT: u64 = 120;

/// How often a token may report forged or broken challenges to the user.
pub const REPORT_EVERY: std::time::Duration = std::time::Duration::from_secs(600);

/// Whether `token` may report a bad challenge at `now` (and if so, records that it did): at
/// most once per [`REPORT_EVERY`] per token. The map holds one entry per token, no more.
fn due(
    reported: &mut std::collections::HashMap<String, std::time::Instant>,
    token: &str,
    now: std::time::Instant,
) -> bool {
    if reported
        .get(token)
        .is_some_and(|at| now.duration_since(*at) < REPORT_EVERY)
    {
        return false;
    }
    reported.insert(token.to_string(), now);
    true
}

impl Push {
    /// Drops a challenge that failed verification; reports at most one per token per
    /// [`REPORT_EVERY`] (a signal, a journal warning, a critical notification), the rest only
    /// at debug level: one poll answer can hold hundreds of forged challenges.
    pub(super) async fn bad_challenge(
        &self,
        token: &PushToken,
        nonce: &str,
        error: &protocol::ProtocolError,
    ) {
        let now = std::time::Instant::now();
        if !due(&mut lock(&self.rejected), &token.id, now) {
            let nonce: String = nonce.chars().take(64).collect();
            tracing::debug!(serial = %token.serial, nonce, "another challenge failed verification: {error}");
            return;
        }
        let message = format!(
            "A sign-in challenge for push token {} was dropped: {error}. Someone may be impersonating the server.",
            token.serial
        );
        tracing::warn!(event = "push-bad-challenge", serial = %token.serial, "{message}");
        security_event(&self.events, "push-bad-signature", &message, &token.serial);
    }

    /// Opens an approval request for a verified challenge and answers the server when it ends.
    pub(super) async fn show(
        self: &Arc<Self>,
        conn: &zbus::Connection,
        token: &PushToken,
        v: protocol::Verified,
    ) {
        let Ok(path) = self.hub.admit(crate::approvals::Requester::Trusted) else {
            tracing::warn!("too many pending requests: push challenge not shown yet");
            return;
        };
        let now = unix_now();
        let host = super::http::check_url(&token.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default();
        let request = Request {
            path: path.clone(),
            kind: "approval".into(),
            claims: Claims {
                title: v.title.chars().take(200).collect(),
                message: v.question.chars().take(2000).collect(),
                account_id: token.id.clone(),
                app_name: token.issuer.chars().take(200).collect(),
                ..Claims::default()
            },
            caller: Caller {
                bus_name: format!("push:{}", token.id),
                remote: format!("privacyIDEA at {host} (push token {})", token.serial),
                ..Caller::default()
            },
            number: (!v.presence.is_empty()).then(|| NumberMatch::remote(v.presence.clone())),
            created: now,
            expires: now + REQUEST_TIMEOUT,
            outcome: None,
        };
        let ended = self.hub.wait_for_request(&path);
        lock(&self.seen).insert((token.id.clone(), v.nonce.clone()), path.clone());
        if let Err(e) = self.hub.open(conn, request).await {
            // Shown on the next poll instead.
            lock(&self.seen).remove(&(token.id.clone(), v.nonce.clone()));
            tracing::error!("cannot show a push challenge: {e}");
            return;
        }
        let this = self.clone();
        let token = token.clone();
        tokio::spawn(async move {
            if let Ok(request) = ended.await {
                this.answer(&token, &v, &request).await;
            }
        });
    }

    /// Sends the user's decision to the server, signed.
    async fn answer(&self, token: &PushToken, v: &protocol::Verified, r: &Request) {
        let decline = match r.outcome {
            Some(Outcome::Approved) => false,
            Some(Outcome::Denied | Outcome::WrongNumber) => true,
            _ => return,
        };
        let presence = if decline {
            None
        } else {
            r.number
                .as_ref()
                .and_then(|m| m.picked_label())
                .map(str::to_string)
        };
        let result = async {
            let key = token.device_key()?;
            let text = protocol::answer_text(&v.nonce, &token.serial, decline, presence.as_deref());
            let signature = key.sign(&text)?;
            let mut form = vec![
                ("nonce", v.nonce.as_str()),
                ("serial", token.serial.as_str()),
                ("signature", signature.as_str()),
            ];
            if decline {
                form.push(("decline", "1"));
            }
            if let Some(p) = &presence {
                form.push(("presence_answer", p.as_str()));
            }
            let body = self.http.post(&v.url, v.sslverify, &form).await?;
            Ok::<bool, PushError>(protocol::parse_answer(&body)?)
        }
        .await;
        let what = if decline { "decline" } else { "approval" };
        match result {
            Ok(true) => {
                tracing::info!(event = "push-answered", serial = %token.serial, answer = what, "privacyIDEA accepted the {what}")
            }
            Ok(false) => {
                let message = if presence.is_some() {
                    format!(
                        "privacyIDEA did not accept the {what} of \"{}\": the wrong answer was picked, or the request expired",
                        v.title
                    )
                } else {
                    format!(
                        "privacyIDEA did not accept the {what} of \"{}\": the request expired or was already answered",
                        v.title
                    )
                };
                tracing::warn!(event = "push-answer-rejected", serial = %token.serial, "{message}");
                security_event(
                    &self.events,
                    "push-answer-rejected",
                    &message,
                    &token.serial,
                );
            }
            Err(e) => {
                let message = format!(
                    "The {what} of \"{}\" could not be sent to privacyIDEA: {e}",
                    v.title
                );
                tracing::warn!(event = "push-answer-failed", serial = %token.serial, "{message}");
                security_event(&self.events, "push-answer-failed", &message, &token.serial);
            }
        }
    }
}

/// Publishes `SecurityEvent(event, message, {serial})`, shown as a notification too.
pub fn security_event(events: &Events, event: &'static str, message: &str, serial: &str) {
    events.security(Security::new(event, message).with("serial", serial).notify(
        "Latchkey: push sign-in",
        message,
        Urgency::Critical,
    ));
}

#[cfg(test)]
mod report_tests {
    use super::{REPORT_EVERY, due};
    use std::collections::HashMap;
    use std::time::{Duration, Instant};

    #[test]
    fn one_report_per_token_per_period() {
        let mut reported = HashMap::new();
        let t0 = Instant::now();
        assert!(due(&mut reported, "a", t0), "the first one is reported");
        // A flood of forged challenges in one poll, and the next polls: all quiet.
        for i in 0..1000 {
            assert!(!due(&mut reported, "a", t0 + Duration::from_millis(i)));
        }
        assert!(!due(
            &mut reported,
            "a",
            t0 + REPORT_EVERY - Duration::from_secs(1)
        ));
        // Another token has its own budget.
        assert!(due(&mut reported, "b", t0));
        // After the period, the attack is reported again.
        assert!(due(&mut reported, "a", t0 + REPORT_EVERY));
        assert_eq!(reported.len(), 2, "one entry per token, not per challenge");
    }
}
