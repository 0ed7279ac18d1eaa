#!/usr/bin/env bash
# Browser end-to-end tests: starts the demo network on a free loopback port
# and runs tests/e2e/*.spec.mjs with Node's test runner, playwright-core and
# Debian's Chromium, axe-core and the Nu HTML Checker.
#
#   bash scripts/e2e.sh                     # uses target/debug/kawaraban
#   KAWARABAN_BIN=target/release/kawaraban bash scripts/e2e.sh
#   KW_BASE=http://news.localhost:8080 bash scripts/e2e.sh   # a server you started
#   bash scripts/e2e.sh tests/e2e/article.spec.mjs           # some specs only
#
# It does not build the server: run `cargo build` first. With its own server
# it also needs the SMTP sink and the OpenID Connect provider of
# scripts/services.sh: it uses those named by KAWARABAN_TEST_SMTP_URL (with
# KAWARABAN_TEST_MAIL_DIR) and KAWARABAN_TEST_OIDC_ISSUER (with _CLIENT_ID and
# _CLIENT_SECRET), as scripts/test.sh exports them, or starts (and afterwards
# stops) them itself. The provider is registered as "test" ("Continue with
# Test ID"); every email the server sends lands in KAWARABAN_TEST_MAIL_DIR.
# Screenshots go to tests/e2e/screenshots/ and docs/screenshot-article.png.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
E2E="$ROOT/tests/e2e"
cd "$ROOT"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf '\033[1;31merror: %s\033[0m\n' "$*" >&2; exit 2; }

# --- tools -----------------------------------------------------------------
if [ ! -x /usr/bin/chromium ]; then
  log "installing chromium (Debian)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq chromium >/dev/null
fi
if ! command -v java >/dev/null 2>&1; then
  log "installing a Java runtime for the Nu HTML Checker (Debian)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends default-jre-headless >/dev/null
fi
command -v node >/dev/null 2>&1 || die "node (v20 or newer) is needed"

# HTTP status of a URL on loopback (curl, or node when curl is missing).
http_code() {
  if command -v curl >/dev/null 2>&1; then
    curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" 2>/dev/null || true
  else
    node -e 'fetch(process.argv[1],{signal:AbortSignal.timeout(2000)}).then(r=>console.log(r.status),()=>console.log(0))' "$1"
  fi
}

