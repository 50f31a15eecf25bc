//! Types that cross the bus. Metadata only: no type here can carry a seed.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use zbus::zvariant::{OwnedValue, Type};

/// One account as listed to clients: `(id, issuer, account, kind, algorithm, digits, period, extra)`.
///
/// `kind` is `totp`, `hotp` or `steam`; `period` is 0 for HOTP. `extra` leaves room for
/// fields added later (e.g. `counter` for HOTP) without a new interface version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct AccountInfo {
    pub id: String,
    pub issuer: String,
    pub account: String,
    pub kind: String,
    pub algorithm: String,
    pub digits: u32,
    pub period: u32,
    pub extra: HashMap<String, OwnedValue>,
}
