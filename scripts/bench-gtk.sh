#!/usr/bin/env bash
# Measures latchkey-gtk with 10,000 accounts on Xvfb: time until the list is shown, and frame
# intervals while scrolling one quarter page per frame (codes visible, so rows fetch codes).
# Usage: scripts/bench-gtk.sh [ACCOUNTS] [FRAMES]   (defaults 10000, 600). Debug build.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
enter_gtk_session "$0" "$@"
N=${1:-10000}
FRAMES=${2:-600}
. scripts/gtk-session.sh
trap session_cleanup EXIT

start_daemon "bench passphrase"
# 10,000 otpauth:// lines (distinct secrets), imported in one call.
python3 - "$N" >"$SESSION/uris.txt" <<'PY'
import base64, sys
for i in range(int(sys.argv[1])):
    secret = base64.b32encode(i.to_bytes(4, "big") + b"latchkey-bench").decode().rstrip("=")
    print(f"otpauth://totp/Service{i:05d}:user{i}?secret={secret}&issuer=Service{i:05d}")
PY
"$BIN/latchkey" import "$SESSION/uris.txt" >/dev/null
mkdir -p "$XDG_CONFIG_HOME/latchkey"
printf 'hide_codes = false\nclipboard_clear_seconds = 30\n' >"$XDG_CONFIG_HOME/latchkey/gtk.toml"

start=$(date +%s%N)
start_gtk
gtk_wait "\"shown\":$N" >/dev/null
shown=$(date +%s%N)
echo "accounts: $N; start to list shown: $(( (shown - start) / 1000000 )) ms"
gtk_cmd "bench-scroll $FRAMES" >/dev/null
for _ in $(seq 600); do
    r=$(gtk_cmd bench-result)
    [ "$r" != "null" ] && break
    sleep 0.1
done
echo "scroll frame intervals (ms): $r"
