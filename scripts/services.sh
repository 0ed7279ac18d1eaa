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

# --- members: SMTP sink and OpenID Connect provider --------------------------

# True when PID is a live process (not a zombie) whose command line has TEXT.
_kw_alive() {
  local pid="$1" text="$2"
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  [ "$(sed 's/^.*) //' "/proc/$pid/stat" | cut -c1)" != Z ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$text"
}

# Prints a loopback port to listen on: $1 if set (it must be free), else the
# first free one from $2 up.
_kw_port() {
  local port="${1:-$2}"
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    [ -z "$1" ] && [ "$port" -lt $(($2 + 100)) ] || { log "port $port is taken"; return 1; }
    port=$((port + 1))
  done
  echo "$port"
}

# Waits up to 20 s for the service NAME (pid PID, command line with TEXT) to
# print "ready" to $KW_RUN/NAME.log, then records $KW_RUN/NAME.pid and .port.
_kw_wait_ready() {
  local name="$1" pid="$2" text="$3" port="$4"
  for _ in $(seq 1 200); do
    if grep -qx ready "$KW_RUN/$name.log" 2>/dev/null; then
      echo "$pid" >"$KW_RUN/$name.pid"
      echo "$port" >"$KW_RUN/$name.port"
      return 0
    fi
    # Not _kw_alive: until the child has exec'd, its command line is bash's.
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  log "$name did not start:"
  cat "$KW_RUN/$name.log" >&2
  kill "$pid" 2>/dev/null || true
  return 1
}

# Stops the service NAME started by _kw_wait_ready (TERM, then KILL after 5 s).
_kw_stop() {
  local name="$1" text="$2" pid
  pid="$(cat "$KW_RUN/$name.pid" 2>/dev/null || true)"
  if _kw_alive "$pid" "$text"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do _kw_alive "$pid" "$text" || break; sleep 0.1; done
    if _kw_alive "$pid" "$text"; then kill -9 "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$KW_RUN/$name.pid" "$KW_RUN/$name.port"
}

# Starts scripts/testsvc/smtp_sink.py on 127.0.0.1:$KW_SMTP_PORT (default
# 55025, or the next free port) with a fresh, empty $KW_RUN/mail, and exports
# KAWARABAN_TEST_SMTP_URL and KAWARABAN_TEST_MAIL_DIR. Each message lands there
# once per recipient as NNNNNN-RECIPIENT.eml; a $KW_RUN/mail/.fail-rules file
# makes it refuse recipients (see the script).
start_smtp_sink() {
  ensure_debs python3-aiosmtpd
  local text="scripts/testsvc/smtp_sink.py" port
  if _kw_alive "$(cat "$KW_RUN/smtp.pid" 2>/dev/null || true)" "$text"; then
    port="$(cat "$KW_RUN/smtp.port")"
  else
    port="$(_kw_port "${KW_SMTP_PORT:-}" 55025)" || return 1
    log "starting the SMTP sink on 127.0.0.1:$port"
    rm -rf "$KW_RUN/mail"
    mkdir -p "$KW_RUN/mail"
    /usr/bin/python3 "$KW_ROOT/$text" --host 127.0.0.1 --port "$port" --dir "$KW_RUN/mail" \
      </dev/null >"$KW_RUN/smtp.log" 2>&1 &
    _kw_wait_ready smtp $! "$text" "$port" || return 1
  fi
  export KAWARABAN_TEST_SMTP_URL="smtp://127.0.0.1:$port"
  export KAWARABAN_TEST_MAIL_DIR="$KW_RUN/mail"
}

stop_smtp_sink() { _kw_stop smtp scripts/testsvc/smtp_sink.py; }

# Starts scripts/testsvc/oidc/provider.mjs (npm oidc-provider) on
# 127.0.0.1:$KW_OIDC_PORT (default 55080, or the next free port) and exports
# KAWARABAN_TEST_OIDC_ISSUER, _CLIENT_ID and _CLIENT_SECRET. It accepts any
# redirect_uri on 127.0.0.1, localhost or *.localhost; sign in by typing an
# email (alice@example.test, bob@example.test with an unverified email, or any
# other) and pressing "Sign in".
start_oidc_provider() {
  command -v npm >/dev/null || ensure_debs nodejs npm
  local dir="$KW_ROOT/scripts/testsvc/oidc" text="scripts/testsvc/oidc/provider.mjs" port
  export KAWARABAN_TEST_OIDC_CLIENT_ID=kawaraban-test
  export KAWARABAN_TEST_OIDC_CLIENT_SECRET=kawaraban-test-secret
  if _kw_alive "$(cat "$KW_RUN/oidc.pid" 2>/dev/null || true)" "$text"; then
    port="$(cat "$KW_RUN/oidc.port")"
  else
    if [ ! -d "$dir/node_modules" ]; then
      log "installing npm packages (npm ci in scripts/testsvc/oidc)"
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    fi
    port="$(_kw_port "${KW_OIDC_PORT:-}" 55080)" || return 1
    log "starting the OpenID Connect provider on 127.0.0.1:$port"
    node "$KW_ROOT/$text" --port "$port" \
      --client-id "$KAWARABAN_TEST_OIDC_CLIENT_ID" --client-secret "$KAWARABAN_TEST_OIDC_CLIENT_SECRET" \
      </dev/null >"$KW_RUN/oidc.log" 2>&1 &
    _kw_wait_ready oidc $! "$text" "$port" || return 1
  fi
  export KAWARABAN_TEST_OIDC_ISSUER="http://127.0.0.1:$port"
}

stop_oidc_provider() { _kw_stop oidc scripts/testsvc/oidc/provider.mjs; }
