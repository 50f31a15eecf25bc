//! Adding one account (AddUri, AddAccount): Latchkey's own clients add freely; other apps add
//! within the allowance of [`crate::access::adds`], and the same account twice is refused as
//! `AlreadyExists` whoever asks.

use super::VaultInterface;
use crate::access::grants::identity_of;
use crate::bus::lock_state;
use crate::state::{NewAccount, StateError, VaultState};
use latchkey_dbus::Error;
use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zeroize::Zeroizing;

/// AddAccount's fields as they came over the bus (the secret is wiped on drop).
pub(super) struct Fields {
    pub issuer: String,
    pub account: String,
    pub secret: Zeroizing<String>,
    pub kind: String,
    pub algorithm: String,
    pub digits: u32,
    pub period: u32,
    pub counter: u64,
}

impl VaultInterface {
    /// AddAccount: the fields become an account, counted like AddUri.
    pub(super) async fn add_from_fields(
        &self,
        fields: Fields,
        header: &Header<'_>,
        conn: &zbus::Connection,
        emitter: &SignalEmitter<'_>,
    ) -> Result<String, Error> {
        self.add_counted(header, conn, emitter, move |s| {
            s.add_fields(&NewAccount {
                issuer: &fields.issuer,
                account: &fields.account,
                secret: &fields.secret,
                kind: &fields.kind,
                algorithm: &fields.algorithm,
                digits: fields.digits,
                period: fields.period,
                counter: fields.counter,
            })
        })
        .await
    }

    /// Runs `add` (off the dispatcher) if the caller may add one more account, then announces
    /// it. An own client's add is use for the inactivity timer; another app's add is counted
    /// against its allowance (given back when the add fails) and is not use.
    pub(super) async fn add_counted(
        &self,
        header: &Header<'_>,
        conn: &zbus::Connection,
        emitter: &SignalEmitter<'_>,
        add: impl FnOnce(&mut VaultState) -> Result<String, StateError> + Send + 'static,
    ) -> Result<String, Error> {
        let caller = self.gate.caller(conn, header).await?;
        let counted = if self.gate.is_own_client(&caller) {
            None
        } else {
            // Callers that hide who they are share one allowance.
            let identity = identity_of(&caller).unwrap_or_else(|| "unidentified".to_string());
            let session = lock_state(&self.state).unlock_session();
            if let Err(limit) = self.adds.take(&identity, session) {
                let e = Error::AddLimitReached(limit.to_string());
                return Err(self.gate.refuse(&caller, "add-refused", e).await);
            }
            Some((identity, session))
        };
        let result = self.blocking(add).await;
        match (&result, &counted) {
            (Err(_), Some((identity, session))) => self.adds.give_back(identity, *session),
            (Ok(_), None) => lock_state(&self.state).touch(),
            _ => {}
        }
        let id = match result {
            Ok(id) => id,
            // An app adding the same account again and again is slowed like any refused one.
            Err(e @ Error::AlreadyExists(_)) => {
                return Err(self.gate.refuse(&caller, "add-refused", e).await);
            }
            Err(e) => return Err(e),
        };
        self.added(&id, header, emitter).await;
        Ok(id)
    }
}
