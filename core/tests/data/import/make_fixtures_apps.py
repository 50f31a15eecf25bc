#!/usr/bin/python3
"""Writes apps/: the import fixtures no app has published as text, independently of Latchkey.

Each file follows its app's own source or published format (cited per function). All hold
accounts from Aegis's test vectors (aegis-repo/plain.txt), so the tests compare every format
with one table. Passwords: "test" unless said otherwise.

Needs Debian's python3-cryptography, python3-argon2 (argon2-cffi), python3-nacl (libsodium),
python3-pykeepass, and the apps' own tools where they exist: keepassxc-cli (KeePassXC writes
the KDBX 3.1 file and checks the KDBX 4 one), oathtool, and zip (Info-ZIP writes the ZipCrypto
archive zip4j reads). Run: /usr/bin/python3
make_fixtures_apps.py [FILE...] (FILE names limit what is rewritten). The outputs are
committed; CI does not run this. Random salts and nonces make each run differ.
"""
import base64, hashlib, json, os, sqlite3, struct, subprocess, sys, tempfile, uuid
from argon2.low_level import Type, hash_secret_raw
from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
import nacl.bindings as sodium

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "apps")
ONLY = set(sys.argv[1:])
PASSWORD = b"test"

# (kind, issuer, account, base32 secret, algorithm, digits, period, counter): Aegis's vectors.
DENO = ("totp", "Deno", "Mason", "4SJHB4GSD43FZBAI7C2HLRJGPQ", "SHA1", 6, 30, 0)
SPDX = ("totp", "SPDX", "James", "5OM4WOOGPLQEF6UGN3CPEOOLWU", "SHA256", 7, 20, 0)
AIRBNB = ("totp", "Airbnb", "Elijah", "7ELGJSGXNCCTV3O6LKJWYFV2RA", "SHA512", 8, 50, 0)
ISSUU = ("hotp", "Issuu", "James", "YOOMIXWS5GN6RTBPUFFWKTW5M4", "SHA1", 6, 30, 1)
AIR_CANADA = ("hotp", "Air Canada", "Benjamin", "KUVJJOM753IHTNDSZVCNKL7GII", "SHA256", 7, 30, 50)
WWE = ("hotp", "WWE", "Mason", "5VAML3X35THCEBVRLV24CGBKOY", "SHA512", 8, 30, 10300)
BOEING = ("steam", "Boeing", "Sophia", "JRZCL47CMXVOQMNPZR2F7J4RGI", "SHA1", 5, 30, 0)
ALL = [DENO, SPDX, AIRBNB, ISSUU, AIR_CANADA, WWE, BOEING]


def raw(secret):
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def target(name):
    return None if ONLY and name not in ONLY else os.path.join(OUT, name)


def write(name, data):
    path = target(name)
    if path:
        with open(path, "wb" if isinstance(data, bytes) else "w") as f:
            f.write(data)


def uri(a):
    kind, issuer, account, secret, algo, digits, period, counter = a
    extra = f"&counter={counter}" if kind == "hotp" else f"&period={period}"
    return (f"otpauth://{kind}/{issuer.replace(' ', '%20')}:{account}?secret={secret}"
            f"&issuer={issuer.replace(' ', '%20')}&algorithm={algo}&digits={digits}{extra}")


