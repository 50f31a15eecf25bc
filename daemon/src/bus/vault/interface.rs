//! The Vault interface as the bus sees it: each method's signature (delegating to `lifecycle`
//! and `accounts`), the properties and the signals.

use super::VaultInterface;
use crate::bus::lock_state;
use crate::lock::LockReason;
use latchkey_dbus::limits::{self, check};
use latchkey_dbus::{AccountInfo, Error};
use std::collections::HashMap;
use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::{OwnedValue, Value};
use zeroize::Zeroizing;

#[zbus::interface(name = "org.latchkey.Latchkey1.Vault")]
impl VaultInterface {
    /// Creates a new vault protected by `passphrase` and leaves it unlocked.
    async fn create(
        &self,
        passphrase: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<(), Error> {
        let passphrase = Zeroizing::new(passphrase);
        check("the passphrase", passphrase.as_bytes(), limits::PASSPHRASE)?;
        self.create_vault(passphrase, &header, &emitter).await
    }

    /// Unlocks the vault; the KDF runs off the dispatcher so other calls keep answering.
    async fn unlock(
        &self,
        passphrase: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<(), Error> {
        let passphrase = Zeroizing::new(passphrase);
        check("the passphrase", passphrase.as_bytes(), limits::PASSPHRASE)?;
        self.unlock_with_passphrase(passphrase, &header, conn).await
    }

    /// Unlocks with the key kept in the login keyring (when keyring unlock is enabled).
    async fn unlock_with_keyring(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<(), Error> {
        self.unlock_from_keyring(&header, &emitter).await
    }

    /// Adds a keyring slot: a random key stored in the login keyring also unlocks the vault.
    async fn enable_keyring(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<(), Error> {
        self.gate
            .require_own_client(conn, &header, "turn keyring unlock on")
            .await?;
        self.add_keyring_slot(&header, &emitter).await
    }

    /// Removes the keyring slot and its key from the login keyring.
    async fn disable_keyring(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<(), Error> {
        self.gate
            .require_own_client(conn, &header, "turn keyring unlock off")
            .await?;
        self.remove_keyring_slot(&header, &emitter).await
    }

    /// Locks the vault, wiping keys and seeds from memory.
    async fn lock(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) {
        let who = self.who(conn, &header).await;
        crate::bus::lock_vault(&self.events, &self.state, LockReason::Manual, &who);
    }

    /// Changes the passphrase after checking the old one (own clients only).
    async fn change_passphrase(
        &self,
        old: String,
        new: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<(), Error> {
        let (old, new) = (Zeroizing::new(old), Zeroizing::new(new));
        check("the old passphrase", old.as_bytes(), limits::PASSPHRASE)?;
        check("the new passphrase", new.as_bytes(), limits::PASSPHRASE)?;
        self.gate
            .require_own_client(conn, &header, "change the passphrase")
            .await?;
        self.set_passphrase(old, new, &header, conn).await
    }

    /// Lists account metadata; never secrets.
    #[zbus(out_args("accounts"))]
    async fn list_accounts(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<Vec<AccountInfo>, Error> {
        self.account_list(&header, conn).await
    }

    /// The current code and its validity window `(code, valid_from, valid_until)`; HOTP gives 0, 0.
    #[zbus(out_args("code", "valid_from", "valid_until"))]
    async fn get_code(
        &self,
        id: &str,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<(String, u64, u64), Error> {
        check("the account id", id.as_bytes(), limits::ID)?;
        self.current_code(id, &header, conn).await
    }

    /// The code of the next time window, so clients can show it near expiry (TOTP, Steam).
    #[zbus(out_args("code", "valid_from", "valid_until"))]
    async fn get_next_code(
        &self,
        id: &str,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> Result<(String, u64, u64), Error> {
        check("the account id", id.as_bytes(), limits::ID)?;
        self.following_code(id, &header, conn).await
    }

    /// Adds an account from an `otpauth://` URI and returns its id.
    #[zbus(out_args("id"))]
    async fn add_uri(
        &self,
        uri: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<String, Error> {
        let uri = Zeroizing::new(uri);
        check("the URI", uri.as_bytes(), limits::URI)?;
        self.add_from_uri(uri, &header, conn, &emitter).await
    }

    /// Adds an account from fields and returns its id.
    #[allow(clippy::too_many_arguments)]
    #[zbus(out_args("id"))]
    async fn add_account(
        &self,
        issuer: String,
        account: String,
        secret: String,
        kind: String,
        algorithm: String,
        digits: u32,
        period: u32,
        counter: u64,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<String, Error> {
        let secret = Zeroizing::new(secret);
        check("the issuer", issuer.as_bytes(), limits::LABEL)?;
        check("the account name", account.as_bytes(), limits::LABEL)?;
        check("the secret", secret.as_bytes(), limits::SECRET)?;
        check("the kind", kind.as_bytes(), limits::WORD)?;
        check("the algorithm", algorithm.as_bytes(), limits::WORD)?;
        let fields = super::adding::Fields {
            issuer,
            account,
            secret,
            kind,
            algorithm,
            digits,
            period,
            counter,
        };
        self.add_from_fields(fields, &header, conn, &emitter).await
    }

    /// Edits an account (`issuer`, `account`, `algorithm`, `digits`, `period`).
    async fn update_account(
        &self,
        id: String,
        changes: HashMap<String, OwnedValue>,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<(), Error> {
        check("the account id", id.as_bytes(), limits::ID)?;
        limits::check_entries("the changes", changes.keys())?;
        for value in changes.values() {
            if let Ok(text) = <&str>::try_from(&**value) {
                check("a changed field", text.as_bytes(), limits::LABEL)?;
            }
        }
        self.gate
            .require_own_client(conn, &header, "edit accounts")
            .await?;
        self.edit_account(id, changes, &header, &emitter).await
    }

    /// Removes an account.
    async fn remove_account(
        &self,
        id: String,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<(), Error> {
        check("the account id", id.as_bytes(), limits::ID)?;
        self.gate
            .require_own_client(conn, &header, "remove accounts")
            .await?;
        self.delete_account(id, &header, &emitter).await
    }

    /// Imports another authenticator's export (bytes, never a path): all entries or none.
    #[zbus(out_args("added", "skipped", "failed", "notes"))]
    // Four D-Bus arguments; the other four are what zbus injects (caller, bus, signals).
    #[allow(clippy::too_many_arguments)]
    async fn import(
        &self,
        data: Vec<u8>,
        format: String,
        passphrase: String,
        dry_run: bool,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
        #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
    ) -> Result<
        (
            Vec<latchkey_dbus::ImportEntry>,
            Vec<latchkey_dbus::ImportEntry>,
            Vec<latchkey_dbus::ImportEntry>,
            Vec<String>,
        ),
        Error,
    > {
        // The tuple is spelled out: zbus reads the out arguments from it, an alias would make
        // one struct argument.
        let (data, passphrase) = (Zeroizing::new(data), Zeroizing::new(passphrase));
        check("the file", &data, limits::FILE)?;
        check("the format", format.as_bytes(), limits::WORD)?;
        check("the passphrase", passphrase.as_bytes(), limits::PASSPHRASE)?;
        // Own clients only: an import runs a passphrase KDF the file chooses (bounded, but
        // costly) and adds accounts in bulk; other apps can add one account with AddUri.
        self.gate
            .require_own_client_now(conn, &header, "import accounts")
            .await?;
        self.import_data(data, format, passphrase, dry_run, &header, &emitter)
            .await
    }

    /// Emitted when accounts are added, removed or edited, so every client can refresh.
    #[zbus(signal)]
    pub(super) async fn accounts_changed(
        emitter: &SignalEmitter<'_>,
        added: Vec<String>,
        removed: Vec<String>,
        updated: Vec<String>,
    ) -> zbus::Result<()>;

    /// Whether the vault is locked.
    #[zbus(property)]
    async fn locked(&self) -> bool {
        lock_state(&self.state).locked()
    }

    /// Whether a vault exists.
    #[zbus(property)]
    async fn initialized(&self) -> bool {
        lock_state(&self.state).initialized()
    }

    /// Number of accounts (from the header while locked).
    #[zbus(property)]
    async fn account_count(&self) -> u32 {
        lock_state(&self.state).account_count()
    }

    /// Whether keyring unlock is enabled (the vault has a keyring slot).
    #[zbus(property)]
    async fn keyring_unlock(&self) -> bool {
        lock_state(&self.state).has_keyring_slot()
    }

    /// Unix time the vault was last locked (or the daemon started).
    #[zbus(property)]
    async fn locked_since(&self) -> u64 {
        lock_state(&self.state).locked_since()
    }

    /// Why the vault is locked: startup, manual, inactivity, screen-lock, suspend, session-idle.
    #[zbus(property)]
    async fn lock_reason(&self) -> String {
        lock_state(&self.state).lock_reason().as_str().to_string()
    }

    /// Wrong passphrases (from any caller, through any method that checks it) not yet cleared
    /// by a right one.
    #[zbus(property)]
    async fn unlock_failures(&self) -> u32 {
        self.passphrases.failures()
    }

    /// Unix time from which Latchkey's own clients may try the passphrase again (0: now).
    /// Other apps' wrong guesses do not move it; they learn their wait from `RateLimited`.
    #[zbus(property)]
    async fn unlock_retry_after(&self) -> u64 {
        self.passphrases.own_retry_after()
    }

    /// A security event (unlock-failed, unlocked, locked, …) for clients and notifications.
    #[zbus(signal)]
    pub async fn security_event(
        emitter: &SignalEmitter<'_>,
        event: &str,
        message: &str,
        details: HashMap<&str, Value<'_>>,
    ) -> zbus::Result<()>;

    /// Daemon version, for diagnostics.
    #[zbus(property(emits_changed_signal = "const"))]
    async fn version(&self) -> String {
        env!("CARGO_PKG_VERSION").to_string()
    }
}
