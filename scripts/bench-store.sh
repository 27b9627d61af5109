#!/usr/bin/env bash
# `smart-auth bench store` against the throwaway Redis and PostgreSQL of scripts/services.sh, with the server on
# a core of its own: the servers' processes are pinned to the last CPU and the bench (with the reference tools it
# starts, redis-benchmark and pgbench) to the others, so that each server's limit is its own and not what the
# client leaves of a shared machine (the HTTP bench pins its server and wrk the same way). The pinning is undone
# on exit. Needs two CPUs or more.
#
#   scripts/bench-store.sh [redis|postgres|all] [smart-auth bench store options…]
#
# For the figures with everything sharing every core, run `smart-auth bench store --store URL` directly.
set -euo pipefail
cd "$(dirname "$0")/.."

which="${1:-all}"
case "$which" in redis | postgres | all) shift || true ;; *) which=all ;; esac

cpus=$(nproc)
if ((cpus < 2)); then
    echo "bench-store: needs at least 2 CPUs to give the server one of its own (this machine has $cpus)" >&2
    exit 2
fi
server_cpu=$((cpus - 1))
client_cpus="0-$((cpus - 2))"

bash scripts/setup.sh
eval "$(bash scripts/services.sh start)"
swift build -c release --product smart-auth >&2
binary="$(swift build -c release --show-bin-path)/smart-auth"
state="${SMARTAUTH_TEST_STATE:-/tmp/smartauth-test-services}"

# The servers' processes: Redis, and PostgreSQL's postmaster with its children (new backends fork from the
# postmaster and inherit its CPUs).
server_pids() {
    cat "$state/redis/redis.pid" 2>/dev/null || true
    local postmaster
    postmaster=$(head -n 1 "$state/postgres/postmaster.pid" 2>/dev/null || true)
    if [[ -n "$postmaster" ]]; then
        echo "$postmaster"
        pgrep -P "$postmaster" || true
    fi
}
pin_servers() {
    local pid
    for pid in $(server_pids); do taskset -a -p -c "$1" "$pid" >/dev/null 2>&1 || true; done
}
trap 'pin_servers 0-$((cpus - 1))' EXIT
pin_servers "$server_cpu"
echo "servers on CPU $server_cpu, bench and reference tools on CPUs $client_cpus" >&2

if [[ "$which" == redis || "$which" == all ]]; then
    "$binary" bench store --store "$SMARTAUTH_TEST_REDIS_URL" --cpus "$client_cpus" "$@"
fi
if [[ "$which" == postgres || "$which" == all ]]; then
    "$binary" bench store --store "$SMARTAUTH_TEST_POSTGRES_URL" --cpus "$client_cpus" "$@"
fi
