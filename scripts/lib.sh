# Shared by run.sh and test.sh: package installation with apt (root, or sudo).

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
# systemd-analyze verify/security on the installed unit; no systemd manager is started; Python
# with venv for the privacyIDEA server of the push-token test, see scripts/pi-venv.sh).
TEST_PACKAGES=(dbus oathtool gnome-keyring libsecret-tools systemd python3 python3-venv)
