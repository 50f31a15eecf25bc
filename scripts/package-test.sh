#!/usr/bin/env bash
# The Debian package as a user gets it: built and checked with lintian (scripts/package.sh),
# installed with apt-get, and its INSTALLED binaries driven on a private session bus on Xvfb:
# D-Bus activation starts /usr/libexec/latchkey/latchkeyd; the CLI creates a vault and gets a
# code without being asked about (it is Latchkey's own client, in /usr/bin); a copy of the CLI
# elsewhere is a foreign app whose request waits for consent; the launcher (the desktop file,
# D-Bus activated) shows the app's window; the desktop's search (GNOME Shell and KRunner, answered
# by that /usr/bin/latchkey-gtk) names the account, shows no code,
# and copies the code, read back with xclip; a real Chromium fills a code through the system-wide
# host manifest and the installed host. Reinstalling (as an upgrade does) and removing the
# package leave the vault as it was. The machine is left as it was found.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

SECRET=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP
PASSPHRASE="package test passphrase"
DAEMON=/usr/libexec/latchkey/latchkeyd

fail() {
    echo "package-test: $*" >&2
    exit 1
}

# The owner of a bus name: its PID and executable.
owner_pid() {
    dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.GetConnectionUnixProcessID "string:$1" | awk '{print $2}'
}

# TOTP codes oathtool computes for the previous, current and next periods.
reference_codes() {
    local now
    now=$(date +%s)
    for t in $((now - 30)) "$now" $((now + 30)); do
        oathtool --totp -b --now "@$t" "$SECRET"
    done
}

# The clipboard as an independent client (xclip) reads it, polled until it equals one of $@.
await_clipboard() {
    local got=""
    for _ in $(seq 50); do
        got=$(xclip -o -selection clipboard 2>/dev/null || true)
        for want in "$@"; do [ "$got" = "$want" ] && return 0; done
        sleep 0.1
    done
    fail "the clipboard holds \"$got\", not one of: $*"
}

