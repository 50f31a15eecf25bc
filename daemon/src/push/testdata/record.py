#!/usr/bin/env python3
"""Records real privacyIDEA answers for the push protocol unit tests.

Usage: record.py BASE_URL ADMIN_JWT OUT_DIR  (a server set up as in client-cli/tests/it/privacyidea,
with user alice in realm1 and the enrollment policy for poll-only push). Acts as a push device
with a key made here by `cryptography`, enrolls a token, triggers a sign-in with a presence
check, polls, and writes what the server answered.
"""
import base64, datetime, json, sys, urllib.parse, urllib.request
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

base, jwt, out = sys.argv[1:4]

def call(method, path, params, auth=True):
    data = urllib.parse.urlencode(params)
    url = base + path + ("?" + data if method == "GET" else "")
    req = urllib.request.Request(url, data=None if method == "GET" else data.encode(), method=method)
    if auth:
        req.add_header("Authorization", jwt)
    try:
        with urllib.request.urlopen(req) as r:
            return r.read()
    except urllib.error.HTTPError as e:
        return e.read()

def sign(key, text):
    return base64.b32encode(key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()

call("POST", "/policy/auth-record", {"scope": "authentication",
     "action": "push_allow_polling=allow, push_require_presence=1"})
init = json.loads(call("POST", "/token/init", {"type": "push", "genkey": "1", "user": "alice",
                                               "realm": "realm1", "pin": "4321"}))
serial = init["detail"]["serial"]
cred = init["detail"]["enrollment_credential"]
device = rsa.generate_private_key(public_exponent=65537, key_size=2048)
pub = base64.b64encode(device.public_key().public_bytes(
    serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).decode()
enrolled = call("POST", "/ttype/push", {"enrollment_credential": cred, "serial": serial,
                                         "fbtoken": "none", "pubkey": pub}, auth=False)
open(f"{out}/enrollment.json", "wb").write(enrolled)
call("POST", "/validate/check", {"user": "alice", "realm": "realm1", "pass": "4321"}, auth=False)
ts = datetime.datetime.now(datetime.timezone.utc).isoformat()
polled = call("GET", "/ttype/push", {"serial": serial, "timestamp": ts,
                                      "signature": sign(device, f"{serial}|{ts}")}, auth=False)
open(f"{out}/poll.json", "wb").write(polled)
bad = call("GET", "/ttype/push", {"serial": serial, "timestamp": ts,
                                   "signature": sign(device, f"{serial}|x{ts}")}, auth=False)
open(f"{out}/poll-bad-signature.json", "wb").write(bad)
call("DELETE", f"/policy/auth-record", {})
call("DELETE", f"/token/{serial}", {})
print(serial)
