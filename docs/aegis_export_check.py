#!/usr/bin/env python3
"""Decrypts an encrypted Aegis export independently of Latchkey, following Aegis's
docs/vault.md: scrypt(password, salt, n, r, p) -> 32-byte key; AES-256-GCM(key, slot nonce)
unwraps the master key (ciphertext || tag); AES-256-GCM(master key, header.params.nonce)
opens base64(db) || tag. Prints the database JSON; exits non-zero on any failure.

Usage: python3 docs/aegis_export_check.py FILE PASSWORD   (needs the `cryptography` package)
"""
import base64
import json
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt


def main(path: str, password: str) -> None:
    with open(path, "rb") as f:
        vault = json.load(f)
    assert vault["version"] == 1, "file version must be 1"
    header = vault["header"]
    slots = [s for s in header["slots"] if s["type"] == 1]
    assert slots, "no password slot"
    master = None
    for slot in slots:
        kdf = Scrypt(salt=bytes.fromhex(slot["salt"]), length=32,
                     n=slot["n"], r=slot["r"], p=slot["p"])
        key = kdf.derive(password.encode("utf-8"))
        params = slot["key_params"]
        sealed = bytes.fromhex(slot["key"]) + bytes.fromhex(params["tag"])
        try:
            master = AESGCM(key).decrypt(bytes.fromhex(params["nonce"]), sealed, None)
            break
        except Exception:
            continue
    if master is None:
        sys.exit("no slot opens with this password")
    assert len(master) == 32
    params = header["params"]
    sealed = base64.b64decode(vault["db"], validate=True) + bytes.fromhex(params["tag"])
    db = json.loads(AESGCM(master).decrypt(bytes.fromhex(params["nonce"]), sealed, None))
    assert db["version"] in (1, 2, 3), "unknown database version"
    for e in db["entries"]:
        assert e["type"] in ("totp", "hotp", "steam"), e["type"]
        base64.b32decode(e["info"]["secret"] + "=" * (-len(e["info"]["secret"]) % 8))
    print(json.dumps(db, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
