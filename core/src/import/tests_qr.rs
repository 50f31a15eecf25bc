//! QR image tests against make_qr_fixtures.py's images (Python `qrcode` and Pillow).

use super::tests::ok;
use super::*;
use crate::otp::Kind;

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("../../tests/data/import/", $name)).as_slice()
    };
}

#[test]
fn one_code_in_png_and_jpeg() {
    for bytes in [fixture!("qr-single.png"), fixture!("qr-single.jpg")] {
        let got = ok(bytes, None);
        assert_eq!(got.len(), 1);
        assert_eq!(
            (got[0].issuer.as_str(), got[0].account.as_str()),
            ("GitHub", "alice@example.com")
        );
        assert_eq!(got[0].params.secret, super::tests::b32("JBSWY3DPEHPK3PXP"));
    }
}

#[test]
fn every_code_of_an_image_counts_and_others_are_noted() {
    let parsed = parse(fixture!("qr-multi.png"), Format::Auto, None).expect("parses");
    assert_eq!(parsed.format, Format::Qr);
    let got: Vec<Imported> = parsed.entries.into_iter().map(|e| e.expect("ok")).collect();
    // Bank (otpauth), then the four accounts of the Google migration code.
    assert_eq!(got.len(), 5);
    assert_eq!(
        (got[0].issuer.as_str(), got[0].params.kind),
        ("Bank", Kind::Hotp { counter: 5 })
    );
    let issuers: Vec<&str> = got[1..].iter().map(|i| i.issuer.as_str()).collect();
    assert_eq!(issuers, ["GitHub", "Corp", "Bank", "Issuerless"]);
    assert_eq!(parsed.notes.len(), 1, "{:?}", parsed.notes);
    assert!(parsed.notes[0].contains("1 QR code(s) without an otpauth"));
}

#[test]
fn images_without_codes_or_broken_are_named_errors() {
    let e = parse(fixture!("qr-none.png"), Format::Auto, None).unwrap_err();
    assert_eq!(e, ImportError::Image("no QR code found".into()));
    let png = fixture!("qr-single.png");
    let e = parse(&png[..png.len() / 2], Format::Auto, None).unwrap_err();
    assert!(matches!(e, ImportError::Image(_)), "{e}");
    let e = parse(b"not an image", Format::Qr, None).unwrap_err();
    assert_eq!(e, ImportError::Image("not a PNG or JPEG image".into()));
}

/// A 5000×5000 PNG of a few kilobytes: refused from its header, before its pixels are decoded.
#[test]
fn huge_dimensions_are_refused_before_decoding() {
    let e = parse(fixture!("qr-huge.png"), Format::Auto, None).unwrap_err();
    assert_eq!(
        e,
        ImportError::ImageTooLarge {
            width: 5000,
            height: 5000
        }
    );
    assert!(e.to_string().contains("5000×5000"), "{e}");
}
