#!/usr/bin/env bash
# `latchkey code ID` as a script runs it — a whole process — beside two baselines measured in the
# same run by hyperfine (no shell in between, interleaving is hyperfine's order): a `dbus-send
# --print-reply` process calling org.freedesktop.DBus.Peer.Ping on the same daemon (the cost of
# any process that makes one round trip on the session bus), and `oathtool --totp` (computing a
# code with no bus at all). Release build with the package's settings (debian/release.env), so
# after scripts/check-release.sh nothing is rebuilt. Target: latchkey code / Ping ≤ 1.2.
# hyperfine runs one command's runs, then the next's: on a shared machine the load changes in
# between, so the runs are split into ROUNDS rounds, each measuring all three, and the ratio is
# taken per round (reported: the median of the rounds' ratios, and every round's).
#
#   scripts/bench-code.sh [RUNS [ROUNDS]]   (default 500 runs of each in 10 rounds, 10 warm-up runs per round)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

SECRET=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP
RUNS=${1:-500}
ROUNDS=${2:-10}

if [ -z "${LATCHKEY_IN_SESSION:-}" ]; then
    apt_install "${RUN_PACKAGES[@]}" "${PACKAGE_PACKAGES[@]}" hyperfine
    require_cargo
    set -a
    . debian/release.env
    set +a
    SOURCE_DATE_EPOCH=$(dpkg-parsechangelog -S Timestamp)
    export SOURCE_DATE_EPOCH
    # The whole workspace, as check-release.sh builds it: a narrower build unifies other
    # features and would rebuild most crates.
    cargo build --release --workspace
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    mkdir -m 700 "$work/home" "$work/run"
    env -u XDG_DATA_HOME -u XDG_CONFIG_HOME HOME="$work/home" XDG_RUNTIME_DIR="$work/run" \
        LATCHKEY_IN_SESSION=1 dbus-run-session -- "$0" "$@"
    exit
fi

bin=target/release
"$bin/latchkeyd" 2>"$HOME/daemon.log" &
daemon=$!
trap 'kill "$daemon"; wait "$daemon" 2>/dev/null || true' EXIT
# The daemon owns its name once it is ready.
for _ in $(seq 100); do
    dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.latchkey.Latchkey1 2>/dev/null |
        grep -q 'boolean true' && break
    sleep 0.1
done
printf 'bench passphrase\n' | "$bin/latchkey" init --passphrase-stdin
id=$("$bin/latchkey" add --json "otpauth://totp/GitHub:alice?secret=$SECRET&issuer=GitHub" |
    /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')

echo "load: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs; $(uname -r)"
for round in $(seq "$ROUNDS"); do
    hyperfine -N --warmup 10 --runs $((RUNS / ROUNDS)) --export-json "$HOME/code-$round.json" \
        -n "latchkey code ID" "$bin/latchkey code -q $id" \
        -n "dbus-send Peer.Ping" "dbus-send --session --print-reply --dest=org.latchkey.Latchkey1 /org/latchkey/Latchkey1 org.freedesktop.DBus.Peer.Ping" \
        -n "oathtool --totp" "oathtool --totp -b $SECRET" >/dev/null
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 - "$HOME" "$ROUNDS" <<'PY'
import json, statistics, sys
home, rounds = sys.argv[1], int(sys.argv[2])
code, ping, oath = "latchkey code ID", "dbus-send Peer.Ping", "oathtool --totp"
times = {code: [], ping: [], oath: []}
ratios, oath_ratios = [], []
for n in range(1, rounds + 1):
    r = {x["command"]: x["times"] for x in json.load(open(f"{home}/code-{n}.json"))["results"]}
    med = {k: statistics.median(v) for k, v in r.items()}
    ratios.append(med[code] / med[ping])
    oath_ratios.append(med[code] / med[oath])
    for k in times:
        times[k] += r[k]
print()
print(f"{'':24}{'median':>10}{'mean':>10}   (all rounds pooled)")
for k, v in times.items():
    print(f"{k:24}{statistics.median(v) * 1e6:>8.0f}µs{statistics.mean(v) * 1e6:>8.0f}µs")
ratio = statistics.median(ratios)
print()
print("latchkey code / Ping per round: " + " ".join(f"{x:.2f}" for x in ratios))
print(f"latchkey code / Ping (median of rounds): {ratio:.2f}  (target ≤ 1.2: "
      f"{'met' if ratio <= 1.2 else 'MISSED'})")
print(f"latchkey code / oathtool (median of rounds): {statistics.median(oath_ratios):.2f}")
PY
