#!/usr/bin/env python3
"""Independent check of the Latchkey vault format, written from docs/vault-format.md alone.

Decrypts the test vector (or any v1 vault) and prints the body. Needs:
    pip install argon2-cffi pynacl

Usage:
    python3 docs/vault_vector_check.py [VAULT_FILE] [PASSPHRASE]
Defaults: core/tests/data/vault-vector-v1.latchkey, "correct horse battery staple".
Exits 0 and prints the body on success; exits 1 with a reason otherwise.
"""

import base64
import hashlib
import json
import struct
import sys
from pathlib import Path

from argon2.low_level import Type, hash_secret_raw
from nacl.bindings import crypto_aead_xchacha20poly1305_ietf_decrypt
from nacl.exceptions import CryptoError

MAGIC = b"LATCHKEY"
VERSION = 1
CHECKSUM_LEN = 32


def fail(reason: str) -> "None":
    print(f"refused: {reason}", file=sys.stderr)
    sys.exit(1)


def b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def slot_aad(slot_type: str, kdf: dict, salt: bytes) -> bytes:
    t = slot_type.encode("ascii")
    return (
        MAGIC
        + struct.pack(">H", VERSION)
        + bytes([len(t)]) + t
        + struct.pack(">III", kdf["m_cost"], kdf["t_cost"], kdf["p_cost"])
        + bytes([len(salt)]) + salt
    )


def open_vault(data: bytes, passphrase: bytes) -> bytes:
    # 1. Fixed prefix.
    if data[:8] != MAGIC:
        fail("not a Latchkey vault (magic)")
    (version,) = struct.unpack(">H", data[8:10])
    if version != VERSION:
        fail(f"unsupported version {version}")
    # 2. Trailing checksum over everything before it.
    content, stored = data[:-CHECKSUM_LEN], data[-CHECKSUM_LEN:]
    if hashlib.sha256(content).digest() != stored:
        fail("checksum mismatch")
    # 3. Header.
    (header_len,) = struct.unpack(">I", content[10:14])
    aad = content[: 14 + header_len]
    body_ct = content[14 + header_len :]
    header = json.loads(aad[14:].decode("utf-8"))
    if header.get("cipher") != "xchacha20poly1305":
        fail("unknown cipher")
    print(f"header: {json.dumps(header)}")
    # 4. Passphrase slot -> KEK -> master key (unknown slot types are skipped).
    slots = [s for s in header["slots"] if s["type"] == "passphrase"]
    if len(slots) != 1:
        fail("expected exactly one passphrase slot")
    slot = slots[0]
    kdf, salt = slot["kdf"], b64(slot["salt"])
    kek = hash_secret_raw(
        secret=passphrase,
        salt=salt,
        time_cost=kdf["t_cost"],
        memory_cost=kdf["m_cost"],
        parallelism=kdf["p_cost"],
        hash_len=32,
        type=Type.ID,
        version=19,
    )
    print(f"kek:        {kek.hex()}")
    try:
        master = crypto_aead_xchacha20poly1305_ietf_decrypt(
            b64(slot["wrapped_key"]), slot_aad("passphrase", kdf, salt), b64(slot["nonce"]), kek
        )
    except CryptoError:
        fail("wrong passphrase")
    print(f"master key: {master.hex()}")
    # 5. Body, with every byte before it as associated data.
    try:
        return crypto_aead_xchacha20poly1305_ietf_decrypt(body_ct, aad, b64(header["body_nonce"]), master)
    except CryptoError:
        fail("body failed authentication")


def main() -> None:
    root = Path(__file__).resolve().parent.parent
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "core/tests/data/vault-vector-v1.latchkey"
    passphrase = (sys.argv[2] if len(sys.argv) > 2 else "correct horse battery staple").encode("utf-8")
    body = open_vault(path.read_bytes(), passphrase)
    print(f"body:       {body.decode('utf-8', errors='replace')}")


if __name__ == "__main__":
    main()