def database(name, script, rows_sql, rows, wal=False):
    """A SQLite file as the app's Room/SQLiteOpenHelper would leave it."""
    path = target(name)
    if not path:
        return
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    if wal:
        db.execute("PRAGMA journal_mode=WAL")
    db.executescript(script)
    db.executemany(rows_sql, rows)
    db.commit()
    if wal:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    for suffix in ("-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


def microsoft():
    """Microsoft Authenticator's databases/PhoneFactor (com.azure.authenticator), table accounts
    as the app's Room schema declares it: account_type 0 = third-party TOTP (base32 secret),
    1 = personal Microsoft account (base64 secret, 8-digit codes), 2 = work or school (push)."""
    columns = ("_id INTEGER PRIMARY KEY AUTOINCREMENT, group_key TEXT NOT NULL, name TEXT NOT NULL, "
               "username TEXT NOT NULL, paws_url TEXT NOT NULL, oath_secret_key TEXT NOT NULL, "
               "oath_enabled INTEGER NOT NULL, cid TEXT NOT NULL, cached_pin TEXT NOT NULL, "
               "ngc_ski TEXT NOT NULL, aad_user_id TEXT NOT NULL, aad_tenant_id TEXT NOT NULL, "
               "account_type INTEGER NOT NULL, account_capability INTEGER NOT NULL, "
               "ux_position INTEGER NOT NULL, is_totp_code_shown INTEGER NOT NULL, "
               "encrypted_oath_secret_key TEXT NOT NULL, mfa_pin_encryption_key_alias TEXT NOT NULL, "
               "identity_provider TEXT NOT NULL, aad_ngc_totp_enabled INTEGER NOT NULL, "
               "aad_authority TEXT NOT NULL, restore_capability INTEGER NOT NULL, "
               "update_flags INTEGER NOT NULL, has_password INTEGER NOT NULL, "
               "aad_security_defaults_policy_enabled INTEGER NOT NULL")
    script = ("CREATE TABLE android_metadata (locale TEXT);\n"
              "INSERT INTO android_metadata VALUES ('en_US');\n"
              f"CREATE TABLE `accounts` ({columns});\n"
              "CREATE TABLE room_master_table (id INTEGER PRIMARY KEY,identity_hash TEXT);\n")
    msa = base64.b64encode(b"personal account secret 1234").decode()
    rows = []
    for i, (issuer, user, secret, kind) in enumerate([
        ("Deno", "Mason", DENO[3], 0),
        ("Boeing", "Sophia", BOEING[3], 0),
        ("Microsoft", "mason@outlook.example", msa, 1),
        ("Contoso", "mason@contoso.example", "", 2),
        ("Microsoft", "push-only@outlook.example", "", 1),
    ]):
        rows.append((issuer, user, secret, kind, i + 1))
    database("microsoft-authenticator.db", script,
             "INSERT INTO accounts (group_key, name, username, paws_url, oath_secret_key, "
             "oath_enabled, cid, cached_pin, ngc_ski, aad_user_id, aad_tenant_id, account_type, "
             "account_capability, ux_position, is_totp_code_shown, encrypted_oath_secret_key, "
             "mfa_pin_encryption_key_alias, identity_provider, aad_ngc_totp_enabled, aad_authority, "
             "restore_capability, update_flags, has_password, aad_security_defaults_policy_enabled) "
             "VALUES ('', ?, ?, '', ?, 1, '', '', '', '', '', ?, 1, ?, 1, '', '', '', 0, '', 0, 0, 0, 0)",
             rows)


def google():
    """Google Authenticator's databases/databases: accounts(email = the label, issuer, base32
    secret, type 0 TOTP / 1 HOTP, counter); SHA-1, 6 digits, 30 s only."""
    script = ("CREATE TABLE android_metadata (locale TEXT);\n"
              "CREATE TABLE accounts (_id INTEGER PRIMARY KEY, email TEXT NOT NULL, secret TEXT "
              "NOT NULL, counter INTEGER DEFAULT 0, type INTEGER, provider INTEGER DEFAULT 0, "
              "issuer TEXT DEFAULT NULL, original_name TEXT DEFAULT NULL);\n")
    rows = [
        ("Deno:Mason", DENO[3], 0, 0, "Deno", "Deno:Mason"),
        ("Issuu:James", ISSUU[3], 1, 1, "Issuu", "Issuu:James"),
        ("WWE:Mason", WWE[3].lower(), 10300, 1, "WWE", "WWE:Mason"),
        # Older versions kept no issuer: the label alone.
        ("mason@example.com", AIRBNB[3], 0, 0, None, None),
    ]
    database("google-authenticator.db", script,
             "INSERT INTO accounts (email, secret, counter, type, issuer, original_name) "
             "VALUES (?, ?, ?, ?, ?, ?)", rows)


def stratum_json():
    kinds = {"hotp": 1, "totp": 2, "steam": 4}
    algos = {"SHA1": 0, "SHA256": 1, "SHA512": 2}
    return json.dumps({"Authenticators": [
        {"Type": kinds[k], "Icon": None, "Issuer": i, "Username": a, "Secret": s, "Pin": None,
         "Algorithm": algos[al], "Digits": d, "Period": p, "Counter": c, "Ranking": n, "CopyCount": 0}
        for n, (k, i, a, s, al, d, p, c) in enumerate(ALL)],
        "Categories": [{"Id": "a1b2c3d4", "Name": "Work", "Ranking": 0}],
        "AuthenticatorCategories": [], "CustomIcons": []}).encode()


def stratum():
    """Stratum (com.stratumauth.app): databases/authenticator.db3 in WAL mode, and the backup
    file encrypted (header AUTHENTICATORPRO, salt 16, IV 12, AES-256-GCM under Argon2id t=3,
    m=64 MiB, p=4) and legacy-encrypted (AuthenticatorPro, salt 20, IV 16, AES-256-CBC under
    PBKDF2-HMAC-SHA1 64,000 rounds), as Stratum's BackupEncryption classes write them."""
    kinds = {"hotp": 1, "totp": 2, "steam": 4}
    algos = {"SHA1": 0, "SHA256": 1, "SHA512": 2}
    script = ('CREATE TABLE IF NOT EXISTS "authenticator" ("type" integer, "icon" varchar, '
              '"issuer" varchar(32), "username" varchar(40), "secret" varchar primary key not null, '
              '"pin" varchar, "algorithm" integer, "digits" integer, "period" integer, '
              '"counter" integer, "ranking" integer, "copyCount" integer);\n'
              'CREATE TABLE IF NOT EXISTS "category" ("id" varchar(8) primary key not null, '
              '"name" varchar(32), "ranking" integer);\n')
    rows = [(kinds[k], None, i, a, s, None, algos[al], d, p, c, n)
            for n, (k, i, a, s, al, d, p, c) in enumerate(ALL)]
    database("stratum-internal.db3", script,
             "INSERT INTO authenticator (type, icon, issuer, username, secret, pin, algorithm, "
             "digits, period, counter, ranking) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows, wal=True)
    plain = stratum_json()
    salt, iv = os.urandom(16), os.urandom(12)
    key = hash_secret_raw(PASSWORD, salt, time_cost=3, memory_cost=65536, parallelism=4,
                          hash_len=32, type=Type.ID)
    write("stratum-encrypted.bin", b"AUTHENTICATORPRO" + salt + iv + AESGCM(key).encrypt(iv, plain, None))
    salt, iv = os.urandom(20), os.urandom(16)
    key = PBKDF2HMAC(hashes.SHA1(), 32, salt, 64000).derive(PASSWORD)
    padder = padding.PKCS7(128).padder()
    body = padder.update(plain) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    write("stratum-encrypted-legacy.bin", b"AuthenticatorPro" + salt + iv + enc.update(body) + enc.finalize())


def totp_authenticator():
    """TOTP Authenticator's backup with no password set: base64 of AES-256-CBC (zero IV) under
    SHA-256 of the app's default password "TotpAuthenticator"; the JSON object's key is the
    account list as text, its value the backup's time."""
    accounts = [{"base": 32, "digits": str(d), "issuer": i, "key": s, "name": a.lower(),
                 "period": str(p), "isFavorite": False, "source": 0}
                for (k, i, a, s, al, d, p, c) in (DENO, SPDX)]
    plain = json.dumps({json.dumps(accounts): "1700000000"}).encode()
    padder = padding.PKCS7(128).padder()
    body = padder.update(plain) + padder.finalize()
    key = hashlib.sha256(b"TotpAuthenticator").digest()
    enc = Cipher(algorithms.AES(key), modes.CBC(bytes(16))).encryptor()
    write("totp-authenticator-default.bin", base64.b64encode(enc.update(body) + enc.finalize()))


def java_hash_map(entries):
    """java.io.ObjectOutputStream's bytes for a HashMap<String, String> (the Java Object
    Serialization Specification, chapter 6), as FreeOTP 2 writes its backup."""
    def utf(s):
        b = s.encode("utf-8")
        return struct.pack(">H", len(b)) + b
    out = b"\xac\xed\x00\x05" + b"\x73" + b"\x72" + utf("java.util.HashMap")
    out += struct.pack(">q", 362498820763181265) + b"\x03" + struct.pack(">H", 2)
    out += b"F" + utf("loadFactor") + b"I" + utf("threshold")
    out += b"\x78\x70" + struct.pack(">fi", 0.75, 12)
    out += b"\x77\x08" + struct.pack(">ii", 16, len(entries))
    for k, v in entries:
        out += b"\x74" + utf(k) + b"\x74" + utf(v)
    return out + b"\x78"


def gcm_parameters(nonce):
    """DER GCMParameters (RFC 5084) as Java's AlgorithmParameters encodes them: nonce, 16."""
    body = b"\x04" + bytes([len(nonce)]) + nonce + b"\x02\x01\x10"
    return b"\x30" + bytes([len(body)]) + body


def signed(b):
    return [x - 256 if x > 127 else x for x in b]


def sealed(key, secret, token):
    """FreeOTP's EncryptedKey: AES-256-GCM of a key's bytes, its algorithm name as AAD."""
    nonce = os.urandom(12)
    data = AESGCM(key).encrypt(nonce, secret, token.encode())
    return {"mCipher": "AES/GCM/NoPadding", "mCipherText": signed(data),
            "mParameters": signed(gcm_parameters(nonce)), "mToken": token}


def freeotp():
    """FreeOTP 2's backup (BackupsFragment, MasterKey, EncryptedKey in freeotp-android): the
    preferences map serialized; masterKey = PBKDF2withHmacSHA512(password, salt, 100,000)
    sealing a random AES key; each token's secret sealed under that key."""
    salt = os.urandom(32)
    pass_key = PBKDF2HMAC(hashes.SHA512(), 32, salt, 100000).derive(PASSWORD)
    master = os.urandom(32)
    entries = [("masterKey", json.dumps({
        "mAlgorithm": "PBKDF2withHmacSHA512", "mEncryptedKey": sealed(pass_key, master, "AES"),
        "mIterations": 100000, "mSalt": signed(salt)}))]
    for (k, i, a, s, al, d, p, c) in (DENO, SPDX, WWE):
        token = str(uuid.uuid4())
        entries.append((token, json.dumps({"key": json.dumps(sealed(master, raw(s), "Hmac" + al))})))
        fields = {"algo": al, "digits": d, "issuerExt": i, "issuerInt": i, "label": a,
                  "period": p, "type": k.upper()}
        if k == "hotp":
            fields["counter"] = c  # FreeOTP 2 keeps the next counter, as its URIs do.
        entries.append((token + "-token", json.dumps(fields)))
    write("freeotp-backup.xml", java_hash_map(entries))


def authenticator_plus():
    """Authenticator Plus's export: a password-protected ZIP holding Accounts.txt (one
    otpauth:// URI per line), written here by Info-ZIP's zip with traditional encryption."""
    path = target("authenticator-plus.zip")
    if not path:
        return
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "Accounts.txt"), "w") as f:
            f.write("".join(uri(a) + "\n" for a in (DENO, SPDX, ISSUU)))
        if os.path.exists(path):
            os.remove(path)
        subprocess.run(["zip", "-q", "-j", "-P", "testtesttest", path,
                        os.path.join(tmp, "Accounts.txt")], check=True)


