//! `org.latchkey.Latchkey1.Access`: list and revoke remembered consent decisions.

use super::consent::Gate;
use latchkey_dbus::Error;
use latchkey_dbus::limits::{self, check};
use std::sync::Arc;
use zbus::message::Header;

/// Serves the remembered decisions of the consent [`Gate`].
pub struct AccessInterface {
    gate: Arc<Gate>,
}

impl AccessInterface {
    /// Serves `gate`'s decisions.
    pub fn new(gate: Arc<Gate>) -> Self {
        Self { gate }
    }
}

#[zbus::interface(name = "org.latchkey.Latchkey1.Access")]
impl AccessInterface {
    /// Remembered decisions: (identity, account_id or "*" for the list, allow|deny, unix time).
    /// For Latchkey's own clients: they name the user's apps and accounts.
    async fn list_grants(
        &self,
        #[zbus(header)] header: zbus::message::Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<Vec<latchkey_dbus::Grant>, Error> {
        self.gate
            .require_own_client(conn, &header, "read the remembered decisions")
            .await?;
        let grants = self.gate.grants.lock().unwrap_or_else(|p| p.into_inner());
        Ok(grants
            .all()
            .iter()
            .map(|g| latchkey_dbus::Grant {
                identity: g.identity.clone(),
                account_id: g.account_id.clone(),
                decision: g.decision.clone(),
                time: g.time,
            })
            .collect())
    }

    /// Allows `identity` ahead of time (one account, or every account and the list when
    /// `account_id` is empty), so a script or app does not have to wait for a prompt.
    async fn grant(
        &self,
        identity: String,
        account_id: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<(), Error> {
        check("the identity", identity.as_bytes(), limits::PATH_NAME)?;
        check("the account id", account_id.as_bytes(), limits::ID)?;
        self.gate
            .require_own_client(conn, &header, "grant access")
            .await?;
        let valid = crate::access::grants::is_rememberable(&identity);
        if !valid {
            return Err(Error::InvalidArgument(
                "identity must be exe:/absolute/path, script:/absolute/path or flatpak:app.id (a \
                 valid Flatpak app id)"
                    .into(),
            ));
        }
        let mut grants = self.gate.grants.lock().unwrap_or_else(|p| p.into_inner());
        let accounts: Vec<String> = if account_id.is_empty() {
            vec![crate::access::grants::ALL.to_string()]
        } else {
            vec![account_id]
        };
        for account in accounts {
            grants
                .remember(&identity, &account, true, crate::clock::unix_now())
                .map_err(|e| Error::Storage(e.to_string()))?;
        }
        tracing::info!(event = "access-granted", identity = %identity, "access granted ahead of time");
        Ok(())
    }

    /// Forgets decisions for `identity` (one account, or all when `account_id` is empty);
    /// returns how many were removed. The app will be asked again.
    async fn revoke(
        &self,
        identity: String,
        account_id: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<u32, Error> {
        check("the identity", identity.as_bytes(), limits::PATH_NAME)?;
        check("the account id", account_id.as_bytes(), limits::ID)?;
        self.gate
            .require_own_client(conn, &header, "revoke access decisions")
            .await?;
        let account = (!account_id.is_empty()).then_some(account_id.as_str());
        let removed = self
            .gate
            .grants
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .revoke(&identity, account)
            .map_err(|e| Error::Storage(e.to_string()))?;
        if removed == 0 {
            return Err(Error::NotFound(format!(
                "no remembered decision for {}",
                latchkey_dbus::display::claim(&identity, latchkey_dbus::display::IDENTITY_MAX)
            )));
        }
        tracing::info!(event = "access-revoked", identity = %identity, removed, "access decisions revoked");
        Ok(removed as u32)
    }
}
