#!/usr/bin/env bash
# The main job: installs what it needs, builds smart-auth in release mode and runs the auth server on the
# embedded SQLite store (./smartauth.db), listening on 127.0.0.1:8080. Any arguments go to `smart-auth serve`
# (e.g. `scripts/run.sh --listen 127.0.0.1:9000 --store memory:`); SMARTAUTH_* variables work too.
# Other commands: `$(swift build -c release --show-bin-path)/smart-auth --help`.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
swift build -c release --product smart-auth >&2
binary="$(swift build -c release --show-bin-path)/smart-auth"
exec "$binary" serve "$@"
