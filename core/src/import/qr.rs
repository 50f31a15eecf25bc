//! QR code images (PNG, JPEG) holding `otpauth://` or `otpauth-migration://` URIs, as
//! screenshots or saved codes. Every QR code in the image counts, in reading order (rows of 64
//! pixels, each left to right); codes holding something else (a web link) are passed over and noted. Decoding
//! uses `image` (PNG and JPEG only) and `rqrr`; the image's size is checked before its pixels
//! are decoded, so a small file cannot claim gigabytes.

use super::{Entries, ImportError, uris};
use image::{ImageFormat, ImageReader, Limits};
use std::io::Cursor;
use zeroize::Zeroizing;

/// Longest side accepted, in pixels.
pub const MAX_SIDE: u32 = 8192;
/// Most pixels accepted (a 6000×4000 photo fits).
pub const MAX_PIXELS: u64 = 24_000_000;
/// Height of a row of codes when ordering them, in pixels.
const ROW: i32 = 64;
/// Most memory the decoder may take, in bytes.
const MAX_ALLOC: u64 = 256 * 1024 * 1024;

/// The image format named by the file's first bytes, if it is one we read.
pub fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else {
        None
    }
}

fn reader(bytes: &[u8], format: ImageFormat) -> ImageReader<Cursor<&[u8]>> {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    let mut reader = ImageReader::new(Cursor::new(bytes));
    reader.set_format(format);
    reader.limits(limits);
    reader
}

/// Reads every QR code in a PNG or JPEG image.
pub fn parse(bytes: &[u8]) -> Result<Entries, ImportError> {
    let format =
        sniff(bytes).ok_or_else(|| ImportError::Image("not a PNG or JPEG image".into()))?;
    let bad = |e: image::ImageError| ImportError::Image(format!("cannot decode the image ({e})"));
    let (width, height) = reader(bytes, format).into_dimensions().map_err(bad)?;
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(ImportError::ImageTooLarge { width, height });
    }
    let luma = reader(bytes, format).decode().map_err(bad)?.into_luma8();
    let (w, h) = (luma.width() as usize, luma.height() as usize);
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
        luma.as_raw().get(y * w + x).copied().unwrap_or(255)
    });
    let mut grids = prepared.detect_grids();
    // Reading order: rows of ROW pixels, each left to right.
    grids.sort_by_key(|g| (g.bounds[0].y / ROW, g.bounds[0].x));
    let mut text = Zeroizing::new(String::new());
    let (mut unreadable, mut other) = (0, 0);
    for grid in &grids {
        match grid.decode() {
            Ok((_, content)) => {
                let content = Zeroizing::new(content);
                let line = content.trim();
                let otp = super::starts_with_ci(line, "otpauth:")
                    || super::starts_with_ci(line, "otpauth-migration:");
                if otp && !line.contains('\n') {
                    text.push_str(line);
                    text.push('\n');
                } else {
                    other += 1;
                }
            }
            Err(_) => unreadable += 1,
        }
    }
    let mut notes = Vec::new();
    if other > 0 {
        notes.push(format!(
            "{other} QR code(s) without an otpauth:// URI passed over"
        ));
    }
    if unreadable > 0 {
        notes.push(format!("{unreadable} QR code(s) could not be read"));
    }
    if text.is_empty() {
        let found = match grids.len() {
            0 => "no QR code found".to_string(),
            n => format!("{n} QR code(s) found, none with an otpauth:// URI"),
        };
        return Err(ImportError::Image(found));
    }
    Ok((uris::parse(&text)?, notes))
}
