#!/usr/bin/env bash
# The main job. Installs what it needs, builds smart-auth in release mode and runs it.
# With no arguments it runs the demo (issue and verify tokens with every algorithm); any arguments are passed
# to smart-auth, e.g. `scripts/run.sh jwt verify --help`.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
swift build -c release --product smart-auth >&2
binary="$(swift build -c release --show-bin-path)/smart-auth"
if (($# == 0)); then set -- demo; fi
exec "$binary" "$@"
