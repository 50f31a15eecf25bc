#!/usr/bin/env python3
"""Writes an encrypted Aegis backup the way Aegis does, from Aegis's published vault format
(docs/vault.md in the Aegis repository), independently of Latchkey: a random 32-byte master
key; a password slot (type 1) wrapping it with AES-256-GCM under scrypt(password, salt,
N=2^15, r=8, p=1); the database JSON encrypted with AES-256-GCM under the master key, base64 in
"db", nonce and tag in header.params.

Reads {"path", "password", "entries": [{"uuid", "issuer", "name", "secret", "type",
"counter"?}]} as JSON on stdin and writes the file (via a temporary name and a rename, as a
sync engine delivers it).
"""
import base64
import json
import os
import sys
import uuid

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt


def seal(key, plaintext):
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, plaintext, None)
    return sealed[:-16], {"nonce": nonce.hex(), "tag": sealed[-16:].hex()}


def main():
    spec = json.load(sys.stdin)
    entries = []
    for e in spec["entries"]:
        info = {"secret": e["secret"], "algo": "SHA1", "digits": 6}
        if e.get("type", "totp") == "hotp":
            info["counter"] = e.get("counter", 0)
        else:
            info["period"] = 30
        entries.append({
            "type": e.get("type", "totp"), "uuid": e["uuid"], "name": e["name"],
            "issuer": e["issuer"], "note": "", "favorite": False, "icon": None, "info": info,
        })
    db = json.dumps({"version": 2, "entries": entries, "groups": []}).encode()
    master = os.urandom(32)
    salt = os.urandom(32)
    kek = Scrypt(salt=salt, length=32, n=2 ** 15, r=8, p=1).derive(spec["password"].encode())
    wrapped, key_params = seal(kek, master)
    ciphertext, params = seal(master, db)
    backup = {
        "version": 1,
        "header": {
            "slots": [{
                "type": 1, "uuid": str(uuid.uuid4()), "key": wrapped.hex(),
                "key_params": key_params, "n": 2 ** 15, "r": 8, "p": 1,
                "salt": salt.hex(), "repaired": True, "is_backup": False,
            }],
            "params": params,
        },
        "db": base64.b64encode(ciphertext).decode(),
    }
    path = spec["path"]
    tmp = os.path.join(os.path.dirname(path), ".syncthing." + os.path.basename(path) + ".tmp")
    with open(tmp, "w") as f:
        json.dump(backup, f)
    os.rename(tmp, path)


if __name__ == "__main__":
    main()
