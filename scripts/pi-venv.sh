#!/usr/bin/env bash
# Installs privacyIDEA into a project-local virtualenv for the push-token end-to-end test
# (client-cli/tests/it/push_privacyidea/). Kept between runs; reinstalled if the version differs.
# A failed install fails the script (and so the CI): the test is never skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${LATCHKEY_PI_VENV:-$PWD/target/pi-venv}
version=3.14
if [ -x "$venv/bin/python" ] &&
    "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('privacyIDEA') != '$version')" 2>/dev/null; then
    exit 0
fi
python=/usr/bin/python3
[ -x "$python" ] || python=$(command -v python3)
echo "Installing privacyIDEA $version into $venv (for the push-token test)"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check "privacyidea==$version"
