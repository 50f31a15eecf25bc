#!/usr/bin/env bash
# Builds the Debian package from debian/ (dpkg-buildpackage, binary only, unsigned) into
# target/debian/, then checks it with lintian: any error or warning fails. The release build is
# cargo's usual target/release, built with the settings in debian/release.env; after
# scripts/check-release.sh (which uses the same settings) cargo has nothing left to build.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

apt_install "${RUN_PACKAGES[@]}" "${GTK_PACKAGES[@]}" "${PACKAGE_PACKAGES[@]}"
require_cargo

out=target/debian
version=$(dpkg-parsechangelog -S Version)
arch=$(dpkg --print-architecture)
rm -rf "$out"
mkdir -p "$out"
start=$SECONDS
LATCHKEY_DEB_DIR="$out" dpkg-buildpackage -b -us -uc \
    --buildinfo-file="$out/latchkey_${version}_${arch}.buildinfo" \
    --buildinfo-option="-u$out" \
    --changes-file="$out/latchkey_${version}_${arch}.changes" \
    --changes-option="-u$out"
echo "package: built in $((SECONDS - start)) s: $(cd "$out" && ls ./*.deb | tr '\n' ' ')"

# lintian's informational tags are shown; an error or a warning fails the build.
start=$SECONDS
lintian --info --display-info --fail-on error,warning "$out/latchkey_${version}_${arch}.changes"
echo "package: lintian found no error or warning ($((SECONDS - start)) s)"
