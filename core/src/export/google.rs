//! Google Authenticator's transfer QR codes (`otpauth-migration://offline?data=…`), which Google
//! Authenticator's "Import accounts" scans and most phone authenticators read too.
//!
//! Written as Google writes them: a `MigrationPayload` protobuf per code (version 1), the
//! accounts in batches of at most ten per code, each batch further split if its URI would pass
//! 1,200 characters (a code phones scan from a screen), all codes of one export sharing a
//! random `batch_id` with `batch_size` and `batch_index` set. The name is `Issuer:account`, as
//! Google's own export writes it, and the issuer field repeats the issuer. The format has no
//! period and only 6 or 8 digits: accounts it cannot carry (another period or digit count,
//! Steam) are refused by name, never written with codes that would differ.

use super::ExportError;
use crate::accounts::Account;
use crate::import::google::{MigrationPayload, OtpParameters};
use crate::otp::{Algorithm, Kind};
use data_encoding::BASE64;
use prost::Message;
use rand::Rng;
use zeroize::Zeroizing;

/// Accounts per code at most, as Google Authenticator batches them.
const PER_CODE: usize = 10;
/// Longest URI per code, in characters.
const MAX_URI: usize = 1200;

/// The migration URIs for `accounts`, one per QR code, in order.
pub fn uris(accounts: &[Account]) -> Result<Vec<Zeroizing<String>>, ExportError> {
    let unfit: Vec<String> = accounts
        .iter()
        .filter(|a| parameters(a).is_none())
        .map(|a| crate::import::echo(&label(a)))
        .collect();
    if !unfit.is_empty() {
        return Err(ExportError::Unsupported(format!(
            "Google Authenticator's transfer codes carry only 30-second TOTP or HOTP with 6 or 8 \
             digits; {} cannot be written that way ({}): export them with --format qr",
            if unfit.len() == 1 {
                "this account"
            } else {
                "these accounts"
            },
            unfit.join(", ")
        )));
    }
    // Batches by count, each split in two while its URI is too long.
    let mut batches: Vec<&[Account]> = accounts.chunks(PER_CODE).collect();
    let mut i = 0;
    while i < batches.len() {
        let batch = batches[i];
        if batch.len() > 1 && uri(batch, 0, 0, 0)?.len() > MAX_URI {
            let (a, b) = batch.split_at(batch.len() / 2);
            batches.splice(i..=i, [a, b]);
        } else {
            i += 1;
        }
    }
    let size = i32::try_from(batches.len())
        .map_err(|_| ExportError::TooLarge("too many accounts for transfer codes".into()))?;
    // Google's ids are random and positive.
    let id = rand::thread_rng().gen_range(1..i32::MAX);
    batches
        .iter()
        .zip(0..)
        .map(|(batch, index)| uri(batch, id, size, index))
        .collect()
}

/// `Issuer:account`, or whichever of the two there is.
fn label(a: &Account) -> String {
    match (a.issuer.is_empty(), a.account.is_empty()) {
        (false, false) => format!("{}:{}", a.issuer, a.account),
        (true, _) => a.account.clone(),
        (false, true) => a.issuer.clone(),
    }
}

/// The account in Google's message, if the format can carry it.
fn parameters(a: &Account) -> Option<OtpParameters> {
    let p = &a.params;
    let (kind, counter) = match p.kind {
        Kind::Totp { period: 30 } => (2, 0),
        Kind::Hotp { counter } => (1, i64::try_from(counter).ok()?),
        Kind::Totp { .. } | Kind::Steam => return None,
    };
    let digits = match p.digits {
        6 => 1,
        8 => 2,
        _ => return None,
    };
    let algorithm = match p.algorithm {
        Algorithm::Sha1 => 1,
        Algorithm::Sha256 => 2,
        Algorithm::Sha512 => 3,
    };
    Some(OtpParameters {
        secret: p.secret.as_bytes().to_vec(),
        name: label(a),
        issuer: a.issuer.clone(),
        algorithm,
        digits,
        r#type: kind,
        counter,
    })
}

