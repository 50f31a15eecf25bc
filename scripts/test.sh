#!/usr/bin/env bash
# Installs what the tests need and runs every check and test: fmt, the module-circle check,
# clippy, build, tests, a short fuzz run of the import parsers (scripts/fuzz.sh), and the check
# that release binaries carry no test code (scripts/check-release.sh), and the Debian package
# made from them, installed and driven (scripts/package-test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

apt_install "${RUN_PACKAGES[@]}" "${TEST_PACKAGES[@]}" "${GTK_PACKAGES[@]}" "${GTK_TEST_PACKAGES[@]}" \
    "${PACKAGE_PACKAGES[@]}"
require_cargo
# geckodriver for the browser fill test in Firefox (scripts/lib.sh).
install_geckodriver
# privacyIDEA for the push-token end-to-end test, in a project-local virtualenv.
export LATCHKEY_PI_VENV="$PWD/target/pi-venv"
scripts/pi-venv.sh

cargo fmt --all -- --check
# The module graphs of the core and the daemon have no circles (scripts/check-modules.py).
python3 scripts/check-modules.py
# The app's translation template is current and every translation complete (scripts/po.sh).
scripts/po.sh --check
cargo clippy --workspace --all-targets -- -D warnings
# Integration tests start binaries of other workspace members: build them all first.
cargo build --workspace
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace --exclude latchkey-gtk 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# The GTK client's tests need an X server: Xvfb, on a throwaway session bus.
dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" \
    cargo test -p latchkey-gtk 2>&1 | tee -a "$log"
gtk_status=${PIPESTATUS[0]}
[ "$status" -eq 0 ] && status=$gtk_status
# Fuzz smoke run: each import parser's cargo-fuzz target for FUZZ_SECONDS (default 10) seconds.
fuzz_status=0
scripts/fuzz.sh || fuzz_status=$?
# Release binaries: built, and searched for the test switches' names.
release_status=0
scripts/check-release.sh || release_status=$?
# The Debian package from that release build: lintian, installed, driven on a private bus,
# removed (scripts/package-test.sh).
package_status=0
[ "$release_status" -eq 0 ] && { scripts/package-test.sh || package_status=$?; }
# One closing line with the totals of every test binary (cargo prints one line per binary).
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed;?$/) p += $(i-1); if ($i ~ /^failed;?$/) f += $(i-1) } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
if [ "$fuzz_status" -ne 0 ]; then
    echo "fuzz smoke run failed (exit $fuzz_status)" >&2
    [ "$status" -ne 0 ] || status=$fuzz_status
fi
if [ "$release_status" -ne 0 ]; then
    echo "release check failed (exit $release_status)" >&2
    [ "$status" -ne 0 ] || status=$release_status
fi
if [ "$package_status" -ne 0 ]; then
    echo "package test failed (exit $package_status)" >&2
    [ "$status" -ne 0 ] || status=$package_status
fi
exit "$status"
