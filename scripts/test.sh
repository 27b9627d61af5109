#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds every target with warnings as errors, runs every test.
# Test vectors (Wycheproof) are read in place from ../shared/vectors unless SMARTAUTH_VECTORS points elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh test

# Real Redis and PostgreSQL servers for the store tests, stopped again however the run ends.
eval "$(bash scripts/services.sh start)"
trap 'bash scripts/services.sh stop' EXIT

if [[ -z "${SMARTAUTH_VECTORS:-}" && -d ../shared/vectors ]]; then
    SMARTAUTH_VECTORS="$(cd ../shared/vectors && pwd)"
    export SMARTAUTH_VECTORS
fi

echo "== build (warnings are errors)"
swift build --build-tests -Xswiftc -warnings-as-errors

echo "== tests"
# One test at a time: the suite starts servers, races thousands of tasks and restarts Redis and PostgreSQL, and
# on a 2-core machine running those side by side only measures the machine. Serially it takes well under a minute.
swift test --skip-build --no-parallel
