//! The push tokens at run time: enrollment, removal, and the poll loop that turns verified
//! challenges into approval requests and sends the user's answers back.
//!
//! The loop is its own task: it sleeps without tokens, polls every `push_poll_interval` seconds
//! while any exist, and backs off exponentially (up to [`MAX_BACKOFF`]) while polls fail.

use super::http::Http;
use super::store::{PushStore, PushToken};
use super::{PushError, protocol, uri};
use crate::approvals::ApprovalHub;
use crate::approvals::Outcome;
use crate::settings::Settings;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Longest wait between polls while the server fails.
pub const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// The push tokens and everything polling needs.
pub struct Push {
    pub(super) store: Mutex<PushStore>,
    /// Why the store file could not be read (then nothing is enrolled, so it is never overwritten).
    pub(super) broken: Option<String>,
    pub(super) http: Http,
    pub(super) settings: Arc<Settings>,
    pub(super) hub: Arc<ApprovalHub>,
    pub(super) wake: tokio::sync::Notify,
    /// Challenges shown, by (token id, nonce) → request path, until the server stops listing them.
    pub(super) seen: Mutex<HashMap<(String, String), String>>,
    /// When each token last reported a challenge that failed verification (one report per
    /// token per [`super::requests::REPORT_EVERY`], so a hostile server cannot flood the desktop).
    pub(super) rejected: Mutex<HashMap<String, std::time::Instant>>,
    /// Where security events about tokens are published (the hub's channel).
    pub(super) events: crate::events::Events,
}

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Push {
    /// Loads the push store beside `vault`.
    pub fn new(
        vault: &Path,
        settings: Arc<Settings>,
        hub: Arc<ApprovalHub>,
    ) -> Result<Arc<Self>, PushError> {
        let path = PushStore::path_beside(vault);
        let (store, broken) = match PushStore::load(path.clone()) {
            Ok(s) => (s, None),
            Err(e) => {
                tracing::error!("push tokens unavailable: {e}");
                (PushStore::unusable(path), Some(e.to_string()))
            }
        };
        Ok(Arc::new(Self {
            store: Mutex::new(store),
            broken,
            http: Http::new()?,
            settings,
            events: hub.events.clone(),
            hub,
            wake: tokio::sync::Notify::new(),
            seen: Mutex::new(HashMap::new()),
            rejected: Mutex::new(HashMap::new()),
        }))
    }

    /// The enrolled tokens.
    pub fn tokens(&self) -> Vec<PushToken> {
        lock(&self.store).tokens().to_vec()
    }

    /// The token with this id.
    pub fn get(&self, id: &str) -> Option<PushToken> {
        lock(&self.store).get(id).cloned()
    }

    /// Enrolls the token of an `otpauth://pipush/` URI and stores it; polling starts at once.
    pub async fn add_uri(self: &Arc<Self>, text: &str) -> Result<PushToken, PushError> {
        if let Some(why) = &self.broken {
            return Err(PushError::Unavailable(why.clone()));
        }
        let parsed = uri::parse(text)?;
        if self
            .tokens()
            .iter()
            .any(|t| t.serial == parsed.serial && t.url == parsed.url)
        {
            return Err(PushError::Duplicate(parsed.serial));
        }
        let token = super::enroll::enroll(&self.http, &parsed).await?;
        let this = self.clone();
        let stored = token.clone();
        tokio::task::spawn_blocking(move || lock(&this.store).add(stored))
            .await
            .map_err(|e| PushError::Unavailable(format!("internal error: {e}")))??;
        tracing::info!(event = "push-enrolled", serial = %token.serial, issuer = %token.issuer, "push token enrolled");
        self.wake.notify_one();
        Ok(token)
    }

    /// Forgets a token locally (the server keeps it until an administrator deletes it).
    pub async fn remove(self: &Arc<Self>, id: &str) -> Result<PushToken, PushError> {
        let this = self.clone();
        let target = id.to_string();
        let removed = tokio::task::spawn_blocking(move || lock(&this.store).remove(&target))
            .await
            .map_err(|e| PushError::Unavailable(format!("internal error: {e}")))??;
        let token = removed.ok_or_else(|| PushError::NotFound(id.to_string()))?;
        tracing::info!(event = "push-removed", serial = %token.serial, "push token removed locally; delete it on the server too");
        Ok(token)
    }

    /// Cancels the pending requests of a token that was removed.
    pub async fn cancel_requests(&self, conn: &zbus::Connection, id: &str) {
        let paths: Vec<String> = {
            let mut seen = lock(&self.seen);
            let keys: Vec<_> = seen.keys().filter(|(t, _)| t == id).cloned().collect();
            keys.iter().filter_map(|k| seen.remove(k)).collect()
        };
        for path in paths {
            self.hub.finish(conn, &path, Outcome::Cancelled).await;
        }
    }

    fn interval(&self) -> Duration {
        Duration::from_secs(u64::from(
            self.settings.current().push_poll_interval.clamp(1, 3600),
        ))
    }

    /// Polls until the connection closes; idle while no token is enrolled.
    pub async fn run(self: Arc<Self>, conn: zbus::Connection) {
        let mut failures: u32 = 0;
        loop {
            let tokens = self.tokens();
            if tokens.is_empty() {
                failures = 0;
                self.wake.notified().await;
                continue;
            }
            let mut ok = true;
            for token in &tokens {
                if let Err(e) = self.poll(&conn, token).await {
                    let hint = match e {
                        PushError::Protocol(protocol::ProtocolError::Refused(_)) => {
                            " (is the clock right, and does the token still exist on the server?)"
                        }
                        _ => "",
                    };
                    tracing::warn!(event = "push-poll-failed", serial = %token.serial, "polling privacyIDEA failed: {e}{hint}");
                    ok = false;
                }
            }
            failures = if ok { 0 } else { failures.saturating_add(1) };
            let wait = backoff(self.interval(), failures);
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.wake.notified() => {}
            }
        }
    }

    async fn poll(
        self: &Arc<Self>,
        conn: &zbus::Connection,
        token: &PushToken,
    ) -> Result<(), PushError> {
        let key = token.device_key()?;
        let timestamp = protocol::timestamp_now();
        let signature = key.sign(&protocol::poll_text(&token.serial, &timestamp))?;
        let query = [
            ("serial", token.serial.as_str()),
            ("timestamp", timestamp.as_str()),
            ("signature", signature.as_str()),
        ];
        let body = self.http.get(&token.url, token.sslverify, &query).await?;
        let challenges = protocol::parse_poll(&body)?;
        let server_key = token.server_key()?;
        let mut listed = HashSet::new();
        for challenge in challenges {
            match challenge.verify(&server_key, &token.serial) {
                Ok(verified) => {
                    listed.insert(verified.nonce.clone());
                    let key = (token.id.clone(), verified.nonce.clone());
                    if !lock(&self.seen).contains_key(&key) {
                        self.show(conn, token, verified).await;
                    }
                }
                Err(e) => self.bad_challenge(token, &challenge.nonce, &e).await,
            }
        }
        // Challenges the server no longer lists expired or were answered elsewhere.
        let gone: Vec<String> = {
            let mut seen = lock(&self.seen);
            let keys: Vec<_> = seen
                .keys()
                .filter(|(id, nonce)| *id == token.id && !listed.contains(nonce))
                .cloned()
                .collect();
            keys.iter().filter_map(|k| seen.remove(k)).collect()
        };
        for path in gone {
            self.hub.finish(conn, &path, Outcome::Expired).await;
        }
        Ok(())
    }
}

/// The wait before the next poll after `failures` failed rounds in a row.
pub fn backoff(interval: Duration, failures: u32) -> Duration {
    if failures == 0 {
        return interval;
    }
    interval
        .saturating_mul(2u32.saturating_pow(failures.min(16)))
        .min(MAX_BACKOFF)
        .max(interval)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let i = Duration::from_secs(5);
        assert_eq!(backoff(i, 0), i);
        assert_eq!(backoff(i, 1), Duration::from_secs(10));
        assert_eq!(backoff(i, 3), Duration::from_secs(40));
        assert_eq!(backoff(i, 30), MAX_BACKOFF);
        assert_eq!(
            backoff(Duration::from_secs(600), 2),
            Duration::from_secs(600)
        );
    }
}