# Inside the private bus and X server: the installed binaries, as a user runs them.
session() {
    local cli=/usr/bin/latchkey
    local pids=()
    trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

    # The first call activates the daemon: the installed one, from the installed activation file.
    printf '%s\n' "$PASSPHRASE" | "$cli" init --passphrase-stdin
    local daemon_pid
    daemon_pid=$(owner_pid org.latchkey.Latchkey1)
    pids+=("$daemon_pid")
    [ "$(readlink "/proc/$daemon_pid/exe")" = "$DAEMON" ] ||
        fail "org.latchkey.Latchkey1 is served by $(readlink "/proc/$daemon_pid/exe"), not $DAEMON"
    echo "package-test: D-Bus activation started $DAEMON (pid $daemon_pid)"

    local id
    id=$("$cli" add --json "otpauth://totp/GitHub:alice?secret=$SECRET&issuer=GitHub" |
        /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
    # Latchkey's own client: no consent asked (a request would leave it waiting).
    local code
    code=$(timeout 20 "$cli" code -q "$id") || fail "latchkey code failed or waited"
    local codes
    codes=$(reference_codes)
    grep -qx "$code" <<<"$codes" || fail "latchkey code printed $code; oathtool: $(reference_codes | tr '\n' ' ')"
    echo "package-test: /usr/bin/latchkey code: $code, as oathtool computes"

    # A copy of the CLI elsewhere is another app: its request waits for the user's consent.
    local copy="$WORK/elsewhere/latchkey"
    mkdir -p "$(dirname "$copy")"
    cp "$cli" "$copy"
    "$copy" code -q "$id" >"$WORK/copy.out" 2>"$WORK/copy.err" &
    local copy_pid=$!
    pids+=("$copy_pid")
    local request=""
    for _ in $(seq 100); do
        request=$("$cli" approvals --json | COPY="$copy" /usr/bin/python3 -c '
import json, os, sys
for r in json.load(sys.stdin):
    if r["kind"] == "consent" and r["caller_exe"] == os.environ["COPY"]:
        print(r["id"])')
        [ -n "$request" ] && break
        sleep 0.1
    done
    [ -n "$request" ] || fail "the copy of the CLI got no consent request (answered: $(cat "$WORK/copy.out"))"
    "$cli" deny "$request"
    local copy_status=0
    wait "$copy_pid" || copy_status=$?
    [ "$copy_status" -ne 0 ] || fail "the copy of the CLI got a code: $(cat "$WORK/copy.out")"
    [ ! -s "$WORK/copy.out" ] || fail "the refused copy printed: $(cat "$WORK/copy.out")"
    grep -q "did not allow" "$WORK/copy.err" || fail "the copy's error: $(cat "$WORK/copy.err")"
    echo "package-test: a copy of the CLI at $copy asked for consent and was refused"

    # Browser fill through the package's system-wide manifest: a fresh Chromium profile has no
    # manifest of its own, so /etc/chromium/native-messaging-hosts starts the installed host,
    # which the installed daemon accepts as Latchkey's (denied, approved, the toolbar popup, the
    # shortcut, other origin, frame, locked: browser_fill.py checks each).
    "$cli" sites "$id" --add 127.0.0.1 >/dev/null
    mkdir -m 700 "$WORK/chromium"
    LATCHKEY_PASSPHRASE="$PASSPHRASE" /usr/bin/python3 client-cli/tests/it/browser_fill.py \
        "$cli" "$PWD/browser/extension" "$WORK/chromium" "$SECRET" "$id" >"$WORK/fill.out" 2>&1 ||
        fail "browser fill through the system-wide manifest: $(cat "$WORK/fill.out")"
    for step in denied approved popup shortcut other-origin frame locked; do
        grep -qx "ok $step" "$WORK/fill.out" || fail "browser fill: no step $step: $(cat "$WORK/fill.out")"
    done
    [ ! -e "$WORK/chromium/NativeMessagingHosts/org.latchkey.browser.json" ] || fail "the profile has a manifest of its own"
    echo "package-test: Chromium filled the code through /etc/chromium/native-messaging-hosts and the installed host"
    # And Firefox: this session's home has no ~/.mozilla, so /usr/lib/mozilla/native-messaging-hosts
    # starts the installed host.
    [ ! -e "$HOME/.mozilla/native-messaging-hosts/org.latchkey.browser.json" ] || fail "the home has a Firefox manifest of its own"
    mkdir -m 700 "$WORK/firefox"
    LATCHKEY_TEST_BROWSER=firefox LATCHKEY_PASSPHRASE="$PASSPHRASE" /usr/bin/python3 \
        client-cli/tests/it/browser_fill.py "$cli" "$PWD/browser/extension" "$WORK/firefox" \
        "$SECRET" "$id" >"$WORK/fill-firefox.out" 2>&1 ||
        fail "Firefox fill through the system-wide manifest: $(cat "$WORK/fill-firefox.out")"
    for step in denied approved context-menu popup shortcut other-origin frame locked; do
        grep -qx "ok $step" "$WORK/fill-firefox.out" || fail "Firefox fill: no step $step: $(cat "$WORK/fill-firefox.out")"
    done
    echo "package-test: Firefox filled the code through /usr/lib/mozilla/native-messaging-hosts and the installed host"

    # The launcher, as a desktop starts it: the installed desktop file is DBusActivatable, so
    # GIO has the bus start org.latchkey.Latchkey from its installed activation file and asks
    # it to activate; the app then shows its window (mapped, with the app id as its X11 class).
    gio launch /usr/share/applications/org.latchkey.Latchkey.desktop
    local window=""
    for _ in $(seq 100); do
        window=$(xdotool search --onlyvisible --class '^org\.latchkey\.Latchkey$' 2>/dev/null | head -1 || true)
        [ -n "$window" ] && break
        sleep 0.1
    done
    [ -n "$window" ] || fail "launching the desktop file showed no Latchkey window"
    local app_pid
    app_pid=$(owner_pid org.latchkey.Latchkey)
    pids+=("$app_pid")
    [ "$(readlink "/proc/$app_pid/exe")" = /usr/bin/latchkey-gtk ] ||
        fail "the launcher started $(readlink "/proc/$app_pid/exe"), not /usr/bin/latchkey-gtk"
    echo "package-test: the launcher (gio launch of the desktop file) activated /usr/bin/latchkey-gtk and it showed its window"

    # The desktop's search, answered by the app that its activation file starts.
    /usr/bin/python3 client-gtk/tests/a11y/notifications.py "$WORK/notifications.jsonl" >/dev/null &
    pids+=("$!")
    for _ in $(seq 100); do
        owner_pid org.freedesktop.Notifications >/dev/null 2>&1 && break
        sleep 0.1
    done
    local expected
    expected=$(reference_codes | tr '\n' ' ')
    /usr/bin/python3 client-gtk/tests/a11y/search.py shell git >"$WORK/shell.jsonl"
    [ "$(owner_pid org.latchkey.Latchkey)" = "$app_pid" ] ||
        fail "the search was answered by another process than the launched app"
    ID="$id" CODES="$expected" /usr/bin/python3 - "$WORK/shell.jsonl" <<'PY'
import json, os, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
text = open(sys.argv[1]).read()
assert lines[0]["ids"] == [os.environ["ID"]], lines
meta = lines[0]["metas"][0]
assert meta["name"] == "GitHub" and meta["description"] == "alice", meta
assert "clipboardText" not in meta, meta
for code in os.environ["CODES"].split():
    assert code not in text, "a code in the search's answer: " + text
assert lines[1]["activated"] == os.environ["ID"], lines
PY
    # shellcheck disable=SC2086
    await_clipboard $expected
    echo "package-test: GNOME Shell search: GitHub (alice) with no code; ActivateResult copied the code"

    printf 'cleared' | xclip -selection clipboard
    /usr/bin/python3 client-gtk/tests/a11y/search.py krunner alice >"$WORK/krunner.jsonl"
    ID="$id" CODES="$expected" /usr/bin/python3 - "$WORK/krunner.jsonl" <<'PY'
import json, os, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
text = open(sys.argv[1]).read()
m = lines[0]["matches"][0]
assert m[0] == os.environ["ID"] and m[1] == "GitHub" and m[5]["subtext"] == "alice", lines
for code in os.environ["CODES"].split():
    assert code not in text, "a code in KRunner's answer: " + text
assert lines[1]["ran"] == os.environ["ID"], lines
PY
    # shellcheck disable=SC2086
    await_clipboard $expected
    echo "package-test: KRunner: Match named GitHub (alice) with no code; Run copied the code"
    grep -q "GitHub (alice)" "$WORK/notifications.jsonl" || fail "no notification named the account"

    # The daemon and the app were started by activation: stopped here by their PIDs.
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "$daemon_pid" "$app_pid"; do
        for _ in $(seq 50); do [ -e "/proc/$p" ] || break; sleep 0.1; done
    done
    pids=()
}

if [ "${1:-}" = --session ]; then
    session
    exit 0
fi

apt_install "${RUN_PACKAGES[@]}" "${PACKAGE_PACKAGES[@]}" xvfb xauth xclip xdotool libglib2.0-bin chromium chromium-driver python3-selenium firefox-esr
require_cargo
install_geckodriver
if dpkg-query -W -f='${Status}' latchkey 2>/dev/null | grep -q "install ok installed"; then
    fail "a latchkey package is installed already; this test installs and removes its own"
fi
scripts/package.sh
deb=$(ls target/debian/latchkey_*.deb)

WORK=$(mktemp -d)
export WORK
installed=0
cleanup() {
    [ "$installed" -eq 1 ] && DEBIAN_FRONTEND=noninteractive as_root apt-get purge -y -qq latchkey >/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

start=$SECONDS
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "./$deb" >/dev/null
installed=1
echo "package-test: installed $deb ($((SECONDS - start)) s)"
[ -e /etc/systemd/user/default.target.wants/latchkeyd.service ] ||
    fail "the user unit is not enabled for login (no /etc/systemd/user/default.target.wants/latchkeyd.service)"
# The browsers' system-wide host manifests: the installed host, Latchkey's extension only.
/usr/bin/python3 - <<'PY'
import json, os
host = "/usr/libexec/latchkey/latchkey-browser-host"
for path, key, allowed in (
    ("/etc/chromium/native-messaging-hosts/org.latchkey.browser.json", "allowed_origins",
     ["chrome-extension://indcnkplngbcnodobnmlhecmkpfkeffp/"]),
    ("/usr/lib/mozilla/native-messaging-hosts/org.latchkey.browser.json", "allowed_extensions",
     ["browser@latchkey.codeberg.page"]),
):
    m = json.load(open(path))
    assert m["path"] == host and m["type"] == "stdio" and m[key] == allowed, (path, m)
    assert oct(os.stat(path).st_mode & 0o777) == "0o644", path
assert os.access(host, os.X_OK), host
PY
status=$(/usr/bin/latchkey browser status --json)
STATUS="$status" /usr/bin/python3 -c '
import json, os
rows = {r["browser"]: r for r in json.loads(os.environ["STATUS"])}
for b in ("Firefox", "Chromium"):
    assert rows[b]["system_installed"] and rows[b]["system_host_runs"], rows[b]
assert not rows["Google Chrome"]["system_installed"], rows
' || fail "latchkey browser status does not see the system-wide manifests: $status"
echo "package-test: system-wide host manifests for Chromium and Firefox name the installed host"
desktop-file-validate /usr/share/applications/org.latchkey.Latchkey.desktop
appstreamcli validate --no-net --explain /usr/share/metainfo/org.latchkey.Latchkey.metainfo.xml

# A user of their own: home, XDG directories, runtime directory, no bus of the caller's.
mkdir -m 700 "$WORK/home" "$WORK/run"
vault="$WORK/home/.local/share/latchkey/vault.latchkey"
env -u DBUS_SESSION_BUS_ADDRESS -u XDG_DATA_HOME -u XDG_CONFIG_HOME \
    HOME="$WORK/home" XDG_RUNTIME_DIR="$WORK/run" XDG_DATA_DIRS=/usr/local/share:/usr/share \
    GDK_BACKEND=x11 GTK_A11Y=none NO_AT_BRIDGE=1 \
    xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- "$0" --session
[ -s "$vault" ] || fail "no vault at $vault after the session"
before=$(sha256sum "$vault")

# An upgrade runs the same maintainer scripts as a reinstall; then the package is removed.
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --reinstall "./$deb" >/dev/null
DEBIAN_FRONTEND=noninteractive as_root apt-get remove -y -qq latchkey >/dev/null
installed=0
[ ! -e "$DAEMON" ] && [ ! -e /usr/bin/latchkey ] || fail "the binaries remain after removal"
[ "$(sha256sum "$vault")" = "$before" ] || fail "the vault changed on reinstall or removal"
DEBIAN_FRONTEND=noninteractive as_root apt-get purge -y -qq latchkey >/dev/null
[ "$(sha256sum "$vault")" = "$before" ] || fail "purging the package touched the vault"
[ ! -e /etc/systemd/user/default.target.wants/latchkeyd.service ] ||
    fail "purging the package left the unit enabled"
echo "package-test: reinstalled, removed and purged; the vault is untouched"
