//! The accounts as clients see them: the vault's accounts and the push tokens, one list and one
//! id space. Which of the two an id names is decided here, once, so that the bus only asks.
//!
//! Push tokens (privacyIDEA) are kept by `push`, not in the vault: they approve sign-ins and
//! have no codes.

use crate::accounts::Account;
use crate::events::Security;
use crate::push::{Push, PushError, PushToken};
use crate::state::{Service, StateError, lock_state};
use std::sync::Arc;
use zeroize::Zeroizing;

/// Why a catalog operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Push(#[from] PushError),
    #[error("{issuer} ({serial}) is a push token for sign-in approvals: it has no codes")]
    NoCodes { issuer: String, serial: String },
}

/// The vault's accounts and the push tokens.
pub struct Catalog {
    service: Arc<Service>,
    push: Arc<Push>,
}

impl Catalog {
    /// The catalog over the state service and the push tokens.
    pub fn new(service: Arc<Service>, push: Arc<Push>) -> Self {
        Self { service, push }
    }

    /// Refuses while the vault is locked (push tokens are listed only when it is unlocked too).
    fn unlocked(&self) -> Result<(), StateError> {
        if lock_state(self.service.state()).locked() {
            return Err(StateError::Locked);
        }
        Ok(())
    }

    /// Every account, then every push token, each as `account` or `token` makes it.
    pub fn list<T>(
        &self,
        account: impl Fn(&Account) -> T,
        token: impl Fn(&PushToken) -> T,
    ) -> Result<Vec<T>, CatalogError> {
        let mut list: Vec<T> = {
            let s = lock_state(self.service.state());
            s.accounts()?.map(account).collect()
        };
        list.extend(self.push.tokens().iter().map(token));
        Ok(list)
    }

    /// The account whose codes `id` asks for, named as the user knows it ("GitHub (alice)"), to
    /// ask the user about; a push token has none. Once this said yes, the codes come from the
    /// state service.
    pub fn code_owner(&self, id: &str) -> Result<String, CatalogError> {
        if let Some(t) = self.push.get(id) {
            return Err(CatalogError::NoCodes {
                issuer: t.issuer.clone(),
                serial: t.serial.clone(),
            });
        }
        let s = lock_state(self.service.state());
        Ok(s.account(id)?.label())
    }

    /// Whether `uri` enrolls a push token (rather than adding an account).
    pub fn enrolls(uri: &str) -> bool {
        crate::push::uri::is_pipush(uri)
    }

    /// Enrolls the push token `uri` describes (a talk with its server); returns its id.
    pub async fn enroll(&self, uri: &Zeroizing<String>, who: &str) -> Result<String, CatalogError> {
        self.unlocked()?;
        let token = self.push.add_uri(uri).await?;
        if !token.sslverify {
            // The server's key came over a connection nobody authenticated: say so loudly.
            let message = format!(
                "Push token {} was enrolled without checking the server's TLS certificate \
                 (sslverify=0): someone on the network could have answered in its place. \
                 Enroll again from a server with a valid certificate if you can.",
                token.serial
            );
            self.service.events().security(
                Security::new("push-sslverify-off", message).with("serial", token.serial.as_str()),
            );
        }
        self.service.added(&token.id, who);
        Ok(token.id.clone())
    }

    /// Removes account or push token `id`. A push token's requests are cancelled and every
    /// client is told to delete it on the server too.
    pub async fn remove(
        &self,
        conn: &zbus::Connection,
        id: String,
        who: &str,
    ) -> Result<(), CatalogError> {
        if self.push.get(&id).is_none() {
            return Ok(self.service.remove(id, who).await?);
        }
        self.unlocked()?;
        let token = self.push.remove(&id).await?;
        self.push.cancel_requests(conn, &id).await;
        let message = format!(
            "Push token {} ({}) was removed from Latchkey. Delete it on the privacyIDEA server too, or it stays enrolled there.",
            token.serial, token.issuer
        );
        self.service.events().security(
            Security::new("push-token-removed", message).with("serial", token.serial.as_str()),
        );
        self.service.removed(id);
        Ok(())
    }
}