def ente():
    """Ente Auth's encrypted export (lib/ui/settings/data/export_widget.dart): libsodium
    crypto_pwhash Argon2id13 of the password (memLimit, opsLimit in the file; small here so
    tests stay quick), then one crypto_secretstream_xchacha20poly1305 message, tag FINAL."""
    text = "".join(uri(a) + "&codeDisplay=%7B%22pinned%22%3Afalse%7D\n" for a in ALL).encode()
    salt = os.urandom(16)
    mem, ops = 16 * 1024 * 1024, 2
    key = sodium.crypto_pwhash_alg(32, PASSWORD, salt, ops, mem, sodium.crypto_pwhash_ALG_ARGON2ID13)
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    header = sodium.crypto_secretstream_xchacha20poly1305_init_push(state, key)
    data = sodium.crypto_secretstream_xchacha20poly1305_push(
        state, text, None, sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL)
    write("ente-encrypted.json", json.dumps({
        "version": 1, "encryptedData": base64.b64encode(data).decode(),
        "encryptionNonce": base64.b64encode(header).decode(),
        "kdfParams": {"memLimit": mem, "opsLimit": ops, "salt": base64.b64encode(salt).decode()}}))


def keepass():
    """A KeePassXC database: a KeePass 2 XML file imported by keepassxc-cli, which writes KDBX
    3.1 with AES-KDF. Entries carry KeePassXC's otp attribute, its older TOTP Seed / TOTP
    Settings pair (Steam: S), a password only, and one in the recycle bin."""
    path = target("keepassxc-kdbx3.kdbx")
    if not path:
        return
    def b64uuid():
        return base64.b64encode(uuid.uuid4().bytes).decode()
    def entry(title, user, strings):
        fields = [("Title", title), ("UserName", user), ("Password", "hunter2")] + strings
        body = "".join(f"<String><Key>{k}</Key><Value>{v.replace('&', '&amp;')}</Value></String>"
                       for k, v in fields)
        return f"<Entry><UUID>{b64uuid()}</UUID>{body}</Entry>"
    bin_uuid = b64uuid()
    entries = "".join([
        entry("Deno", "Mason", [("otp", uri(DENO)), ("URL", "https://dash.deno.com/login")]),
        entry("SPDX", "James", [("otp", uri(SPDX))]),
        entry("Forum", "erin", []),
        entry("Old Bank", "carol", [("TOTP Seed", AIRBNB[3]), ("TOTP Settings", "30;8")]),
        entry("Steam", "Sophia", [("TOTP Seed", BOEING[3]), ("TOTP Settings", "30;S")]),
    ])
    trashed = entry("Deleted", "gone", [("otp", uri(WWE))])
    xml = (f"<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?><KeePassFile><Meta>"
           f"<Generator>make_fixtures_apps.py</Generator><RecycleBinEnabled>True</RecycleBinEnabled>"
           f"<RecycleBinUUID>{bin_uuid}</RecycleBinUUID></Meta><Root><Group><UUID>{b64uuid()}</UUID>"
           f"<Name>Root</Name>{entries}<Group><UUID>{b64uuid()}</UUID><Name>Work</Name>"
           f"{entry('WWE', 'Mason', [('otp', uri(WWE))])}</Group>"
           f"<Group><UUID>{bin_uuid}</UUID><Name>Recycle Bin</Name>{trashed}</Group>"
           f"</Group></Root></KeePassFile>")
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "in.xml")
        with open(source, "w") as f:
            f.write(xml)
        if os.path.exists(path):
            os.remove(path)
        subprocess.run(["keepassxc-cli", "import", "-q", "-p", "-t", "100", source, path],
                       input=b"test\ntest\n", check=True)


