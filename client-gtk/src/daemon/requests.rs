//! Approval and consent requests: listing them and answering.

use super::bridge;
use latchkey_dbus::{ApprovalsProxy, Error, RequestDetails};
use zbus::proxy::CacheProperties;
use zbus::zvariant::ObjectPath;

async fn approvals(conn: &zbus::Connection) -> Result<ApprovalsProxy<'static>, Error> {
    Ok(ApprovalsProxy::builder(conn)
        .cache_properties(CacheProperties::No)
        .build()
        .await?)
}

/// A pending approval or consent request, as the daemon describes it.
#[derive(Debug, Clone, Default)]
pub struct Pending {
    pub path: String,
    /// `approval` or `consent`.
    pub kind: String,
    pub title: String,
    pub message: String,
    /// The requester's claims (shown as claims).
    pub app_name: String,
    pub location: String,
    pub ip_address: String,
    /// What the daemon itself determined about the requester: its label, executable, the
    /// script an interpreter runs, process and Flatpak id.
    pub caller: String,
    pub caller_exe: String,
    pub caller_script: String,
    pub caller_pid: u32,
    pub caller_flatpak: String,
    /// Unix times the request was made and expires.
    pub created: u64,
    pub expires: u64,
    /// The account the request is about (for consent, the one asked for).
    pub account_id: String,
    /// Numbers to pick from (number matching), empty otherwise.
    pub choices: Vec<u32>,
    /// A push server's presence options, one per choice (claims), empty for number matching.
    pub choice_labels: Vec<String>,
}

use latchkey_dbus::display::{IDENTITY_MAX, MESSAGE_MAX, TITLE_MAX, claim};

impl Pending {
    fn from_details(path: String, d: &RequestDetails) -> Self {
        // Everything a requester wrote, and its executable's path, is shown on one line,
        // bounded, with control and bidi characters made visible.
        Self {
            path,
            kind: d.kind.clone(),
            title: claim(&d.title, TITLE_MAX),
            message: claim(&d.message, MESSAGE_MAX),
            app_name: claim(&d.app_name, TITLE_MAX),
            location: claim(&d.location, TITLE_MAX),
            ip_address: claim(&d.ip_address, TITLE_MAX),
            caller: claim(&d.caller, IDENTITY_MAX),
            caller_exe: claim(&d.caller_exe, IDENTITY_MAX),
            caller_script: claim(d.caller_script.as_deref().unwrap_or_default(), IDENTITY_MAX),
            caller_pid: d.caller_pid,
            caller_flatpak: claim(&d.caller_flatpak, IDENTITY_MAX),
            created: d.created,
            expires: d.expires,
            account_id: d.account_id.clone(),
            choices: d.choices().to_vec(),
            choice_labels: d.labels().iter().map(|l| claim(l, TITLE_MAX)).collect(),
        }
    }
}

/// Requests waiting for an answer.
pub async fn pending() -> Result<Vec<Pending>, Error> {
    bridge()
        .call(|c| async move {
            let list = approvals(&c).await?.list_pending().await?;
            Ok(list
                .into_iter()
                .map(|(p, d)| Pending::from_details(p.to_string(), &d))
                .collect())
        })
        .await
}

/// How the user answered a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// Approve, with the picked number (0 without number matching).
    Approve(u32),
    /// Deny.
    Deny,
    /// A consent answer: `once`, `always`, `deny` (remembered) or `not-now`.
    Consent(String),
}

/// Sends the answer; returns the daemon's outcome (`approved`, `wrong-number`, ...).
pub async fn answer(path: String, answer: Answer) -> Result<String, Error> {
    bridge()
        .call(|c| async move {
            let a = approvals(&c).await?;
            let p = ObjectPath::try_from(path.as_str()).map_err(zbus::Error::from)?;
            Ok(match answer {
                Answer::Approve(n) => a.approve(&p, n).await?,
                Answer::Deny => {
                    a.deny(&p).await?;
                    "denied".to_string()
                }
                Answer::Consent(s) => a.answer_consent(&p, &s).await?,
            })
        })
        .await
}