# npm ci when node_modules is missing or was installed from another lockfile.
# Install scripts are skipped: vnu-jar's would try to download a Java runtime.
lock_sum="$(sha256sum "$E2E/package-lock.json" | cut -d' ' -f1)"
stamp="$E2E/node_modules/.kawaraban-e2e-lock"
if [ ! -d "$E2E/node_modules" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$lock_sum" ]; then
  log "installing npm packages (npm ci in tests/e2e)"
  (cd "$E2E" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  echo "$lock_sum" >"$stamp"
fi

# --- server ----------------------------------------------------------------
TMP="$(mktemp -d /tmp/kawaraban-e2e.XXXXXX)"
SERVER_PID=""
NODE_PID=""
TESTS_RAN=""
STARTED_SMTP=""
STARTED_OIDC=""
cleanup() {
  local status=$?
  if [ -n "$NODE_PID" ]; then
    # The runner's per-file test processes first (they close their browsers on TERM).
    for child in $(pgrep -P "$NODE_PID" 2>/dev/null); do kill "$child" 2>/dev/null || true; done
    kill "$NODE_PID" 2>/dev/null || true
    wait "$NODE_PID" 2>/dev/null || true
  fi
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  # Only the test services this script started (not those of scripts/test.sh).
  if [ -n "$STARTED_OIDC" ]; then stop_oidc_provider || true; fi
  if [ -n "$STARTED_SMTP" ]; then stop_smtp_sink || true; fi
  if [ "$status" -ne 0 ] && [ -s "$TMP/server.log" ]; then
    if [ -z "$TESTS_RAN" ]; then
      log "last lines of the server log:"
      tail -n 40 "$TMP/server.log" >&2
    fi
    mkdir -p "$E2E/test-results"
    cp "$TMP/server.log" "$E2E/test-results/server.log"
    log "server log saved to tests/e2e/test-results/server.log"
  fi
  rm -rf "$TMP"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -n "${KW_BASE:-}" ]; then
  KW_PORT="${KW_PORT:-$(node -e 'const u=new URL(process.argv[1]);console.log(u.port||80)' "$KW_BASE")}"
  log "using the server at $KW_BASE"
else
  KAWARABAN_BIN="${KAWARABAN_BIN:-$ROOT/target/debug/kawaraban}"
  [ -x "$KAWARABAN_BIN" ] || die "no server binary at $KAWARABAN_BIN (build it with cargo build, or set KAWARABAN_BIN)"
  # A copy, so that a rebuild elsewhere cannot swap the binary mid-run.
  cp "$KAWARABAN_BIN" "$TMP/kawaraban"
  BIN="$TMP/kawaraban"

  # The SMTP sink and the OpenID Connect provider (scripts/services.sh):
  # reused when the caller exported them, else started here and stopped at
  # the end. A service already running from an earlier start is reused and
  # left running (its pid file does not change).
  source "$ROOT/scripts/services.sh"
  if [ -z "${KAWARABAN_TEST_SMTP_URL:-}" ]; then
    pid_before="$(cat "$KW_RUN/smtp.pid" 2>/dev/null || true)"
    start_smtp_sink || die "cannot start the SMTP sink (log: $KW_RUN/smtp.log)"
    [ "$(cat "$KW_RUN/smtp.pid" 2>/dev/null || true)" = "$pid_before" ] || STARTED_SMTP=1
  fi
  [ -n "${KAWARABAN_TEST_MAIL_DIR:-}" ] && [ -d "$KAWARABAN_TEST_MAIL_DIR" ] \
    || die "KAWARABAN_TEST_SMTP_URL is set but KAWARABAN_TEST_MAIL_DIR (the sink's directory) is not, or is no directory"
  if [ -z "${KAWARABAN_TEST_OIDC_ISSUER:-}" ]; then
    pid_before="$(cat "$KW_RUN/oidc.pid" 2>/dev/null || true)"
    start_oidc_provider || die "cannot start the OpenID Connect provider (log: $KW_RUN/oidc.log)"
    [ "$(cat "$KW_RUN/oidc.pid" 2>/dev/null || true)" = "$pid_before" ] || STARTED_OIDC=1
  fi
  [ -n "${KAWARABAN_TEST_OIDC_CLIENT_ID:-}" ] && [ -n "${KAWARABAN_TEST_OIDC_CLIENT_SECRET:-}" ] \
    || die "KAWARABAN_TEST_OIDC_ISSUER is set but KAWARABAN_TEST_OIDC_CLIENT_ID or _CLIENT_SECRET is not"

  # The sign-in provider, stored in the new database (which this creates);
  # serve --demo then installs the demo network into it.
  log "registering the OpenID Connect provider at $KAWARABAN_TEST_OIDC_ISSUER as \"test\""
  KAWARABAN_CLIENT_SECRET="$KAWARABAN_TEST_OIDC_CLIENT_SECRET" \
    "$BIN" --data-dir "$TMP/data" auth provider add test --kind oidc --name "Test ID" \
    --issuer "$KAWARABAN_TEST_OIDC_ISSUER" --client-id "$KAWARABAN_TEST_OIDC_CLIENT_ID" >"$TMP/provider.log" 2>&1 \
    || { cat "$TMP/provider.log" >&2; die "kawaraban auth provider add failed"; }

  KW_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
    || node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
  log "starting $KAWARABAN_BIN (copied to $BIN) on 127.0.0.1:$KW_PORT (data in $TMP/data, mail to $KAWARABAN_TEST_SMTP_URL)"
  "$BIN" --data-dir "$TMP/data" serve --demo --listen "127.0.0.1:$KW_PORT" \
    --smtp-url "$KAWARABAN_TEST_SMTP_URL" >"$TMP/server.log" 2>&1 &
  SERVER_PID=$!
  ready=""
  wait_start=$(date +%s)
  for _ in $(seq 1 240); do
    kill -0 "$SERVER_PID" 2>/dev/null || die "the server exited before it was ready"
    if [ "$(http_code "http://127.0.0.1:$KW_PORT/readyz")" = 200 ]; then
      ready=1; break
    fi
    sleep 0.5
  done
  [ -n "$ready" ] || die "http://127.0.0.1:$KW_PORT/readyz did not answer 200 within 120 s"
  KW_BASE="http://news.localhost:$KW_PORT"
  # The comments tests run the CLI (site rules, a moderator) on this database.
  export KW_DATA_DIR="$TMP/data" KW_BIN="$BIN"
  log "server ready after $(( $(date +%s) - wait_start )) s: $KW_BASE"
fi
# The members tests read the server's email from the sink's directory.
KAWARABAN_TEST_MAIL_DIR="${KAWARABAN_TEST_MAIL_DIR:-}"
export KW_BASE KW_PORT KAWARABAN_TEST_MAIL_DIR

# --- tests -----------------------------------------------------------------
if [ $# -gt 0 ]; then specs=("$@"); else specs=("$E2E"/*.spec.mjs); fi
log "running ${#specs[@]} spec file(s)"
started=$(date +%s)
TESTS_RAN=1
set +e
# In the background so that a TERM to this script is handled at once.
node --test --test-concurrency=1 --test-reporter=spec --test-timeout=300000 "${specs[@]}" &
NODE_PID=$!
wait "$NODE_PID"
status=$?
NODE_PID=""
set -e
log "e2e finished in $(( $(date +%s) - started )) s with status $status"
exit "$status"
