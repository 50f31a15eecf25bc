#!/usr/bin/env bash
# Builds the cargo-fuzz targets in fuzz/ (one per import parser, one for the browser host's
# message framing) and runs each one briefly, seeded with the import fixtures. A crash, panic,
# timeout or out-of-memory fails the script and leaves the input in fuzz/artifacts/TARGET/.
#   FUZZ_SECONDS  seconds per target (default 5: the 23 targets run in about 2.5 minutes)
#   FUZZ_TARGETS  space-separated targets (default: all, from `cargo fuzz list`)
# cargo-fuzz passes nightly-only flags (-Z, sancov); RUSTC_BOOTSTRAP=1 lets the stable
# toolchain accept them. Sanitizer "none": the parsers are safe Rust, so what fuzzing finds
# here are panics, overflows (debug assertions stay on), hangs and runaway memory.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
. ../scripts/lib.sh
require_cargo
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
export RUSTC_BOOTSTRAP=1
seconds=${FUZZ_SECONDS:-5}
targets=${FUZZ_TARGETS:-$(cargo fuzz list)}
cargo fuzz build -s none
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for target in $targets; do
    mkdir -p "corpus/$target"
    rm -rf "artifacts/$target"
    find ../core/tests/data/import -type f ! -name '*.py' -exec cp -t "corpus/$target" {} +
    echo "fuzz: $target for ${seconds}s"
    if ! cargo fuzz run -s none "$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 \
        -timeout=10 >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        echo "fuzz: $target failed; the input is in fuzz/artifacts/$target" >&2
        exit 1
    fi
    grep -E '^Done ' "$log" || true
done
echo "fuzz: all targets ran without a crash"
