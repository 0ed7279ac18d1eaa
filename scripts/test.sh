#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine: installs and starts what
# the tests need (PostgreSQL, an SMTP server that keeps what it receives, an
# OpenID Connect provider, Chromium, Java for the HTML checker, npm
# packages), all on loopback; runs every Rust test on SQLite and again on
# PostgreSQL, then the browser tests against a demo server.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh

ensure_debs postgresql chromium nginx   # nginx: the trusted-proxy test puts it in front
command -v java >/dev/null || ensure_debs default-jre-headless
command -v npm >/dev/null || ensure_debs nodejs npm
command -v openssl >/dev/null || ensure_debs openssl   # the DKIM test makes its key
/usr/bin/python3 -c 'import dkim' 2>/dev/null || ensure_debs python3-dkim   # and verifies its signatures
start_postgres
start_smtp_sink
start_oidc_provider
trap 'stop_oidc_provider; stop_smtp_sink; stop_postgres' EXIT

log "Rust tests on SQLite"
cargo test --workspace --locked

log "Rust tests on PostgreSQL ($KAWARABAN_TEST_PG_URL)"
KAWARABAN_TEST_DB=postgres cargo test --workspace --locked

log "browser tests (Chromium, axe-core, Nu HTML Checker)"
cargo build --locked -p kawaraban
bash scripts/e2e.sh
