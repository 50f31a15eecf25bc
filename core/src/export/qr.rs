//! otpauth QR codes: one PNG with a code per account stacked top to bottom (the form phone
//! authenticators scan one by one), or Unicode block text for a terminal.
//!
//! Every pixel buffer shows secrets, so each is wiped on drop.

use super::ExportError;
use qrcode::render::unicode::Dense1x2;
use qrcode::{Color, EcLevel, QrCode};
use zeroize::Zeroizing;

/// Pixels per QR module: large enough for any phone camera from a screen.
const SCALE: usize = 4;
/// Light border around each code, in modules (the QR spec asks for 4).
const QUIET: usize = 4;
/// Most accounts in one image, so its height stays far below what viewers open (≈ 0.6 Mpx each).
pub const MAX_CODES: usize = 1000;

/// Encodes one URI; medium error correction, like Google Authenticator's codes.
fn encode(uri: &str) -> Result<QrCode, ExportError> {
    QrCode::with_error_correction_level(uri.as_bytes(), EcLevel::M)
        .map_err(|e| ExportError::TooLarge(format!("an account does not fit in a QR code ({e})")))
}

/// A greyscale PNG with one QR code per URI, top to bottom.
pub fn png(uris: &[Zeroizing<String>]) -> Result<Zeroizing<Vec<u8>>, ExportError> {
    if uris.len() > MAX_CODES {
        return Err(ExportError::TooLarge(format!(
            "{} accounts are too many for one image (at most {MAX_CODES}); use --format aegis",
            uris.len()
        )));
    }
    let codes = uris
        .iter()
        .map(|u| encode(u))
        .collect::<Result<Vec<_>, _>>()?;
    let side = |c: &QrCode| (c.width() + 2 * QUIET) * SCALE;
    let width = codes.iter().map(side).max().unwrap_or(SCALE);
    let height = codes.iter().map(side).sum::<usize>().max(SCALE);
    let mut pixels = Zeroizing::new(vec![0xffu8; width * height]);
    let mut top = 0;
    for code in &codes {
        let n = code.width();
        for (i, color) in code.to_colors().into_iter().enumerate() {
            if color != Color::Dark {
                continue;
            }
            let (x, y) = ((i % n + QUIET) * SCALE, (i / n + QUIET) * SCALE);
            for dy in 0..SCALE {
                let row = (top + y + dy) * width + x;
                pixels[row..row + SCALE].fill(0);
            }
        }
        top += side(code);
    }
    let too_large = |_| ExportError::TooLarge("the image is too large".into());
    let (w, h) = (
        u32::try_from(width).map_err(too_large)?,
        u32::try_from(height).map_err(too_large)?,
    );
    let mut out = Zeroizing::new(Vec::with_capacity(width * height / 8 + 1024));
    {
        let mut encoder = png::Encoder::new(&mut *out, w, h);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let png_error = |e: png::EncodingError| ExportError::Internal(e.to_string());
        let mut writer = encoder.write_header().map_err(png_error)?;
        writer.write_image_data(&pixels).map_err(png_error)?;
        writer.finish().map_err(png_error)?;
    }
    Ok(out)
}

/// The codes as Unicode half blocks (two modules per character), separated by blank lines. Drawn
/// for the usual light-on-dark terminal (light modules are blocks); phone scanners read either.
pub fn text(uris: &[Zeroizing<String>]) -> Result<Zeroizing<Vec<u8>>, ExportError> {
    let mut out = Zeroizing::new(Vec::new());
    for uri in uris {
        let code = encode(uri)?;
        let rendered = Zeroizing::new(
            code.render::<Dense1x2>()
                .dark_color(Dense1x2::Light)
                .light_color(Dense1x2::Dark)
                .quiet_zone(true)
                .build(),
        );
        out.extend_from_slice(rendered.as_bytes());
        out.extend_from_slice(b"\n\n");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_codes_are_square_blocks_one_per_uri() {
        let uris = [
            Zeroizing::new("otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP".to_string()),
            Zeroizing::new("otpauth://totp/C:d?secret=ONSWG4TFOQYTEMZU".to_string()),
        ];
        let out = text(&uris).expect("renders");
        let out = std::str::from_utf8(&out).expect("utf-8");
        let codes: Vec<&str> = out.split("\n\n").filter(|c| !c.is_empty()).collect();
        assert_eq!(codes.len(), 2);
        for code in codes {
            let widths: Vec<usize> = code.lines().map(|l| l.chars().count()).collect();
            assert!(widths.iter().all(|w| *w == widths[0]), "rectangular");
            // Two modules per character vertically: a square code is about twice as wide as tall.
            assert!(
                widths[0] >= 2 * widths.len() - 2,
                "{} x {}",
                widths[0],
                widths.len()
            );
            assert!(code.contains('█') || code.contains('▀') || code.contains('▄'));
        }
    }

    #[test]
    fn too_many_codes_for_one_image_are_refused() {
        let uris: Vec<_> = (0..=MAX_CODES)
            .map(|_| Zeroizing::new("otpauth://totp/x?secret=AAAA".to_string()))
            .collect();
        assert!(matches!(png(&uris), Err(ExportError::TooLarge(_))));
    }
}
