//! What other apps were allowed: remembered consent decisions and the activity log.

use super::bridge;
use latchkey_dbus::{AccessProxy, ActivityEntry, ApprovalsProxy, Error, Grant};
use zbus::proxy::CacheProperties;

async fn access(conn: &zbus::Connection) -> Result<AccessProxy<'static>, Error> {
    Ok(AccessProxy::builder(conn)
        .cache_properties(CacheProperties::No)
        .build()
        .await?)
}

/// Remembered decisions.
pub async fn grants() -> Result<Vec<Grant>, Error> {
    bridge()
        .call(|c| async move { Ok(access(&c).await?.list_grants().await?) })
        .await
}

/// Forgets one decision (the app is asked again); how many were forgotten.
pub async fn revoke(identity: String, account_id: String) -> Result<u32, Error> {
    bridge()
        .call(move |c| async move { Ok(access(&c).await?.revoke(&identity, &account_id).await?) })
        .await
}

/// The last `limit` decisions of the activity log, newest first.
pub async fn activity(limit: u32) -> Result<Vec<ActivityEntry>, Error> {
    bridge()
        .call(move |c| async move {
            let lines = ApprovalsProxy::builder(&c)
                .cache_properties(CacheProperties::No)
                .build()
                .await?
                .activity_log(limit)
                .await?;
            Ok(lines
                .iter()
                .rev()
                .filter_map(|l| ActivityEntry::parse(l))
                .collect())
        })
        .await
}
