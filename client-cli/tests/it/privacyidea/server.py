#!/usr/bin/env python3
"""Sets up a throw-away privacyIDEA (SQLite, keys, an admin) in DIR and runs it on 127.0.0.1:PORT.

Usage: server.py VENV DIR PORT
The last step replaces this process with the server, so the caller stops it by this PID.
"""
import os
import secrets
import subprocess
import sys

venv, root, port = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
manage = os.path.join(venv, "bin", "pi-manage")
cfg = os.path.join(root, "pi.cfg")
with open(cfg, "w") as f:
    f.write(f"""
SQLALCHEMY_DATABASE_URI = 'sqlite:///{root}/pi.sqlite'
SECRET_KEY = '{secrets.token_hex(16)}'
PI_PEPPER = '{secrets.token_hex(16)}'
PI_ENCFILE = '{root}/enckey'
PI_AUDIT_KEY_PRIVATE = '{root}/audit-private.pem'
PI_AUDIT_KEY_PUBLIC = '{root}/audit-public.pem'
PI_LOGFILE = '{root}/privacyidea.log'
PI_LOGLEVEL = 20
""")
env = dict(os.environ, PRIVACYIDEA_CONFIGFILE=cfg)
for step in (["setup", "create_enckey"], ["setup", "create_audit_keys"],
             ["setup", "create_tables"], ["admin", "add", "admin", "-p", "test"]):
    subprocess.run([manage, *step], env=env, check=True, cwd=root,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
with open(os.path.join(root, "users"), "w") as f:
    f.write("alice:x:1000:1000:Alice Example,,,:/home/alice:/bin/sh\n")
sys.stdout.write("ready-to-serve\n")
sys.stdout.flush()
os.chdir(root)
os.execve(manage, [manage, "run", "--host", "127.0.0.1", "--port", port], env)
