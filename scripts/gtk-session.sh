# Sourced by the GTK scripts: a throwaway Latchkey session (XDG dirs, latchkeyd, a demo vault)
# and a latchkey-gtk driven through its automation hook (see client-gtk/src/automation.rs).
# Expects to run inside dbus-run-session and xvfb-run; every process started is stopped by PID.

BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug"
SESSION=$(mktemp -d /tmp/latchkey-gtk-XXXXXX)
export HOME="$SESSION/home" XDG_DATA_HOME="$SESSION/data" XDG_CONFIG_HOME="$SESSION/config"
export XDG_RUNTIME_DIR="$SESSION/runtime" LATCHKEY_INSECURE_TEST_KDF=1 GDK_BACKEND=x11
mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
PIDS=()

session_cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$SESSION"
}

# Starts latchkeyd and creates a vault with passphrase $1.
start_daemon() {
    "$BIN/latchkeyd" 2>>"$SESSION/latchkeyd.log" &
    PIDS+=($!)
    for _ in $(seq 100); do
        "$BIN/latchkey" status >/dev/null 2>&1 && break
        sleep 0.1
    done
    printf '%s\n' "$1" | "$BIN/latchkey" init --passphrase-stdin >/dev/null
}

# Starts latchkey-gtk with the automation hook on a coprocess (commands on fd 7, replies on fd 8).
start_gtk() {
    coproc GTK { LATCHKEY_GTK_AUTOMATION=1 exec "$BIN/latchkey-gtk" 2>>"$SESSION/gtk.log"; }
    PIDS+=("$GTK_PID")
    # Bash closes coprocess descriptors in subshells (pipelines, $(...)): keep copies.
    exec 7>&"${GTK[1]}" 8<&"${GTK[0]}"
}

# Sends one command to the app and prints its JSON reply.
gtk_cmd() {
    printf '%s\n' "$1" >&7
    local reply=""
    IFS= read -r -t 20 reply <&8 || true
    printf '%s\n' "$reply"
}

# Waits (up to 20 s) until the app's state contains the text $1.
gtk_wait() {
    for _ in $(seq 200); do
        gtk_cmd state | grep -q -- "$1" && return 0
        sleep 0.1
    done
    echo "timed out waiting for $1; state: $(gtk_cmd state)" >&2
    return 1
}
