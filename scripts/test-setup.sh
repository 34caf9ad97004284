#!/usr/bin/env bash
# What `make test` needs besides Python: PostgreSQL and Redis on 127.0.0.1, and Chromium for
# the browser tests. Starts a service that is installed but stopped, installs what is missing
# when apt is available, and otherwise stops with one line that says what to install.
set -euo pipefail

PG_HOST=127.0.0.1 PG_PORT=5432 REDIS_PORT=6379
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

have() { command -v "$1" >/dev/null 2>&1; }
need() { echo "make test: $1" >&2; exit 1; }

can_apt() { have apt-get && [ "$(id -u)" = 0 ]; }
apt_install() {
    [ -n "${_apt_updated:-}" ] || { apt-get update -qq >/dev/null; _apt_updated=1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

wait_for() {  # wait_for <seconds> <command...>
    local n=$1; shift
    for _ in $(seq 1 "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
    return 1
}

pg_up() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; }
redis_up() { python3 - "$REDIS_PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)
s.sendall(b"PING\r\n")
sys.exit(0 if s.recv(16).startswith(b"+PONG") else 1)
PY
}

# --- PostgreSQL ----------------------------------------------------------------------------
if ! { have pg_isready && pg_up; }; then
    if ! have pg_ctlcluster; then
        can_apt || need "PostgreSQL is not running on $PG_HOST:$PG_PORT; install and start it (apt-get install postgresql), or set TEST_DATABASE_URL."
        apt_install postgresql
    fi
    version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
    [ -n "$version" ] || need "PostgreSQL is installed but has no cluster in /etc/postgresql; create one (pg_createcluster)."
    pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
    wait_for 30 pg_up || need "PostgreSQL did not start on $PG_HOST:$PG_PORT; see /var/log/postgresql/."
    echo "make test: started PostgreSQL $version"
fi

# --- Redis ---------------------------------------------------------------------------------
if ! redis_up 2>/dev/null; then
    if ! have redis-server; then
        can_apt || need "Redis is not running on 127.0.0.1:$REDIS_PORT; install it (apt-get install redis-server), or set TEST_REDIS_URL."
        apt_install redis-server
    fi
    redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no >/dev/null
    wait_for 30 redis_up || need "Redis did not start on 127.0.0.1:$REDIS_PORT."
    echo "make test: started Redis"
fi

# --- Chromium (browser tests) --------------------------------------------------------------
if [ ! -x "$CHROMIUM" ]; then
    can_apt || need "Chromium is missing at $CHROMIUM; install it (apt-get install chromium), or run 'make test-fast' without the browser tests."
    apt_install chromium
    [ -x "$CHROMIUM" ] || need "installing chromium did not give $CHROMIUM."
    echo "make test: installed $("$CHROMIUM" --version 2>/dev/null)"
fi
