#!/usr/bin/env bash
# Installs what the tests need and runs every check and test: fmt, clippy, build, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

apt_install "${RUN_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
require_cargo

cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
# Integration tests start binaries of other workspace members: build them all first.
cargo build --workspace
cargo test --workspace