def keepass4():
    """A KDBX 4 database (Argon2d, as KeePassXC writes by default) made with pykeepass, an
    independent KeePass library; KeePassXC then computes an entry's code from it, which must
    equal oathtool's, so the file is one KeePassXC reads."""
    path = target("keepass-kdbx4.kdbx")
    if not path:
        return
    import pykeepass
    if os.path.exists(path):
        os.remove(path)
    kp = pykeepass.create_database(path, password="test")
    assert kp.version == (4, 0) and kp.kdf_algorithm == "argon2"
    for title, user, a in (("Deno", "Mason", DENO), ("SPDX", "James", SPDX)):
        kp.add_entry(kp.root_group, title, user, "hunter2").otp = uri(a)
    kp.add_entry(kp.root_group, "Forum", "erin", "hunter2")
    old = kp.add_entry(kp.root_group, "Old Bank", "carol", "hunter2")
    old.set_custom_property("TOTP Seed", AIRBNB[3])
    old.set_custom_property("TOTP Settings", "30;8")
    work = kp.add_group(kp.root_group, "Work")
    kp.add_entry(work, "WWE", "Mason", "hunter2").otp = uri(WWE)
    kp.trash_entry(kp.add_entry(kp.root_group, "Deleted", "gone", "hunter2"))
    # pykeepass appends fields after an entry's other elements; KeePass and KeePassXC write
    # them together, so they are put back together where the first one stands.
    for entry in kp.tree.iter("Entry"):
        strings = entry.findall("String")
        at = list(entry).index(strings[0])
        for s in strings:
            entry.remove(s)
        for i, s in enumerate(strings):
            entry.insert(at + i, s)
    kp.save()
    shown = subprocess.run(["keepassxc-cli", "show", "-q", "-t", path, "Deno"], input=b"test\n",
                           capture_output=True, check=True).stdout.decode().split()
    reference = subprocess.run(["oathtool", "--totp", "-b", DENO[3]], capture_output=True,
                               check=True).stdout.decode().split()
    assert shown == reference, (shown, reference)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    microsoft()
    google()
    stratum()
    totp_authenticator()
    freeotp()
    authenticator_plus()
    ente()
    keepass()
    keepass4()
