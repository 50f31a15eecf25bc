//! The Vault interface's account methods: ListAccounts, GetCode, GetNextCode, AddUri,
//! UpdateAccount, RemoveAccount and Import, and the consent check before a code is given out.
//! Only Latchkey's own clients' calls count as use for the inactivity timer.

use super::VaultInterface;
use crate::bus::convert::{edit_from, info};
use crate::bus::{import, lock_state, push};
use crate::events::{Event, Security};
use crate::otp::{Code, Kind};
use crate::state::StateError;
use latchkey_dbus::{AccountInfo, Error, ImportReply};
use std::collections::HashMap;
use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::OwnedValue;
use zeroize::Zeroizing;

impl VaultInterface {
    /// ListAccounts: vault accounts then push tokens, once the consent gate agrees.
    pub(super) async fn account_list(
        &self,
        header: &Header<'_>,
        conn: &zbus::Connection,
    ) -> Result<Vec<AccountInfo>, Error> {
        if lock_state(&self.state).locked() {
            return Err(Error::from(StateError::Locked));
        }
        self.gate
            .check(
                conn,
                header,
                crate::access::grants::LIST,
                "the list of your accounts",
            )
            .await?;
        self.own_activity(conn, header).await;
        let mut list: Vec<AccountInfo> = {
            let s = lock_state(&self.state);
            s.accounts()?.map(info).collect()
        };
        list.extend(self.push.tokens().iter().map(push::info));
        Ok(list)
    }

    /// GetCode: an HOTP code persists its counter off the dispatcher; a time code does not write.
    pub(super) async fn current_code(
        &self,
        id: &str,
        header: &Header<'_>,
        conn: &zbus::Connection,
    ) -> Result<(String, u64, u64), Error> {
        self.check_code_access(id, header, conn).await?;
        self.own_activity(conn, header).await;
        let is_hotp = {
            let s = lock_state(&self.state);
            matches!(s.account(id)?.params.kind, Kind::Hotp { .. })
        };
        let code = if is_hotp {
            let id = id.to_string();
            self.blocking(move |s| s.code(&id)).await?
        } else {
            lock_state(&self.state).code(id)?
        };
        Ok(code_reply(code))
    }

    /// GetNextCode: the following window's code, behind the same consent check.
    pub(super) async fn following_code(
        &self,
        id: &str,
        header: &Header<'_>,
        conn: &zbus::Connection,
    ) -> Result<(String, u64, u64), Error> {
        self.check_code_access(id, header, conn).await?;
        self.own_activity(conn, header).await;
        let s = lock_state(&self.state);
        Ok(code_reply(s.next_code(id)?))
    }

    /// AddUri: a push-token URI enrolls a token, any other goes into the vault.
    pub(super) async fn add_from_uri(
        &self,
        uri: Zeroizing<String>,
        header: &Header<'_>,
        conn: &zbus::Connection,
        emitter: &SignalEmitter<'_>,
    ) -> Result<String, Error> {
        if crate::push::uri::is_pipush(&uri) {
            // Enrolling talks to a server and makes an RSA key: the user's clients only.
            self.gate
                .require_own_client(conn, header, "enroll push tokens")
                .await?;
            if lock_state(&self.state).locked() {
                return Err(Error::from(StateError::Locked));
            }
            let token = self.push.add_uri(&uri).await?;
            if !token.sslverify {
                // The server's key came over a connection nobody authenticated: say so loudly.
                let message = format!(
                    "Push token {} was enrolled without checking the server's TLS certificate \
                     (sslverify=0): someone on the network could have answered in its place. \
                     Enroll again from a server with a valid certificate if you can.",
                    token.serial
                );
                self.events.security(
                    Security::new("push-sslverify-off", message)
                        .with("serial", token.serial.as_str()),
                );
            }
            self.added(&token.id, header, emitter).await;
            return Ok(token.id.clone());
        }
        self.add_counted(header, conn, emitter, move |s| s.add_uri(&uri))
            .await
    }

