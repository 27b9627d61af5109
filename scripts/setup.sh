#!/usr/bin/env bash
# Installs the Debian packages SmartAuth needs to build, test and run. Idempotent: packages already present
# are not touched, and apt is only asked when something is missing. Works as root or through sudo.
set -euo pipefail

# Build-time C libraries (each one reached through exactly one C module in Sources/).
packages=(
    libssl-dev        # OpenSSL 3: every cryptographic primitive (CSmartAuthOpenSSL)
    pkg-config
)

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if ((${#missing[@]} > 0)); then
    echo "setup: installing ${missing[*]}" >&2
    sudo=""
    if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v swift >/dev/null 2>&1; then
    echo "setup: the Swift toolchain (6.0 or later) must be on PATH; see https://swift.org/install" >&2
    exit 1
fi
