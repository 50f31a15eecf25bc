//! Google Authenticator's `otpauth-migration://offline?data=…` exports (one URI per QR code).
//!
//! `data` is percent-encoded base64 of a `MigrationPayload` protobuf; the messages are written
//! by hand for prost's derive, so no `protoc` is needed.

use super::{Entries, EntryError, EntryFault, ImportError, Imported, MAX_ENTRIES, entry_error};
use crate::otp::{Algorithm, Kind, OtpParams, Secret};
use data_encoding::{BASE64_NOPAD, Encoding};
use prost::Message;
use std::sync::OnceLock;
use zeroize::{Zeroize, Zeroizing};

/// The format's name in errors.
pub const FORMAT: &str = "Google Authenticator";

/// One QR code's worth of accounts; the export writes the same message.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct MigrationPayload {
    #[prost(message, repeated, tag = "1")]
    pub otp_parameters: Vec<OtpParameters>,
    #[prost(int32, tag = "2")]
    pub version: i32,
    #[prost(int32, tag = "3")]
    pub batch_size: i32,
    #[prost(int32, tag = "4")]
    pub batch_index: i32,
    #[prost(int32, tag = "5")]
    pub batch_id: i32,
}

/// One account; enums are kept as integers so unknown values become entry errors.
#[derive(Clone, PartialEq, prost::Message)]
#[prost(skip_debug)]
pub(crate) struct OtpParameters {
    #[prost(bytes = "vec", tag = "1")]
    pub secret: Vec<u8>,
    #[prost(string, tag = "2")]
    pub name: String,
    #[prost(string, tag = "3")]
    pub issuer: String,
    #[prost(int32, tag = "4")]
    pub algorithm: i32,
    #[prost(int32, tag = "5")]
    pub digits: i32,
    #[prost(int32, tag = "6")]
    pub r#type: i32,
    #[prost(int64, tag = "7")]
    pub counter: i64,
}

impl std::fmt::Debug for OtpParameters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtpParameters")
            .field("name", &self.name)
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

impl Drop for OtpParameters {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

/// A file of migration URIs, one per line; notes an incomplete multi-QR batch.
pub fn parse_text(text: &str) -> Result<Entries, ImportError> {
    let mut out = Vec::new();
    let mut batches: Vec<(i32, i32, i32)> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !super::starts_with_ci(line, "otpauth-migration:") {
            let fault = format!("line {} is not an otpauth-migration:// URI", index + 1);
            return Err(ImportError::malformed(FORMAT, fault));
        }
        let (entries, batch) = decode(line)?;
        let offset = out.len();
        for e in entries {
            out.push(e.map_err(|mut e| {
                e.position += offset;
                e
            }));
        }
        if out.len() > MAX_ENTRIES {
            return Err(ImportError::TooManyEntries);
        }
        batches.push(batch);
    }
    if out.is_empty() && batches.is_empty() {
        return Err(ImportError::Empty);
    }
    Ok((out, batch_notes(&batches)))
}

/// Entries of one migration URI in a URI list, numbered after the `offset` entries before it.
pub fn parse_line(
    line: &str,
    offset: usize,
) -> Result<Vec<Result<Imported, EntryError>>, ImportError> {
    let (entries, _) = decode(line)?;
    Ok(entries
        .into_iter()
        .map(|e| {
            e.map_err(|mut e| {
                e.position += offset;
                e
            })
        })
        .collect())
}

/// Says which parts of a multi-QR export are missing (`batches`: id, size, index).
fn batch_notes(batches: &[(i32, i32, i32)]) -> Vec<String> {
    let mut notes = Vec::new();
    let mut ids: Vec<i32> = batches.iter().map(|b| b.0).collect();
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        let parts: Vec<_> = batches.iter().filter(|b| b.0 == id).collect();
        let size = parts.iter().map(|b| b.1).max().unwrap_or(1).max(1);
        let mut seen: Vec<i32> = parts.iter().map(|b| b.2).collect();
        seen.sort_unstable();
        seen.dedup();
        if (seen.len() as i64) < i64::from(size) {
            notes.push(format!(
                "Google Authenticator export in {size} QR codes: only {} of them given; import the others too",
                seen.len()
            ));
        }
    }
    notes
}

type Decoded = (Vec<Result<Imported, EntryError>>, (i32, i32, i32));