    /// UpdateAccount: validates the changes, writes them, signals the edit.
    pub(super) async fn edit_account(
        &self,
        id: String,
        changes: HashMap<String, OwnedValue>,
        header: &Header<'_>,
        emitter: &SignalEmitter<'_>,
    ) -> Result<(), Error> {
        let edit = edit_from(changes)?;
        let target = id.clone();
        self.blocking(move |s| s.update(&target, edit)).await?;
        // Only own clients may edit (checked before): use, for the inactivity timer.
        lock_state(&self.state).touch();
        let who = self.who(emitter.connection(), header).await;
        tracing::info!(event = "account-updated", account_id = %id, caller = %who, "account updated");
        self.events.publish(Event::AccountsChanged {
            added: vec![],
            removed: vec![],
            updated: vec![id],
        });
        Ok(())
    }

    /// RemoveAccount: a push token or a vault account, then the signals.
    pub(super) async fn delete_account(
        &self,
        id: String,
        header: &Header<'_>,
        emitter: &SignalEmitter<'_>,
    ) -> Result<(), Error> {
        if self.push.get(&id).is_some() {
            if lock_state(&self.state).locked() {
                return Err(Error::from(StateError::Locked));
            }
            push::remove(&self.push, &id, emitter.connection(), &self.events).await?;
            self.events.publish(removed(id));
            return Ok(());
        }
        let target = id.clone();
        self.blocking(move |s| s.remove(&target)).await?;
        // Only own clients may remove (checked before): use, for the inactivity timer.
        lock_state(&self.state).touch();
        let who = self.who(emitter.connection(), header).await;
        tracing::info!(event = "account-removed", account_id = %id, caller = %who, "account removed");
        self.events.publish(removed(id));
        Ok(())
    }

    /// Import: runs the import, then signals and logs what was added.
    pub(super) async fn import_data(
        &self,
        data: Zeroizing<Vec<u8>>,
        format: String,
        passphrase: Zeroizing<String>,
        dry_run: bool,
        header: &Header<'_>,
        emitter: &SignalEmitter<'_>,
    ) -> Result<ImportReply, Error> {
        let (reply, ids, format) =
            import::run(&self.state, data, &format, passphrase, dry_run).await?;
        // Only own clients may import (checked before): use, for the inactivity timer.
        lock_state(&self.state).touch();
        if !ids.is_empty() {
            let count = u32::try_from(ids.len()).unwrap_or(u32::MAX);
            let who = self.who(emitter.connection(), header).await;
            tracing::info!(event = "accounts-imported", count, format, caller = %who, "accounts imported");
            self.events.added(ids);
            let message = format!("{count} account(s) imported ({format})");
            self.events.security(
                Security::new("imported", message)
                    .with("format", format)
                    .with("count", count),
            );
        }
        Ok(reply)
    }

    /// Asks the consent gate whether the caller may have codes of account `id`.
    async fn check_code_access(
        &self,
        id: &str,
        header: &Header<'_>,
        conn: &zbus::Connection,
    ) -> Result<(), Error> {
        if let Some(token) = self.push.get(id) {
            return Err(push::no_codes(&token));
        }
        let label = {
            let s = lock_state(&self.state);
            let a = s.account(id)?;
            format!("the code for {} ({})", a.issuer, a.account)
        };
        self.gate.check(conn, header, id, &label).await
    }
}

/// A code as GetCode and GetNextCode return it: `(code, valid_from, valid_until)`, HOTP 0, 0.
fn code_reply(code: Code) -> (String, u64, u64) {
    let (from, until) = code.window.unwrap_or((0, 0));
    (code.code.to_string(), from, until)
}

/// The event for one removed account or push token.
fn removed(id: String) -> Event {
    Event::AccountsChanged {
        added: vec![],
        removed: vec![id],
        updated: vec![],
    }
}
