#!/usr/bin/env bash
# Installs what the tests need and runs every check and test: fmt, clippy, build, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

apt_install "${RUN_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
require_cargo
# privacyIDEA for the push-token end-to-end test, in a project-local virtualenv.
export LATCHKEY_PI_VENV="$PWD/target/pi-venv"
scripts/pi-venv.sh

cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
# Integration tests start binaries of other workspace members: build them all first.
cargo build --workspace
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# One closing line with the totals of every test binary (cargo prints one line per binary).
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed;?$/) p += $(i-1); if ($i ~ /^failed;?$/) f += $(i-1) } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
