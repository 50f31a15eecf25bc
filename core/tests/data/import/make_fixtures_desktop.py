#!/usr/bin/python3
"""Writes desktop/: what the Linux desktop authenticators write, independently of Latchkey.

Neither app can be driven without its window here (Debian's OTPClient 3 has no command-line
export; GNOME Authenticator exports from its window only), so each file follows the app's
own export code, cited per function. Both write other apps' formats: GNOME Authenticator
Aegis JSON (plain or encrypted), andOTP JSON and a FreeOTP+-style URI list; OTPClient Aegis
JSON (plain or encrypted). What matters are their quirks, reproduced here: no uuid or note,
null issuers, both period and counter, the label without its issuer, OTPClient's master key
being the scrypt-derived key itself.

Run: /usr/bin/python3 make_fixtures_desktop.py (Debian's python3-cryptography). Password:
"test". The outputs are committed; CI does not run this.
"""
import base64, json, os, uuid
from urllib.parse import quote
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "desktop")
PASSWORD = b"test"

# (kind, issuer, account, base32 secret, algorithm, digits, period, counter): Aegis's vectors.
ACCOUNTS = [
    ("totp", "Deno", "Mason", "4SJHB4GSD43FZBAI7C2HLRJGPQ", "SHA1", 6, 30, 0),
    ("totp", "SPDX", "James", "5OM4WOOGPLQEF6UGN3CPEOOLWU", "SHA256", 7, 20, 0),
    ("hotp", "Air Canada", "Benjamin", "KUVJJOM753IHTNDSZVCNKL7GII", "SHA256", 7, 30, 50),
    ("steam", "Boeing", "Sophia", "JRZCL47CMXVOQMNPZR2F7J4RGI", "SHA1", 5, 30, 0),
]


def write(name, text):
    with open(os.path.join(OUT, name), "w") as f:
        f.write(text)


def seal(key, data):
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, data, None)
    return nonce, sealed[:-16], sealed[-16:]


def encrypt_aegis(db, master=None):
    """Aegis's vault format with one password slot, scrypt n=2^15 r=8 p=1. OTPClient uses the
    derived key itself as the master key (aegis.c export_aegis); GNOME Authenticator a random
    one (backup/aegis.rs Aegis::encrypt)."""
    salt = os.urandom(32)
    derived = Scrypt(salt=salt, length=32, n=1 << 15, r=8, p=1).derive(PASSWORD)
    master = derived if master == "derived" else os.urandom(32)
    key_nonce, key, key_tag = seal(derived, master)
    db_nonce, body, db_tag = seal(master, json.dumps(db).encode())
    slot = {"type": 1, "uuid": str(uuid.uuid4()), "key": key.hex(),
            "key_params": {"nonce": key_nonce.hex(), "tag": key_tag.hex()},
            "n": 1 << 15, "r": 8, "p": 1, "salt": salt.hex()}
    return {"version": 1, "header": {"slots": [slot], "params": {"nonce": db_nonce.hex(), "tag": db_tag.hex()}},
            "db": base64.b64encode(body).decode()}


def gnome_aegis_db():
    """backup/aegis.rs Item::new: no uuid or note; group and icon null; period and counter
    written for every entry (its TODOs); issuer always set; database version 2."""
    entries = [{"type": k, "name": a, "issuer": i, "group": None, "icon": None,
                "info": {"secret": s, "algo": al, "digits": d, "period": p, "counter": c}}
               for (k, i, a, s, al, d, p, c) in ACCOUNTS]
    return {"version": 2, "entries": entries}


def gnome():
    db = gnome_aegis_db()
    write("gnome-authenticator-aegis.json", json.dumps(
        {"version": 1, "header": {"slots": None, "params": None}, "db": db}, indent=2))
    write("gnome-authenticator-aegis-encrypted.json", json.dumps(encrypt_aegis(db), indent=2))
    # backup/andotp.rs: every field written, counter and period for all, a "type" per account.
    andotp = [{"secret": s, "issuer": i, "label": a, "digits": d, "type": k.upper(),
               "algorithm": al, "thumbnail": "", "last_used": 0, "used_frequency": 0,
               "counter": c, "tags": [], "period": p}
              for (k, i, a, s, al, d, p, c) in ACCOUNTS if k != "steam"]
    write("gnome-authenticator-andotp.json", json.dumps(andotp, indent=4))
    # backup/freeotp.rs with models/otp_uri.rs: the label is the account alone, percent-encoded
    # (NON_ALPHANUMERIC); the issuer is a parameter; lines joined without a final newline.
    lines = []
    for (k, i, a, s, al, d, p, c) in ACCOUNTS:
        if k == "steam":
            continue
        extra = f"&counter={c}" if k == "hotp" else f"&period={p}"
        lines.append(f"otpauth://{k}/{quote(a, safe='')}?secret={s}&issuer={quote(i, safe='')}"
                     f"&algorithm={al}&digits={d}{extra}")
    write("gnome-authenticator-uris.txt", "\n".join(lines))


def otpclient():
    """aegis.c export_aegis: entries without uuid or note; issuer null when empty; group null;
    period for TOTP, counter otherwise; a Steam issuer makes type steam; compact JSON."""
    accounts = ACCOUNTS + [("totp", "", "nobody@example.com", "7ELGJSGXNCCTV3O6LKJWYFV2RA",
                            "SHA512", 8, 50, 0)]
    entries = []
    for (k, i, a, s, al, d, p, c) in accounts:
        info = {"secret": s, "digits": d, "algo": al}
        if k == "hotp":
            info["counter"] = c
        else:
            info["period"] = p
        entries.append({"type": k, "name": a, "issuer": i or None, "icon": None, "group": None,
                        "info": info})
    db = {"version": 2, "entries": entries}
    write("otpclient-aegis.json", json.dumps(
        {"version": 1, "header": {"slots": None, "params": None}, "db": db}, separators=(",", ":")))
    write("otpclient-aegis-encrypted.json",
          json.dumps(encrypt_aegis(db, master="derived"), separators=(",", ":")))


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    gnome()
    otpclient()
