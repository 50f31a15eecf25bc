#!/usr/bin/env bash
# Builds Latchkey, starts latchkeyd for this user and shows codes with the CLI.
#
# The vault goes to $XDG_DATA_HOME/latchkey (default ~/.local/share/latchkey). A new vault's
# passphrase is asked on the terminal, or read as one line from stdin when there is none.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

apt_install "${RUN_PACKAGES[@]}" "${GTK_PACKAGES[@]}"
require_cargo
cargo build --release --workspace
BIN="${CARGO_TARGET_DIR:-$PWD/target}/release"
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

# The user service: where a systemd user manager runs, the unit is installed, enabled and
# started; elsewhere the D-Bus activation file makes the first client call start latchkeyd.
if ! "$L" service install; then
    echo "latchkey service install failed; falling back to a background daemon." >&2
fi

if ! "$L" status >/dev/null 2>&1; then
    # Fallback: this bus cannot activate latchkeyd; run it in the background.
    nohup "$BIN/latchkeyd" </dev/null >>"$XDG_RUNTIME_DIR/latchkeyd.log" 2>&1 &
    echo $! >"$XDG_RUNTIME_DIR/latchkeyd.pid"
    echo "Started latchkeyd in the background (PID $!, log $XDG_RUNTIME_DIR/latchkeyd.log)"
    for _ in $(seq 50); do
        "$L" status >/dev/null 2>&1 && break
        sleep 0.1
    done
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
"$L" doctor || true
echo
echo "latchkeyd is running on $DBUS_SESSION_BUS_ADDRESS. Try: $L code example"
echo "The desktop app: $BIN/latchkey-gtk"
