#!/usr/bin/env bash
# Runs the graphql-http conformance audit (scripts/graphql-http-audit.mjs)
# against a throwaway lectern server.
#
#   scripts/graphql-http-audit.sh [PATH_TO_LECTERN_BINARY]
#
# The binary defaults to $CARGO_TARGET_DIR/debug/lectern (CARGO_TARGET_DIR
# defaults to ~/.cache/lectern/target). It is copied to a temp directory and
# run from there as `lectern serve` in embedded mode (SQLite under a temp
# DATA_DIR, no DATABASE_URL/REDIS_URL, no .env picked up), on
# HOST=127.0.0.1 PORT=18282 ($AUDIT_PORT overrides the port). Once
# GET /readyz answers 200 the audit runs; then the server is stopped and the
# audit's exit code is returned (1 when a MUST audit fails).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HOME="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
target="${CARGO_TARGET_DIR:-$HOME/.cache/lectern/target}"
bin="${1:-$target/debug/lectern}"
port="${AUDIT_PORT:-18282}"
base="http://127.0.0.1:$port"

# The binary may be in the middle of a rebuild: give it a minute to appear.
for _ in $(seq 60); do
  [ -x "$bin" ] && break
  sleep 1
done
if [ ! -x "$bin" ]; then
  echo "graphql-http-audit: no executable lectern binary at $bin" >&2
  exit 2
fi

if curl -s -o /dev/null --max-time 2 "$base/readyz"; then
  echo "graphql-http-audit: something already answers on $base; stop it or set AUDIT_PORT" >&2
  exit 2
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/lectern-audit.XXXXXX")"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# Run a copy, so a concurrent cargo build can replace the original freely.
cp "$bin" "$work/lectern"
mkdir -p "$work/data"

(
  cd "$work"
  exec env -u DATABASE_URL -u REDIS_URL \
    DATA_DIR="$work/data" HOST=127.0.0.1 PORT="$port" \
    "$work/lectern" serve
) >"$work/server.log" 2>&1 &
server_pid=$!

ready=""
for _ in $(seq 120); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "graphql-http-audit: the server exited before it was ready; its log:" >&2
    tail -n 40 "$work/server.log" >&2
    exit 2
  fi
  if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$base/readyz")" = 200 ]; then
    ready=1
    break
  fi
  sleep 0.5
done
if [ -z "$ready" ]; then
  echo "graphql-http-audit: $base/readyz did not answer 200 within 60s; server log:" >&2
  tail -n 40 "$work/server.log" >&2
  exit 2
fi

status=0
node "$here/graphql-http-audit.mjs" "$base/graphql" || status=$?
exit "$status"
