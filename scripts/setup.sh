#!/usr/bin/env bash
# Installs the Debian packages SmartAuth needs. Idempotent: packages already present are not touched, and apt
# is only asked when something is missing. Works as root or through sudo.
#
#   scripts/setup.sh          what building and running needs (C libraries)
#   scripts/setup.sh test     that, plus the servers the test suite starts (Redis, PostgreSQL)
set -euo pipefail

# Build-time C libraries; each is reached through exactly one C module in Sources/.
packages=(
    pkg-config
    libssl-dev          # OpenSSL 3: every cryptographic primitive (CSmartAuthOpenSSL)
    libargon2-dev       # Argon2id password hashing (CSmartAuthArgon2)
    libsqlite3-dev      # the embedded default store (CSmartAuthSQLite)
    libhiredis-dev      # the Redis store (CSmartAuthRedis)
    libpq-dev           # the PostgreSQL store (CSmartAuthPostgres)
    libmicrohttpd-dev   # the HTTP server (CSmartAuthHTTP)
)
if [[ "${1:-}" == "test" ]]; then
    packages+=(
        redis-server        # started on a loopback port by scripts/services.sh for the store tests
        postgresql          # initdb/pg_ctl for a throwaway cluster, likewise
    )
fi

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
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # Debian starts packaged servers on their default ports; the tests use their own instances instead.
    for service in redis-server postgresql; do
        if [[ " ${missing[*]} " == *" ${service} "* ]] && command -v service >/dev/null; then
            $sudo service "$service" stop >/dev/null 2>&1 || true
        fi
    done
fi

# The end-to-end test drives the server with Authlib, an OAuth client library from PyPI.
if [[ "${1:-}" == "test" ]] && ! python3 -c "import authlib, requests" >/dev/null 2>&1; then
    echo "setup: installing authlib and requests from PyPI" >&2
    python3 -m pip install --quiet --disable-pip-version-check authlib requests >/dev/null 2>&1 \
        || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages authlib requests
fi

if ! command -v swift >/dev/null 2>&1; then
    echo "setup: the Swift toolchain (6.0 or later) must be on PATH; see https://swift.org/install" >&2
    exit 1
fi
