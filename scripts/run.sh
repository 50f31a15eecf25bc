#!/usr/bin/env bash
# Builds Latchkey, starts latchkeyd for this user and shows codes with the CLI.
#
# The vault goes to $XDG_DATA_HOME/latchkey (default ~/.local/share/latchkey). A new vault's
# passphrase is asked on the terminal, or read as one line from stdin when there is none.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

apt_install "${RUN_PACKAGES[@]}"
require_cargo
cargo build --release --workspace
BIN="$PWD/target/release"
L="$BIN/latchkey"

# A session bus: the desktop's, or one we start at the standard address ($XDG_RUNTIME_DIR/bus).
if [ -z "${XDG_RUNTIME_DIR:-}" ]; then
    export XDG_RUNTIME_DIR="/tmp/latchkey-runtime-$(id -u)"
    mkdir -p -m 700 "$XDG_RUNTIME_DIR"
fi
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
    export DBUS_SESSION_BUS_ADDRESS="unix:path=$XDG_RUNTIME_DIR/bus"
    if [ ! -S "$XDG_RUNTIME_DIR/bus" ]; then
        dbus-daemon --session --fork --address="$DBUS_SESSION_BUS_ADDRESS" \
            --print-pid >"$XDG_RUNTIME_DIR/latchkey-bus.pid"
        echo "Started a session bus (PID $(cat "$XDG_RUNTIME_DIR/latchkey-bus.pid")) at $DBUS_SESSION_BUS_ADDRESS"
    fi
fi

# D-Bus activation for this user, so any client call starts the daemon.
services="${XDG_DATA_HOME:-$HOME/.local/share}/dbus-1/services"
mkdir -p "$services"
sed "s|@bindir@|$BIN|" dbus/org.latchkey.Latchkey1.service.in >"$services/org.latchkey.Latchkey1.service"
dbus-send --session --dest=org.freedesktop.DBus --type=method_call /org/freedesktop/DBus \
    org.freedesktop.DBus.ReloadConfig >/dev/null 2>&1 || true

if ! "$L" status >/dev/null 2>&1; then
    # Fallback: no activation on this bus; run the daemon in the background.
    nohup "$BIN/latchkeyd" >>"$XDG_RUNTIME_DIR/latchkeyd.log" 2>&1 &
    echo $! >"$XDG_RUNTIME_DIR/latchkeyd.pid"
    sleep 0.5
fi

if [ "$("$L" status --json | grep -o '"initialized":[a-z]*')" = '"initialized":false' ]; then
    echo "Creating your vault. Choose a passphrase; it cannot be recovered."
    if [ -t 0 ]; then "$L" init; else "$L" init --passphrase-stdin; fi
elif [ "$("$L" status --json | grep -o '"locked":[a-z]*')" = '"locked":true' ]; then
    if [ -t 0 ]; then "$L" unlock; else "$L" unlock --passphrase-stdin; fi
fi

if [ "$("$L" status --json | grep -o '"accounts":[0-9]*')" = '"accounts":0' ]; then
    echo "Adding a demo account (Example: demo) so there is a code to show; remove it with: latchkey remove ID --yes"
    "$L" add 'otpauth://totp/Example:demo?secret=JBSWY3DPEHPK3PXP&issuer=Example' >/dev/null
fi

"$L" status
"$L" list
for id in $("$L" list --json | grep -o '"id":"[^"]*"' | cut -d'"' -f4); do
    printf '%s: ' "$id"
    "$L" code "$id" || true
done
echo
echo "latchkeyd is running on $DBUS_SESSION_BUS_ADDRESS. Try: $L code example"
