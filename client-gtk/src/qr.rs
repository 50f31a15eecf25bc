//! Reading a QR code from an image file (PNG or JPEG), for "add account from a screenshot".

use zeroize::Zeroizing;

/// Why no QR code text came out of an image.
#[derive(Debug, thiserror::Error)]
pub enum QrError {
    #[error("cannot read the image: {0}")]
    Image(#[from] image::ImageError),
    #[error("no QR code found in the image")]
    NotFound,
    #[error("the QR code could not be decoded: {0}")]
    Decode(String),
}

/// The text of the first readable QR code in the image at `path`.
pub fn decode_file(path: &std::path::Path) -> Result<Zeroizing<String>, QrError> {
    let img = image::open(path)?.to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    if grids.is_empty() {
        return Err(QrError::NotFound);
    }
    let mut last = None;
    for g in grids {
        match g.decode() {
            Ok((_, text)) => return Ok(Zeroizing::new(text)),
            Err(e) => last = Some(e.to_string()),
        }
    }
    Err(QrError::Decode(last.unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::{QrError, decode_file};
    use std::process::Command;

    /// A QR code drawn by an independent encoder (qrencode) reads back to the same text.
    #[test]
    fn reads_a_qr_code_made_by_qrencode() {
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("code.png");
        let uri = "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub";
        let status = Command::new("qrencode")
            .args(["-s", "6", "-o"])
            .arg(&png)
            .arg(uri)
            .status()
            .expect("qrencode is required (apt-get install qrencode)");
        assert!(status.success());
        assert_eq!(decode_file(&png).unwrap().as_str(), uri);
    }

    /// An image without a QR code is a named error, and so is a file that is not an image.
    #[test]
    fn rejects_images_without_a_code_and_non_images() {
        let dir = tempfile::tempdir().unwrap();
        let blank = dir.path().join("blank.png");
        image::GrayImage::from_pixel(64, 64, image::Luma([255]))
            .save(&blank)
            .unwrap();
        assert!(matches!(decode_file(&blank), Err(QrError::NotFound)));
        let text = dir.path().join("not-an-image.png");
        std::fs::write(&text, b"hello").unwrap();
        assert!(matches!(decode_file(&text), Err(QrError::Image(_))));
    }
}
