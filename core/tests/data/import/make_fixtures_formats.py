#!/usr/bin/env python3
"""Builds the 2FAS, andOTP, FreeOTP+ and Bitwarden import fixtures, independently of Latchkey.

Each follows the format as the apps (and other importers such as Aegis's) read it:
- 2FAS .2fas: {"services": [...], "schemaVersion": 4, ...}; encrypted: "services": [] and
  "servicesEncrypted" = base64(ciphertext||tag):base64(salt):base64(iv), AES-256-GCM under
  PBKDF2-HMAC-SHA256(password, salt, 10000, 32 bytes); "reference" is sealed the same way.
- andOTP: a JSON array; encrypted (current) = 4-byte big-endian PBKDF2-HMAC-SHA1 rounds,
  12-byte salt, 12-byte IV, ciphertext||tag (AES-256-GCM); encrypted (first format) = IV,
  ciphertext||tag under SHA-256(password).
- FreeOTP+: {"tokenOrder": [...], "tokens": [...]} with secrets as signed (Java) byte lists.
- Bitwarden: {"encrypted": false, "folders": [], "items": [...]} with login.totp.

Every file holds the same four accounts as make_fixtures.py's ENTRIES: GitHub/alice (TOTP),
Corp/bob (SHA256, 8 digits, 60 s), Bank/carol (HOTP SHA512, 7 digits, counter 5), Steam/dave.

Run: /usr/bin/python3 make_fixtures_formats.py [FILE...] (Debian's python3-cryptography; FILE
names limit what is rewritten).
The outputs are committed; CI does not need Python. Random salts/nonces make each run differ.
"""
import base64, hashlib, json, os, random, sys
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

HERE = os.path.dirname(os.path.abspath(__file__))
# File names given on the command line: write only those (the others have random salts).
ONLY = set(sys.argv[1:])
PASSWORD = b"import test passphrase"

# (type, issuer, account, base32 secret, algorithm, digits, period, counter)
ACCOUNTS = [
    ("TOTP", "GitHub", "alice@example.com", "JBSWY3DPEHPK3PXP", "SHA1", 6, 30, 0),
    ("TOTP", "Corp", "bob", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "SHA256", 8, 60, 0),
    ("HOTP", "Bank", "carol", "MFRGGZDFMZTWQ2LK", "SHA512", 7, 30, 5),
    ("STEAM", "Steam", "dave", "ONSWG4TFOQYTEMY=", "SHA1", 5, 30, 0),
]


def write(name, data):
    if ONLY and name not in ONLY:
        return
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(os.path.join(HERE, name), mode) as f:
        f.write(data)


def b64(b):
    return base64.b64encode(b).decode()


def pbkdf2(algorithm, salt, rounds):
    return PBKDF2HMAC(algorithm=algorithm, length=32, salt=salt, iterations=rounds).derive(PASSWORD)


# ---- 2FAS ----
def twofas_services():
    out = []
    for i, (kind, issuer, account, secret, algo, digits, period, counter) in enumerate(ACCOUNTS):
        otp = {"label": f"{issuer}:{account}", "account": account, "issuer": issuer,
               "digits": digits, "period": period, "algorithm": algo, "tokenType": kind,
               "source": "Link"}
        if kind == "HOTP":
            otp["counter"] = counter
        out.append({"name": issuer, "secret": secret.rstrip("="), "updatedAt": 1700000000000 + i,
                    "otp": otp, "order": {"position": i},
                    "icon": {"selected": "Label", "label": {"text": issuer[:2].upper(), "backgroundColor": "Orange"}},
                    "badge": {"color": "Default"}})
    return out


def twofas_plain():
    return json.dumps({"services": twofas_services(), "groups": [], "updatedAt": 1700000000000,
                       "schemaVersion": 4, "appVersionCode": 5000012, "appVersionName": "5.0.12",
                       "appOrigin": "android"}, indent=2)


def seal_2fas(key, salt, plain):
    iv = os.urandom(12)
    sealed = AESGCM(key).encrypt(iv, plain, None)
    return f"{b64(sealed)}:{b64(salt)}:{b64(iv)}"


def twofas_encrypted(with_reference=True):
    salt = os.urandom(256)
    key = pbkdf2(hashes.SHA256(), salt, 10000)
    doc = {"services": [], "groups": [], "updatedAt": 1700000000000, "schemaVersion": 4,
           "appVersionCode": 5000012, "appVersionName": "5.0.12", "appOrigin": "android",
           "servicesEncrypted": seal_2fas(key, salt, json.dumps(twofas_services()).encode())}
    if with_reference:
        doc["reference"] = seal_2fas(key, salt, b"tRViSsLKzd86Hprh4ceC2OP7xazn4rrt4xhfEUbOjxLX8Rc3mkISXE0lWbmnWfgg")
    return json.dumps(doc, indent=2)


