# Shared by run.sh, test.sh and the GTK scripts: package installation with apt (root, or sudo).

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs the Debian packages given as arguments that are not installed yet.
apt_install() {
    missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "Installing Debian packages: ${missing[*]}"
        as_root apt-get update -qq
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

require_cargo() {
    if ! command -v cargo >/dev/null 2>&1; then
        [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
    fi
    if ! command -v cargo >/dev/null 2>&1; then
        echo "Rust (cargo, 1.85 or newer) is needed: install it with rustup (https://rustup.rs), then run this again." >&2
        exit 1
    fi
}

# Packages needed to build and run Latchkey.
RUN_PACKAGES=(dbus ca-certificates gcc libc6-dev pkg-config)
# Packages the test suite needs on top (real dbus-daemon, oathtool as the reference, systemd for
# systemd-analyze verify/security on the installed unit; no systemd manager is started; g++ builds
# libFuzzer for the fuzz smoke run; bsdutils has `script`, a terminal for the passphrase prompt test;
# python3-cryptography checks Aegis exports independently; python3-venv for the privacyIDEA
# server of the push-token test, see scripts/pi-venv.sh; sqlite3 makes a foreign database for the
# import refusal test; syncthing carries the sync folder between two daemons in the sync test;
# python3-nacl checks the replica test vector independently; chromium, chromium-driver and
# python3-selenium run browser fill end to end in a real headless Chromium, firefox-esr the same
# in a real headless Firefox, with geckodriver from crates.io: install_geckodriver).
TEST_PACKAGES=(dbus oathtool gnome-keyring libsecret-tools systemd g++ bsdutils python3 python3-cryptography python3-venv python3-dbus util-linux sqlite3 syncthing python3-nacl chromium chromium-driver python3-selenium firefox-esr)
# geckodriver (Selenium's driver for Firefox) has no Debian package: it is built from crates.io
# into target/tools/bin of this checkout (about 2 minutes on 2 cores; nothing outside the
# project), unless that version is already there or on PATH.
# 0.37.1 (the newest; 0.36 already wants Firefox 128 ESR or newer) drives Debian 12's
# firefox-esr 153.
GECKODRIVER_VERSION=0.37.1
install_geckodriver() {
    local root
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/target/tools"
    export PATH="$root/bin:$PATH"
    if command -v geckodriver >/dev/null 2>&1 &&
        [ "$(geckodriver --version 2>/dev/null | head -n1)" = "geckodriver $GECKODRIVER_VERSION" ]; then
        return 0
    fi
    echo "Installing geckodriver $GECKODRIVER_VERSION with cargo"
    cargo install --locked --quiet --root "$root" geckodriver --version "$GECKODRIVER_VERSION"
}

# Packages the GTK client (latchkey-gtk) needs to build: GTK 4.8 and libadwaita 1.2 headers, and
# gettext (msgfmt compiles its translations; xgettext checks the template is current).
GTK_PACKAGES=(libgtk-4-dev libadwaita-1-dev gettext)
# Its tests and screenshots run on a virtual X server (Xvfb), capture the screen (ImageMagick)
# and read the clipboard with an independent client (xclip); qrencode makes QR test images;
# the journey tests drive the app through its accessibility tree (AT-SPI, pyatspi); xdotool
# resizes its window (no window manager runs); appstream and desktop-file-utils validate the
# metainfo and desktop files.
GTK_TEST_PACKAGES=(xvfb xauth imagemagick xclip qrencode x11-utils at-spi2-core python3-pyatspi gir1.2-atspi-2.0 xdotool appstream desktop-file-utils)
# The Debian package (scripts/package.sh, scripts/package-test.sh): debhelper and dpkg-dev build
# it, lintian checks it; the release build links Debian's SQLite (libsqlite3-dev, see
# debian/release.env); python3-dbus and oathtool drive and check the installed binaries.
PACKAGE_PACKAGES=(debhelper dpkg-dev lintian libsqlite3-dev pkg-config python3-dbus python3-gi oathtool)

# For scripts that drive latchkey-gtk (screenshots, GTK bench): installs what they need, builds
# the three binaries, and re-runs the calling script "$@" inside a throwaway session bus on Xvfb.
# Returns only when already inside that session (LATCHKEY_IN_SESSION set).
enter_gtk_session() {
    [ -n "${LATCHKEY_IN_SESSION:-}" ] && return 0
    apt_install "${RUN_PACKAGES[@]}" "${GTK_PACKAGES[@]}" "${GTK_TEST_PACKAGES[@]}"
    require_cargo
    cargo build -p latchkeyd -p latchkey -p latchkey-gtk
    exec env LATCHKEY_IN_SESSION=1 dbus-run-session -- \
        xvfb-run -a -s "-screen 0 1280x800x24" "$@"
}
