#!/usr/bin/env bash
# Regenerates docs/screenshots/*.png from the real app on a virtual X server, with a demo vault
# on a private bus: the first run, the accounts (at the default size, 360 px, a wide screen, in
# the dark style), an import's preview, Preferences, the unlock page and an
# approval; Preferences in Dutch. Run from anywhere; needs no desktop.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
enter_gtk_session "$0" "$@"
. scripts/gtk-session.sh
trap session_cleanup EXIT
OUT=docs/screenshots
mkdir -p "$OUT"

# The window sits at the top-left corner of the empty (black) screen: trim the rest.
shot() {
    sleep 0.8
    import -window root "$SESSION/raw.png"
    convert "$SESSION/raw.png" -trim +repage "$OUT/$1.png"
    echo "wrote $OUT/$1.png"
}

# The top-left WxH of the screen (a secondary window over the main one, no window manager).
shot_area() {
    sleep 0.8
    import -window root "$SESSION/raw.png"
    convert "$SESSION/raw.png" -crop "$2x$3+0+0" +repage "$OUT/$1.png"
    echo "wrote $OUT/$1.png"
}

# Resizes the app's window as a window manager would.
resize() {
    local win
    win=$(xdotool search --sync --onlyvisible --class org.latchkey.Latchkey | head -1)
    xdotool windowsize "$win" "$1" "$2"
    sleep 0.5
}

# Starts the app again with the environment given (a style, a language).
restart_gtk() {
    gtk_cmd quit >/dev/null || true
    wait "$GTK_PID" 2>/dev/null || true
    exec 7>&- 8<&-
    env "$@" true  # checks the assignments
    export "$@"
    start_gtk
    gtk_wait '"shown":7'
}

# The same rows revealed in every shot of the accounts.
reveal() {
    mapfile -t IDS < <(gtk_cmd state | grep -o '"rows":.*' | grep -o '"id":"[^"]*"' | cut -d'"' -f4)
    for i in 1 2 4; do
        gtk_cmd "action toggle-reveal ${IDS[$i]}" >/dev/null
    done
    gtk_cmd "select 1" >/dev/null
}

L="$BIN/latchkey"
# First run: the service, no vault yet.
"$BIN/latchkeyd" 2>>"$SESSION/latchkeyd.log" &
PIDS+=($!)
for _ in $(seq 100); do "$L" status >/dev/null 2>&1 && break; sleep 0.1; done
start_gtk
gtk_wait '"page":"setup"'
shot first-run
printf '%s\n' "correct horse battery staple" | "$L" init --passphrase-stdin >/dev/null
for uri in \
    'otpauth://totp/GitHub:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=GitHub' \
    'otpauth://totp/Mastodon:@alice%40fosstodon.org?secret=KRSXG5CTMVRXEZLU&issuer=Mastodon' \
    'otpauth://totp/GitLab:alice?secret=MFRGGZDFMZTWQ2LK&issuer=GitLab&algorithm=SHA256' \
    'otpauth://totp/Proton:alice%40proton.me?secret=ONSWG4TFOQYTEMZU&issuer=Proton&digits=8' \
    'otpauth://hotp/Bank:alice?secret=GEZDGNBVGY3TQOJQ&issuer=Bank&counter=3' \
    'otpauth://totp/Fedora%20Accounts:alice?secret=NBSWY3DPO5XXE3DE&issuer=Fedora%20Accounts' \
    'otpauth://steam/Steam:alice?secret=KRUGKIDROVUWG2ZAMJZG653OEBTG66BA&issuer=Steam'; do
    echo "$uri" | "$L" add - >/dev/null
done

gtk_wait '"shown":7'
reveal
shot accounts
resize 360 720
shot accounts-narrow
resize 1280 720
shot accounts-wide
resize 460 680

# An import's preview (a plain Aegis export written by an independent script).
gtk_cmd "import-file $PWD/core/tests/data/import/aegis-plain-v2.json" >/dev/null
shot_area import 480 620
gtk_cmd "close-others" >/dev/null

gtk_cmd "action preferences" >/dev/null
# The preferences window covers the corner of the main one: keep only its own area.
gtk_wait '"title":"Preferences"' >/dev/null
size=$(gtk_cmd state | grep -o '"height":[0-9]*,"title":"Preferences","width":[0-9]*')
ph=$(printf '%s' "$size" | sed 's/"height":\([0-9]*\).*/\1/')
pw=$(printf '%s' "$size" | sed 's/.*"width":\([0-9]*\)/\1/')
shot_area preferences "$pw" "$ph"
gtk_cmd "close-others" >/dev/null
gtk_cmd "action lock" >/dev/null
gtk_wait '"page":"unlock"'
shot unlock

printf '%s\n' "correct horse battery staple" | "$L" unlock --passphrase-stdin >/dev/null
gtk_wait '"shown":7'
"$L" request-approval --title "Sign in to Nextcloud?" \
    --message "Someone is signing in as alice on cloud.example.org." \
    --app-name "Nextcloud" --number-matching --timeout 60 >/dev/null 2>&1 &
REQ=$!
PIDS+=("$REQ")
state=$(gtk_wait '"heading":"Approve Sign-In?"' && gtk_cmd state)
# Without a window manager the dialog opens at the corner: crop it and lay it over the dimmed
# main window, as GNOME Shell shows attached dialogs.
w=$(printf '%s' "$state" | grep -o '"width":[0-9]*' | head -1 | cut -d: -f2)
h=$(printf '%s' "$state" | grep -o '"height":[0-9]*' | head -1 | cut -d: -f2)
sleep 0.8
import -window root "$SESSION/raw.png"
convert "$SESSION/raw.png" -crop "${w}x${h}+0+0" +repage "$SESSION/dialog.png"
convert "$OUT/accounts.png" -fill "#242424" -colorize 55% "$SESSION/dialog.png" \
    -gravity north -geometry +0+40 -composite "$OUT/approval.png"
echo "wrote $OUT/approval.png"
kill "$REQ" 2>/dev/null || true
gtk_cmd "close-others" >/dev/null

# The dark style, and the Dutch translation.
restart_gtk ADW_DEBUG_COLOR_SCHEME=prefer-dark
reveal
shot accounts-dark
restart_gtk ADW_DEBUG_COLOR_SCHEME=default LANGUAGE=nl LANG=C.UTF-8
gtk_cmd "action preferences" >/dev/null
sleep 1
shot_area preferences-nl "$pw" "$ph"
