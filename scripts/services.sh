#!/usr/bin/env bash
# Helpers for scripts/test.sh and scripts/bench.sh: install what the tests
# need from Debian's and npm's registries, and start private servers on
# loopback. Source it; do not run it.

KW_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KW_RUN="${KW_RUN:-/tmp/kawaraban-test}"
mkdir -p "$KW_RUN"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Installs Debian packages that are missing (apt-get update only when needed).
ensure_debs() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# Starts a throwaway PostgreSQL cluster on 127.0.0.1:$KW_PG_PORT owned by the
# postgres user (it refuses to run as root) and exports KAWARABAN_TEST_PG_URL.
start_postgres() {
  ensure_debs postgresql
  local bindir
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  KW_PG_PORT="${KW_PG_PORT:-55432}"
  local data="$KW_RUN/pgdata"
  if ! "$bindir/pg_isready" -q -h 127.0.0.1 -p "$KW_PG_PORT"; then
    log "starting PostgreSQL on 127.0.0.1:$KW_PG_PORT"
    rm -rf "$data"
    mkdir -p "$data" "$KW_RUN/pglog"
    chown postgres:postgres "$data" "$KW_RUN/pglog"
    chmod 700 "$data"
    su postgres -s /bin/sh -c "'$bindir/initdb' -D '$data' -A trust -U postgres -E UTF8 --locale=C.UTF-8" >"$KW_RUN/initdb.log" 2>&1 \
      || { cat "$KW_RUN/initdb.log"; return 1; }
    su postgres -s /bin/sh -c "'$bindir/pg_ctl' -D '$data' -l '$KW_RUN/pglog/postgres.log' -w -o \"-h 127.0.0.1 -p $KW_PG_PORT -k /tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400\" start" >/dev/null \
      || { cat "$KW_RUN/pglog/postgres.log"; return 1; }
  fi
  export KAWARABAN_TEST_PG_URL="postgres://postgres@127.0.0.1:$KW_PG_PORT/postgres"
}

stop_postgres() {
  local bindir
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  su postgres -s /bin/sh -c "'$bindir/pg_ctl' -D '$KW_RUN/pgdata' -m fast stop" >/dev/null 2>&1 || true
}
