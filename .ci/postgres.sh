#!/usr/bin/env bash
# A throw-away PostgreSQL server on loopback for the storage tests.
#
#   eval "$(bash .ci/postgres.sh start)"   # prints: export COMPACT_TEST_POSTGRES_URL=...
#   bash .ci/postgres.sh stop
#
# Idempotent: `start` reuses a server already running in the data folder,
# `stop` does nothing when none runs.  Installs the Debian package
# `postgresql` when its binaries are missing and apt-get can be used (root).
# The server trusts loopback connections: for tests only.
# COMPACT_PG_NO_INSTALL=1 never installs.
# Settings: COMPACT_PG_PORT (default 54329), COMPACT_PG_DIR (data folder,
# default /tmp/compact-pg-$PORT).
set -euo pipefail

port="${COMPACT_PG_PORT:-54329}"
dir="${COMPACT_PG_DIR:-/tmp/compact-pg-$port}"
db=compact_test
url="postgresql+psycopg://postgres@127.0.0.1:$port/$db"

log() { echo "postgres.sh: $*" >&2; }

find_bin() {
    local candidate
    if command -v pg_config >/dev/null 2>&1; then
        candidate="$(pg_config --bindir 2>/dev/null || true)"
        if [ -x "$candidate/initdb" ]; then echo "$candidate"; return 0; fi
    fi
    for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$candidate/initdb" ]; then echo "$candidate"; return 0; fi
    done
    return 1
}

# Run a command as the server's owner: postgres refuses to run as root.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        su postgres -s /bin/bash -c "$(printf '%q ' "$@")"
    else
        "$@"
    fi
}

start() {
    local bin
    if ! bin="$(find_bin)"; then
        if [ -z "${COMPACT_PG_NO_INSTALL:-}" ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
            log "installing the Debian package postgresql"
            export DEBIAN_FRONTEND=noninteractive
            apt-get update -q >&2
            apt-get install -y -q postgresql >&2
            bin="$(find_bin)"
        else
            log "no PostgreSQL binaries (initdb) found and apt-get cannot be used"
            return 1
        fi
    fi
    if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
        useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    fi
    if [ ! -s "$dir/PG_VERSION" ]; then
        mkdir -p "$dir"
        [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
        chmod 700 "$dir"
        as_owner "$bin/initdb" -D "$dir" -U postgres --auth=trust --encoding=UTF8 --no-sync >/dev/null
    fi
    if ! as_owner "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
        as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
            -o "-k $dir -h 127.0.0.1 -p $port -c fsync=off -c max_connections=200" start >/dev/null
    fi
    if ! as_owner "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc \
            "SELECT 1 FROM pg_database WHERE datname = '$db'" postgres | grep -q 1; then
        as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$db"
    fi
    log "server running on 127.0.0.1:$port (data in $dir)"
    echo "export COMPACT_TEST_POSTGRES_URL=$url"
}

stop() {
    local bin
    bin="$(find_bin)" || return 0
    [ -s "$dir/PG_VERSION" ] || return 0
    if as_owner "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
        as_owner "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
        log "server stopped"
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url) echo "$url" ;;
    *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
