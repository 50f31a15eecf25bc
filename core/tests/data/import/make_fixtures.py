#!/usr/bin/env python3
"""Builds the import fixtures independently of Latchkey's code.

Aegis: follows Aegis's published vault format (docs/vault.md): a password slot holds the
32-byte master key encrypted with AES-256-GCM under scrypt(password, salt, n, r, p, 32);
`db` is base64 of the database JSON encrypted with the master key (nonce/tag in
header.params). Google: the MigrationPayload protobuf is encoded by hand below.

Run: python3 -m venv /tmp/fx && /tmp/fx/bin/pip install cryptography && /tmp/fx/bin/python make_fixtures.py
The outputs are committed; CI does not need Python. Random salts/nonces make each run differ.
"""
import base64, json, os, urllib.parse, uuid
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

HERE = os.path.dirname(os.path.abspath(__file__))
PASSWORD = b"import test passphrase"


def entry(kind, issuer, name, secret, algo="SHA1", digits=6, period=30, counter=None, note="", groups=()):
    info = {"secret": secret, "algo": algo, "digits": digits}
    if kind == "hotp":
        info["counter"] = counter or 0
    else:
        info["period"] = period
    return {"type": kind, "uuid": str(uuid.uuid4()), "name": name, "issuer": issuer,
            "note": note, "favorite": False, "icon": None, "info": info, "groups": list(groups)}


ENTRIES = [
    entry("totp", "GitHub", "alice@example.com", "JBSWY3DPEHPK3PXP"),
    entry("totp", "Corp", "bob", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", algo="SHA256", digits=8, period=60,
          note="work laptop", groups=["8f3c1f3e-0000-4000-8000-000000000001"]),
    entry("hotp", "Bank", "carol", "MFRGGZDFMZTWQ2LK", algo="SHA512", digits=7, counter=5),
    entry("steam", "Steam", "dave", "ONSWG4TFOQYTEMY=", digits=5),
]


def db(version, entries):
    d = {"version": version, "entries": entries}
    if version >= 3:
        d["groups"] = [{"uuid": "8f3c1f3e-0000-4000-8000-000000000001", "name": "Work"}]
    return d


def write(name, text):
    with open(os.path.join(HERE, name), "w") as f:
        f.write(text)


def plain(version, entries):
    return json.dumps({"version": 1, "header": {"slots": None, "params": None}, "db": db(version, entries)}, indent=2)


def encrypted(version, entries, n=1 << 12, r=8, p=1):
    master = AESGCM.generate_key(bit_length=256)
    salt = os.urandom(32)
    derived = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(PASSWORD)
    key_nonce = os.urandom(12)
    wrapped = AESGCM(derived).encrypt(key_nonce, master, None)  # ciphertext || 16-byte tag
    db_nonce = os.urandom(12)
    sealed = AESGCM(master).encrypt(db_nonce, json.dumps(db(version, entries)).encode(), None)
    slot = {"type": 1, "uuid": str(uuid.uuid4()), "key": wrapped[:-16].hex(),
            "key_params": {"nonce": key_nonce.hex(), "tag": wrapped[-16:].hex()},
            "n": n, "r": r, "p": p, "salt": salt.hex(), "repaired": True, "is_backup": False}
    raw = {"type": 0, "uuid": str(uuid.uuid4()), "key": os.urandom(32).hex(),
           "key_params": {"nonce": os.urandom(12).hex(), "tag": os.urandom(16).hex()}}
    header = {"slots": [raw, slot], "params": {"nonce": db_nonce.hex(), "tag": sealed[-16:].hex()}}
    return json.dumps({"version": 1, "header": header,
                       "db": base64.b64encode(sealed[:-16]).decode()}, indent=2)


def varint(v):
    if v < 0:
        v += 1 << 64
    out = b""
    while True:
        b = v & 0x7F
        v >>= 7
        out += bytes([b | (0x80 if v else 0)])
        if not v:
            return out


def field(tag, wire, payload):
    key = varint((tag << 3) | wire)
    return key + (varint(len(payload)) + payload if wire == 2 else varint(payload))


def otp(secret, name, issuer, algorithm, digits, kind, counter=0):
    m = field(1, 2, secret) + field(2, 2, name.encode()) + field(3, 2, issuer.encode())
    for tag, v in ((4, algorithm), (5, digits), (6, kind), (7, counter)):
        if v:
            m += field(tag, 0, v)
    return m


def migration(otps, batch_size=1, batch_index=0, batch_id=1234):
    payload = b"".join(field(1, 2, o) for o in otps)
    payload += field(2, 0, 1) + field(3, 0, batch_size) + field(4, 0, batch_index) + field(5, 0, batch_id)
    data = urllib.parse.quote(base64.b64encode(payload).decode(), safe="")
    return "otpauth-migration://offline?data=" + data


GOOGLE = [
    # Google's own export: name carries "Issuer:account".
    otp(b"Hello!\xde\xad\xbe\xef", "GitHub:alice@example.com", "GitHub", 1, 1, 2),
    otp(b"12345678901234567890123456789012", "bob", "Corp", 2, 2, 2),
    otp(b"abcdefghijklmnopqrstuvwxyz012345" * 2, "carol", "Bank", 3, 1, 1, counter=7),
    # Every enum left unspecified (0): SHA1, 6 digits, TOTP.
    otp(b"12345678901234567890", "Issuerless:erin", "", 0, 0, 0),
]

if __name__ == "__main__":
    write("aegis-plain-v1.json", plain(1, ENTRIES))
    write("aegis-plain-v2.json", plain(2, ENTRIES))
    write("aegis-encrypted-v3.json", encrypted(3, ENTRIES))
    write("aegis-encrypted-v2.json", encrypted(2, ENTRIES[:2]))
    bad = ENTRIES[:2] + [entry("motp", "Old", "frank", "JBSWY3DPEHPK3PXP", algo="MD5")]
    write("aegis-bad-entry.json", plain(2, bad))
    write("google-migration.txt", migration(GOOGLE) + "\n")
    write("google-batch-1of2.txt", migration(GOOGLE[:1], batch_size=2, batch_index=0) + "\n")
    write("google-md5.txt", migration(GOOGLE[:1] + [otp(b"12345678901234567890", "x", "Y", 4, 1, 2)]) + "\n")
    write("uris.txt", "# exported by hand\n"
          "otpauth://totp/GitHub:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=GitHub\n\n"
          "otpauth://hotp/Bank:carol?secret=MFRGGZDFMZTWQ2LK&counter=5&digits=7&algorithm=SHA512\n"
          "otpauth://steam/Steam:dave?secret=ONSWG4TFOQYTEMY\n")