/// Decodes one migration URI into its entries (positions from 1) and its batch fields.
fn decode(uri: &str) -> Result<Decoded, ImportError> {
    let query = uri
        .split_once('?')
        .map(|(_, q)| q)
        .ok_or_else(|| ImportError::malformed(FORMAT, "the URI has no data parameter"))?;
    let data = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("data="))
        .ok_or_else(|| ImportError::malformed(FORMAT, "the URI has no data parameter"))?;
    let mut raw = Zeroizing::new(Vec::with_capacity(data.len()));
    raw.extend(percent_encoding::percent_decode_str(data));
    let mut b64 = Zeroizing::new(Vec::with_capacity(raw.len()));
    for &c in raw.iter() {
        match c {
            b'=' | b'\r' | b'\n' => {}
            b' ' | b'-' => b64.push(b'+'),
            b'_' => b64.push(b'/'),
            c => b64.push(c),
        }
    }
    let bad = |_| ImportError::malformed(FORMAT, "the data parameter is not valid base64");
    let len = lenient_base64().decode_len(b64.len()).map_err(bad)?;
    let mut bytes = Zeroizing::new(vec![0u8; len]);
    let written = lenient_base64()
        .decode_mut(&b64, &mut bytes)
        .map_err(|e| bad(e.error))?;
    bytes.truncate(written);
    let payload = MigrationPayload::decode(bytes.as_slice()).map_err(|e| {
        ImportError::malformed(FORMAT, format!("the data is not a migration payload ({e})"))
    })?;
    if payload.otp_parameters.len() > MAX_ENTRIES {
        return Err(ImportError::TooManyEntries);
    }
    let batch = (payload.batch_id, payload.batch_size, payload.batch_index);
    if payload.batch_size > 0 && !(0..payload.batch_size).contains(&payload.batch_index) {
        let fault = format!(
            "batch index {} is outside a batch of {}",
            payload.batch_index, payload.batch_size
        );
        return Err(ImportError::malformed(FORMAT, fault));
    }
    let entries = payload
        .otp_parameters
        .into_iter()
        .enumerate()
        .map(|(i, p)| entry(p, i + 1))
        .collect();
    Ok((entries, batch))
}

/// Converts one `OtpParameters`, mapping each enum and splitting `Issuer:account` names.
fn entry(mut p: OtpParameters, position: usize) -> Result<Imported, EntryError> {
    let (issuer, account) = split_name(&p.issuer, &p.name);
    let fail = |fault: EntryFault| entry_error(position, &issuer, &account, fault);
    let algorithm = match p.algorithm {
        0 | 1 => Algorithm::Sha1,
        2 => Algorithm::Sha256,
        3 => Algorithm::Sha512,
        4 => return Err(fail(EntryFault::Algorithm("MD5".into()))),
        n => return Err(fail(EntryFault::Algorithm(format!("#{n}")))),
    };
    let digits = match p.digits {
        0 | 1 => 6,
        2 => 8,
        n => return Err(fail(EntryFault::Digits(format!("#{n}")))),
    };
    let kind = match p.r#type {
        0 | 2 => Kind::Totp { period: 30 },
        1 => Kind::Hotp {
            counter: u64::try_from(p.counter).map_err(|_| fail(EntryFault::Counter(p.counter)))?,
        },
        n => return Err(fail(EntryFault::Type(format!("#{n}")))),
    };
    if p.secret.is_empty() {
        return Err(fail(EntryFault::MissingSecret));
    }
    let secret = Secret::from_bytes(std::mem::take(&mut p.secret));
    let params = OtpParams::new(secret, algorithm, digits, kind).map_err(|e| fail(e.into()))?;
    Ok(Imported {
        issuer,
        account,
        params,
        sites: Vec::new(),
    })
}

/// Google keeps `Issuer:account` in `name`; drop the prefix when it repeats (or supplies) the issuer.
fn split_name(issuer: &str, name: &str) -> (String, String) {
    match name.split_once(':') {
        Some((prefix, rest)) if issuer.is_empty() || issuer == prefix => {
            (prefix.trim().to_string(), rest.trim_start().to_string())
        }
        _ => (issuer.to_string(), name.to_string()),
    }
}

/// Standard base64 without padding that ignores stray trailing bits.
fn lenient_base64() -> &'static Encoding {
    static ENCODING: OnceLock<Encoding> = OnceLock::new();
    ENCODING.get_or_init(|| {
        let mut spec = BASE64_NOPAD.specification();
        spec.check_trailing_bits = false;
        spec.encoding().unwrap_or_else(|_| BASE64_NOPAD.clone())
    })
}
