#!/usr/bin/env bash
# Starts (or stops) the throwaway Redis and PostgreSQL servers the store tests run against, on loopback and
# non-default ports, with their data in a temporary folder. Prints the environment the tests read:
#
#   eval "$(scripts/services.sh start)"    # exports SMARTAUTH_TEST_REDIS_URL, SMARTAUTH_TEST_POSTGRES_URL, …
#   scripts/services.sh stop
#
# PostgreSQL refuses to run as root, so its commands run as the `postgres` user when the caller is root.
set -euo pipefail

REDIS_PORT="${SMARTAUTH_TEST_REDIS_PORT:-16379}"
POSTGRES_PORT="${SMARTAUTH_TEST_POSTGRES_PORT:-15432}"
STATE="${SMARTAUTH_TEST_STATE:-/tmp/smartauth-test-services}"
SELF="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"

pg_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    echo "$dir"
}

as_postgres() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
    mkdir -p "$STATE/redis"
    # Redis with AOF on, so a restart keeps acknowledged writes (the fault tests restart it).
    if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
        redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$STATE/redis" --appendonly yes \
            --appendfsync always --save "" --daemonize yes --pidfile "$STATE/redis/redis.pid" \
            --logfile "$STATE/redis/redis.log" >/dev/null
        for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
    fi

    local bin data
    bin=$(pg_bin)
    data="$STATE/postgres"
    if [[ ! -f "$data/PG_VERSION" ]]; then
        mkdir -p "$data"
        [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$STATE" "$data"
        as_postgres "$bin/initdb" -D "$data" -U smartauth --auth=trust -E UTF8 >/dev/null
    fi
    if ! as_postgres "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        as_postgres "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w \
            -o "-p $POSTGRES_PORT -c listen_addresses=127.0.0.1 -k $data -c max_connections=200 -c fsync=off" start >/dev/null
    fi
    as_postgres "$bin/psql" -h 127.0.0.1 -p "$POSTGRES_PORT" -U smartauth -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname='smartauth_test'" | grep -q 1 \
        || as_postgres "$bin/createdb" -h 127.0.0.1 -p "$POSTGRES_PORT" -U smartauth smartauth_test

    echo "export SMARTAUTH_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
    echo "export SMARTAUTH_TEST_POSTGRES_URL=postgres://smartauth@127.0.0.1:$POSTGRES_PORT/smartauth_test"
    echo "export SMARTAUTH_TEST_REDIS_CONTROL='$SELF redis'"
    echo "export SMARTAUTH_TEST_POSTGRES_CONTROL='$SELF postgres'"
}

stop() {
    redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    local bin
    bin=$(pg_bin)
    if [[ -d "$STATE/postgres" ]]; then
        as_postgres "$bin/pg_ctl" -D "$STATE/postgres" -m fast -w stop >/dev/null 2>&1 || true
    fi
}

# `services.sh redis stop|start` and `services.sh postgres stop|start`: the fault tests stop and restart one
# server while the other keeps running.
control() {
    local which=$1 action=$2 bin
    bin=$(pg_bin)
    case "$which:$action" in
        redis:stop) redis-cli -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || true ;;  # saves the AOF
        redis:start) start >/dev/null ;;
        postgres:stop) as_postgres "$bin/pg_ctl" -D "$STATE/postgres" -m fast -w stop >/dev/null ;;
        postgres:start) start >/dev/null ;;
        *) echo "usage: $0 redis|postgres stop|start" >&2; exit 2 ;;
    esac
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    redis | postgres) control "$1" "${2:-}" ;;
    *) echo "usage: $0 start|stop|redis stop|redis start|postgres stop|postgres start" >&2; exit 2 ;;
esac