fn uri(
    batch: &[Account],
    id: i32,
    size: i32,
    index: i32,
) -> Result<Zeroizing<String>, ExportError> {
    let payload = MigrationPayload {
        otp_parameters: batch.iter().filter_map(parameters).collect(),
        version: 1,
        batch_size: size,
        batch_index: index,
        batch_id: id,
    };
    let bytes = Zeroizing::new(payload.encode_to_vec());
    let b64 = Zeroizing::new(BASE64.encode(&bytes));
    let mut out = Zeroizing::new(String::with_capacity(b64.len() * 3 / 2 + 40));
    out.push_str("otpauth-migration://offline?data=");
    for c in percent_encoding::utf8_percent_encode(&b64, percent_encoding::NON_ALPHANUMERIC) {
        out.push_str(c);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{Format, parse};
    use crate::otp::{OtpParams, Secret};

    fn account(n: usize, kind: Kind, digits: u8) -> Account {
        let secret = Secret::from_bytes(format!("secret number {n:04} for tests").into_bytes());
        Account {
            id: format!("id-{n}"),
            issuer: format!("Issuer {n}"),
            account: format!("user{n}@example.com"),
            sites: Vec::new(),
            params: OtpParams::new(secret, Algorithm::Sha256, digits, kind).expect("params"),
        }
    }

    #[test]
    fn batches_of_ten_read_back_with_their_batch_fields() {
        let accounts: Vec<Account> = (0..23)
            .map(|n| match n % 3 {
                0 => account(n, Kind::Hotp { counter: n as u64 }, 8),
                _ => account(n, Kind::Totp { period: 30 }, 6),
            })
            .collect();
        let uris = uris(&accounts).expect("exports");
        assert_eq!(uris.len(), 3, "23 accounts: 10 + 10 + 3");
        let text: String = uris.iter().map(|u| format!("{}\n", u.as_str())).collect();
        let parsed = parse(text.as_bytes(), Format::Auto, None).expect("reads back");
        assert!(
            parsed.notes.is_empty(),
            "a complete batch: {:?}",
            parsed.notes
        );
        let back: Vec<_> = parsed.entries.into_iter().map(|e| e.expect("ok")).collect();
        assert_eq!(back.len(), 23);
        for (a, b) in accounts.iter().zip(&back) {
            assert_eq!((&a.issuer, &a.account), (&b.issuer, &b.account));
            assert_eq!(a.params, b.params);
        }
        // One code alone is reported as part of a larger export.
        let one = parse(uris[1].as_bytes(), Format::Auto, None).expect("reads");
        assert!(one.notes[0].contains("3 QR codes"), "{:?}", one.notes);
    }

    #[test]
    fn long_labels_split_a_batch_so_codes_stay_scannable() {
        let mut accounts: Vec<Account> = (0..10)
            .map(|n| account(n, Kind::Totp { period: 30 }, 6))
            .collect();
        for a in &mut accounts {
            a.account = "x".repeat(200);
        }
        let uris = uris(&accounts).expect("exports");
        assert!(uris.len() > 1);
        assert!(
            uris.iter().all(|u| u.len() <= MAX_URI),
            "{:?}",
            uris.iter().map(|u| u.len()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn accounts_google_cannot_carry_are_refused_by_name() {
        let accounts = [
            account(1, Kind::Totp { period: 30 }, 6),
            account(2, Kind::Totp { period: 60 }, 6),
            account(3, Kind::Totp { period: 30 }, 7),
        ];
        match uris(&accounts) {
            Err(ExportError::Unsupported(m)) => {
                assert!(m.contains("Issuer 2:user2@example.com"), "{m}");
                assert!(m.contains("Issuer 3:user3@example.com"), "{m}");
                assert!(!m.contains("Issuer 1"), "{m}");
            }
            other => panic!("{:?}", other.map(|u| u.len())),
        }
    }
}
