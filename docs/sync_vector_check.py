#!/usr/bin/env python3
"""Independent check of the Latchkey replica format, written from docs/sync.md alone.

Verifies a replica's signature and opens it for one recipient, then prints the header and the
body. Needs PyNaCl (Debian: python3-nacl; or pip install pynacl).

Usage:
    /usr/bin/python3 docs/sync_vector_check.py [REPLICA] [RECIPIENT_X25519_SECRET_HEX]
Defaults: core/tests/data/sync-vector-v1.lkreplica and the test vector's second device
(32 bytes of 0x44). Exits 0 on success; exits 1 with a reason otherwise.
"""

import base64
import hashlib
import hmac
import json
import struct
import sys
from pathlib import Path

from nacl.bindings import (
    crypto_aead_xchacha20poly1305_ietf_decrypt,
    crypto_scalarmult,
    crypto_scalarmult_base,
)
from nacl.exceptions import BadSignatureError, CryptoError
from nacl.signing import VerifyKey

MAGIC = b"LKREPLIC"
SIGNATURE = 64
WRAP_INFO = b"latchkey-sync-v1 wrap"


def fail(reason):
    print(f"refused: {reason}", file=sys.stderr)
    sys.exit(1)


def hkdf_sha256(salt, ikm, info, length=32):
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    out, block, i = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([i]), hashlib.sha256).digest()
        out += block
        i += 1
    return out[:length]


def main():
    root = Path(__file__).resolve().parent.parent
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "core/tests/data/sync-vector-v1.lkreplica"
    secret = bytes.fromhex(sys.argv[2]) if len(sys.argv) > 2 else bytes([0x44] * 32)
    data = path.read_bytes()
    if data[:8] != MAGIC:
        fail("not a replica")
    version, n = struct.unpack(">HI", data[8:14])
    if version != 1:
        fail(f"version {version}")
    header_bytes = data[14 : 14 + n]
    header = json.loads(header_bytes)
    sign = base64.b64decode(header["keys"]["sign"])
    seal = base64.b64decode(header["keys"]["seal"])
    if hashlib.sha256(sign + seal).digest()[:16].hex() != header["device"]:
        fail("the keys do not make the device id")
    signed, signature = data[:-SIGNATURE], data[-SIGNATURE:]
    try:
        VerifyKey(sign).verify(signed, signature)
    except BadSignatureError:
        fail("bad signature")
    mine = crypto_scalarmult_base(secret)
    my_id = None
    ephemeral = base64.b64decode(header["ephemeral"])
    shared = crypto_scalarmult(secret, ephemeral)
    kek = hkdf_sha256(ephemeral + mine, shared, WRAP_INFO)
    data_key = None
    for stanza in header["recipients"]:
        try:
            data_key = crypto_aead_xchacha20poly1305_ietf_decrypt(
                base64.b64decode(stanza["key"]), b"", bytes(24), kek
            )
            my_id = stanza["device"]
            break
        except CryptoError:
            continue
    if data_key is None:
        fail("not sealed for this recipient")
    nonce = base64.b64decode(header["nonce"])
    try:
        body = crypto_aead_xchacha20poly1305_ietf_decrypt(
            signed[14 + n :], data[: 14 + n], nonce, data_key
        )
    except CryptoError:
        fail("the body does not decrypt")
    print(f"header: {header_bytes.decode()}")
    print(f"opened for device {my_id}")
    print(f"body: {body.decode()}")


if __name__ == "__main__":
    main()
