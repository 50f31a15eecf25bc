//! Sync: the merge's properties over random histories of 3–5 devices (`props`), and the
//! replica files' checks: tampering, forgotten devices, replays, pairing (`files`).

mod body;
mod files;
mod props;
mod vector;

use latchkey_core::accounts::{Account, Accounts};
use latchkey_core::otp::{Algorithm, Kind, OtpParams, Secret};
use latchkey_core::sync::{Code, Identity, State};

/// One simulated device: its sync state and its vault's accounts.
pub struct Device {
    pub state: State,
    pub accounts: Accounts,
}

impl Device {
    /// The first device of a group.
    pub fn first(name: &str, now: u64) -> Self {
        let identity = Identity::generate().expect("random");
        Self {
            state: State::new(identity, name, "/sync".into(), now),
            accounts: Accounts::default(),
        }
    }

    /// A device joining through `inviter`: code, request, admission and the first exchange.
    pub fn join(inviter: &mut Device, name: &str, now: u64) -> Self {
        let code = inviter.state.invite(now).expect("invite");
        let code = Code::parse(&code).expect("code");
        let identity = Identity::generate().expect("random");
        let (state, request) = State::joining(identity, name, "/sync".into(), &code, now);
        let request = latchkey_core::sync::Request::parse(&request.to_bytes()).expect("request");
        assert!(
            inviter
                .state
                .admit(&request, now)
                .expect("admitted")
                .is_some()
        );
        let mut joined = Self {
            state,
            accounts: Accounts::default(),
        };
        let (_, replica) = inviter.state.export(now).expect("export");
        let merged = joined.import(&replica, now).expect("the inviter's replica");
        assert!(merged.admitted, "the new device sees itself admitted");
        joined
    }

    /// Records local changes of the accounts, as the daemon does before each vault write.
    pub fn observe(&mut self, now: u64) {
        let _ = self.state.observe(&self.accounts, now);
    }

    pub fn export(&mut self, now: u64) -> Vec<u8> {
        self.observe(now);
        self.state.export(now).expect("export").1
    }

    pub fn import(
        &mut self,
        bytes: &[u8],
        now: u64,
    ) -> Result<latchkey_core::sync::Merged, latchkey_core::sync::ImportError> {
        self.observe(now);
        self.state.import(bytes, now, &mut self.accounts)
    }

    /// Accounts by id, as comparable text (labels and parameters, never printed seeds).
    pub fn view(&self) -> Vec<(String, String, String, String)> {
        let mut v: Vec<_> = self
            .accounts
            .iter()
            .map(|a| {
                (
                    a.id.clone(),
                    a.issuer.clone(),
                    a.account.clone(),
                    format!(
                        "{:?}/{}/{:?}",
                        a.params.algorithm, a.params.digits, a.params.kind
                    ),
                )
            })
            .collect();
        v.sort();
        v
    }
}

/// An account with a fixed seed derived from `n`.
pub fn account(id: &str, issuer: &str, n: u8, hotp: bool) -> Account {
    let kind = if hotp {
        Kind::Hotp { counter: 0 }
    } else {
        Kind::Totp { period: 30 }
    };
    Account {
        id: id.into(),
        issuer: issuer.into(),
        account: format!("user{n}"),
        sites: Vec::new(),
        params: OtpParams::new(Secret::from_bytes(vec![n; 20]), Algorithm::Sha1, 6, kind)
            .expect("params"),
    }
}