# ---- andOTP ----
def andotp_entries():
    out = []
    for kind, issuer, account, secret, algo, digits, period, counter in ACCOUNTS:
        e = {"secret": secret, "issuer": issuer, "label": account, "digits": 6 if kind == "STEAM" else digits,
             "type": kind, "algorithm": algo, "thumbnail": "Default", "last_used": 1700000000000,
             "used_frequency": 3, "tags": ["work"] if issuer == "Corp" else []}
        if kind == "HOTP":
            e["counter"] = counter
        else:
            e["period"] = period
        out.append(e)
    return json.dumps(out).encode()


def andotp_new():
    rounds = random.randint(140000, 160000)
    salt, iv = os.urandom(12), os.urandom(12)
    key = pbkdf2(hashes.SHA1(), salt, rounds)
    return rounds.to_bytes(4, "big") + salt + iv + AESGCM(key).encrypt(iv, andotp_entries(), None)


def andotp_old():
    iv = os.urandom(12)
    return iv + AESGCM(hashlib.sha256(PASSWORD).digest()).encrypt(iv, andotp_entries(), None)


# ---- FreeOTP+ ----
def signed(b):
    return [x - 256 if x > 127 else x for x in b]


def freeotp():
    tokens, order = [], []
    for kind, issuer, account, secret, algo, digits, period, counter in ACCOUNTS:
        # FreeOTP+ has no Steam type: a TOTP token with issuer "Steam" shows Steam codes.
        # FreeOTP+ stores the last HOTP counter used, one below the URI's (its own URI export
        # writes counter + 1).
        tokens.append({"algo": algo, "counter": counter - 1 if kind == "HOTP" else counter, "digits": 5 if kind == "STEAM" else digits,
                       "issuerExt": issuer, "issuerInt": issuer, "label": account, "period": period,
                       "secret": signed(base64.b32decode(secret + "=" * (-len(secret) % 8))),
                       "type": "TOTP" if kind == "STEAM" else kind})
        order.append(f"{issuer}:{account}")
    return json.dumps({"tokenOrder": order, "tokens": tokens})


# ---- Bitwarden ----
def bitwarden(encrypted=False):
    if encrypted:
        return json.dumps({"encrypted": True, "passwordProtected": True, "salt": b64(os.urandom(16)),
                           "kdfType": 0, "kdfIterations": 600000,
                           "encKeyValidation_DO_NOT_EDIT": "2." + b64(os.urandom(16)) + "|" + b64(os.urandom(32)),
                           "data": "2." + b64(os.urandom(16)) + "|" + b64(os.urandom(64))}, indent=2)
    totps = [
        "otpauth://totp/GitHub:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=GitHub",
        "otpauth://totp/bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA256&digits=8&period=60",
        "otpauth://hotp/Bank:carol?secret=MFRGGZDFMZTWQ2LK&algorithm=SHA512&digits=7&counter=5",
        "steam://ONSWG4TFOQYTEMY",
    ]
    # Login URIs as Bitwarden writes them: web addresses, and an Android app's link.
    uris = [
        [{"match": None, "uri": "https://github.com/login"},
         {"match": None, "uri": "androidapp://com.github.android"}],
        [],
        [{"match": 3, "uri": "https://www.bank.example/signin"}],
        [],
    ]
    items = []
    for (kind, issuer, account, *_), totp, links in zip(ACCOUNTS, totps, uris):
        items.append({"id": os.urandom(16).hex(), "organizationId": None, "folderId": None, "type": 1,
                      "reprompt": 0, "name": issuer, "notes": None, "favorite": False,
                      "login": {"uris": links, "username": account, "password": "hunter2", "totp": totp},
                      "collectionIds": None})
    items.append({"id": os.urandom(16).hex(), "type": 1, "name": "Forum", "login":
                  {"username": "erin", "password": "pw", "totp": None}})
    items.append({"id": os.urandom(16).hex(), "type": 2, "name": "Wifi", "notes": "x", "secureNote": {"type": 0}})
    return json.dumps({"encrypted": False, "folders": [], "items": items}, indent=2)


if __name__ == "__main__":
    write("2fas-plain.2fas", twofas_plain())
    write("2fas-encrypted.2fas", twofas_encrypted())
    write("2fas-encrypted-noref.2fas", twofas_encrypted(with_reference=False))
    write("andotp-plain.json", andotp_entries())
    write("andotp-encrypted.json.aes", andotp_new())
    write("andotp-encrypted-old.json.aes", andotp_old())
    write("freeotp-plus.json", freeotp())
    write("freeotp-plus-uris.txt",
          "otpauth://totp/GitHub:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=GitHub&algorithm=SHA1&digits=6&period=30\n"
          "otpauth://totp/Corp:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Corp&algorithm=SHA256&digits=8&period=60\n"
          "otpauth://hotp/Bank:carol?secret=MFRGGZDFMZTWQ2LK&issuer=Bank&algorithm=SHA512&digits=7&counter=5\n")
    write("bitwarden.json", bitwarden())
    write("bitwarden-encrypted.json", bitwarden(encrypted=True))
