#!/usr/bin/env python3
"""Builds the QR image import fixtures with the `qrcode` and Pillow packages (independent of
Latchkey's code).

- qr-single.png: one QR code holding an otpauth:// URI (GitHub/alice).
- qr-multi.png: three QR codes side by side: an otpauth:// URI (Bank/carol, HOTP), a
  Google Authenticator otpauth-migration:// URI (make_fixtures.py's GOOGLE accounts) and a
  web link that is not an OTP account.
- qr-single.jpg: the first image as a JPEG (lossy, quality 85).
- qr-none.png: an image without any QR code.
- qr-huge.png: a blank 5000×5000 image (25 megapixels, a few kilobytes compressed), over the
  decoder's limit.

Run: python3 -m venv /tmp/fx && /tmp/fx/bin/pip install cryptography qrcode pillow &&
     /tmp/fx/bin/python make_qr_fixtures.py
"""
import os
import qrcode
from PIL import Image, ImageDraw

from make_fixtures import GOOGLE, migration

HERE = os.path.dirname(os.path.abspath(__file__))
GITHUB = "otpauth://totp/GitHub:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=GitHub"
BANK = "otpauth://hotp/Bank:carol?secret=MFRGGZDFMZTWQ2LK&counter=5&digits=7&algorithm=SHA512"


def code(text):
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=4, border=4)
    qr.add_data(text)
    qr.make(fit=True)
    return qr.make_image(fill_color="black", back_color="white").convert("L")


def side_by_side(images, gap=40):
    width = sum(i.width for i in images) + gap * (len(images) + 1)
    height = max(i.height for i in images) + 2 * gap
    canvas = Image.new("L", (width, height), 255)
    x = gap
    for i in images:
        canvas.paste(i, (x, gap))
        x += i.width + gap
    return canvas


if __name__ == "__main__":
    single = code(GITHUB)
    single.save(os.path.join(HERE, "qr-single.png"))
    single.convert("RGB").save(os.path.join(HERE, "qr-single.jpg"), quality=85)
    side_by_side([code(BANK), code(migration(GOOGLE)), code("https://example.com/")]).save(
        os.path.join(HERE, "qr-multi.png"))
    blank = Image.new("RGB", (200, 120), (240, 240, 240))
    ImageDraw.Draw(blank).rectangle((20, 20, 180, 100), outline=(0, 0, 0), width=3)
    blank.save(os.path.join(HERE, "qr-none.png"))
    Image.new("1", (5000, 5000), 1).save(os.path.join(HERE, "qr-huge.png"))
