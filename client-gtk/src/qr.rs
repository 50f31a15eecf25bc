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
