#!/usr/bin/env bash
# Proves that release builds carry no test code: builds the release binaries and looks in each
# for the names of the test switches, the fault-hook interface and the GTK automation hook.
# The debug binaries (which the tests use) must contain them, or the search would prove nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
NEEDLES=(
    org.latchkey.Latchkey1.Testing
    LATCHKEY_TEST_
    LATCHKEY_INSECURE_TEST_KDF
    LATCHKEY_GTK_AUTOMATION
    bench-scroll
)
# The package's settings (debian/release.env): scripts/package.sh then packages this very build.
set -a
. debian/release.env
set +a
# dpkg-buildpackage sets it from debian/changelog, and C build scripts (aws-lc-sys) rebuild
# when it changes.
SOURCE_DATE_EPOCH=$(dpkg-parsechangelog -S Timestamp)
export SOURCE_DATE_EPOCH
cargo build --release --workspace
status=0
for bin in latchkeyd latchkey latchkey-gtk; do
    debug_hits=0
    for needle in "${NEEDLES[@]}"; do
        if grep -q -a -F "$needle" "target/debug/$bin"; then
            debug_hits=$((debug_hits + 1))
        fi
        if grep -q -a -F "$needle" "target/release/$bin"; then
            echo "check-release: target/release/$bin contains \"$needle\"" >&2
            status=1
        fi
    done
    if [ "$debug_hits" -eq 0 ]; then
        echo "check-release: target/debug/$bin has none of the test switches: the check is blind" >&2
        status=1
    fi
done
[ "$status" -eq 0 ] && echo "check-release: no test switch in the release binaries"
exit "$status"
