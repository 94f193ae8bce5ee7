#!/usr/bin/env bash
# Fan-out benchmarks (BENCHMARKS.md): how many idle websocket subscribers one
# instance holds, the memory each idle subscription costs, and the time one
# event takes to reach every one of 1,000 and 5,000 subscribers (p50/p99).
#
#   bench/fanout.sh                 # embedded mode (SQLite, in-process bus)
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5433/postgres \
#   BENCH_REDIS_URL=redis://127.0.0.1:6390 bench/fanout.sh   # scaled mode (PostgreSQL + Redis bus)
#
# For each subscriber count it starts a fresh server on the same data, then
# runs the load client (bench/fanout, Rust; its own cargo workspace): N
# graphql-transport-ws connections signed in as the demo reader, each
# subscribed to `commentAdded` on one demo post; the server's RSS before and
# with them idle; its CPU time over 5 idle seconds; then a warm-up comment
# that must reach all N (proof every subscription is live) and BENCH_EVENTS
# `addComment` mutations over HTTP, one at a time, each timed from just
# before it is sent to the moment each subscriber reads its `next` message.
#
# Settings: BENCH_SUBSCRIBERS ("1000 5000"), BENCH_MAX_IDLE (the idle probe's
# connection count: 20000, or the open-files limit less 500 when that is
# lower; 0 skips it), BENCH_CONNECT_ONLY (5000 acknowledged connections that
# subscribe to nothing, for the memory of a bare connection; 0 skips it), BENCH_EVENTS (20), BENCH_GAP_MS (250, between events),
# BENCH_PORT (18183), BENCH_SELECTION (the `commentAdded` selection, "id body";
# e.g. "id body author { displayName }"), BENCH_CLIENT_ARGS (more client flags,
# e.g. "--anonymous" for subscribers that do not sign in), BENCH_BIN (a release
# `lectern` binary to measure instead of building one: to compare two builds
# back to back).
# Needs curl (and psql for PostgreSQL). Builds both release binaries first.
# Every subscriber is a socket in the client and in the server, so the script
# raises the open-files limit as far as the hard limit allows. Load client
# and server share this machine (and its cores), so figures are a floor, not
# a ceiling. Not run in CI.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/lectern/target}"
PORT="${BENCH_PORT:-18183}"
SUBSCRIBERS="${BENCH_SUBSCRIBERS:-1000 5000}"
EVENTS="${BENCH_EVENTS:-20}"
GAP_MS="${BENCH_GAP_MS:-250}"
CONNECT_ONLY="${BENCH_CONNECT_ONLY:-5000}"
SELECTION="${BENCH_SELECTION:-id body}"
command -v curl >/dev/null || { echo "curl is missing (apt-get install -y curl)" >&2; exit 1; }

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
NOFILE=$(ulimit -n)
MAX_IDLE="${BENCH_MAX_IDLE:-$(( NOFILE - 500 < 20000 ? NOFILE - 500 : 20000 ))}"

[ -n "${BENCH_BIN:-}" ] || cargo build --release --locked -q --bin lectern
cargo build --release --locked -q --manifest-path bench/fanout/Cargo.toml
WORK=$(mktemp -d)
# Private copies: the target directory may be shared, and another build may replace a binary mid-run.
BIN="$WORK/lectern"
CLIENT="$WORK/fanout"
cp "${BENCH_BIN:-$CARGO_TARGET_DIR/release/lectern}" "$BIN"
cp "$CARGO_TARGET_DIR/release/fanout" "$CLIENT"
SERVER_PID=""
DB_NAME=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
  wait 2>/dev/null
  if [ -n "$DB_NAME" ]; then
    psql "$BENCH_DATABASE_URL" -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

unset DATABASE_URL REDIS_URL
export HOST=127.0.0.1 PORT="$PORT" LOG_FORMAT=json RUST_LOG=warn DATA_DIR="$WORK/data"
# No job worker in the server: in embedded mode it would fetch the embedding model and index
# the demo posts while the benchmark measures, and every mode should measure the same process.
# The events are comments by one account, more than the default burst allows.
export IN_PROCESS_WORKER=false COMMENT_BURST=1000
if [ -n "${BENCH_DATABASE_URL:-}" ]; then
  command -v psql >/dev/null || { echo "psql is missing (apt-get install -y postgresql-client)" >&2; exit 1; }
  DB_NAME="lectern_fanout_bench_$(date +%s)"
  # A fresh database; `seed` applies the migrations and loads the demo dataset.
  psql "$BENCH_DATABASE_URL" -qc "CREATE DATABASE $DB_NAME" >/dev/null
  export DATABASE_URL="${BENCH_DATABASE_URL%/*}/$DB_NAME" JWT_SECRET=bench-secret-0123456789abcdef-0123456789 CERTIFICATE_SIGNING_KEY=YmVuY2gtY2VydGlmaWNhdGUtc2VlZC0wMTIzNDU2Nzg=
  [ -n "${BENCH_REDIS_URL:-}" ] && export REDIS_URL="$BENCH_REDIS_URL" REDIS_KEY_PREFIX="fanout$(date +%s):"
  MODE="scaled (PostgreSQL${BENCH_REDIS_URL:+ + Redis})"
else
  MODE="embedded (SQLite, in-process bus)"
fi
# Migrations and the demo dataset in a separate process, so every server starts alike.
"$BIN" seed >/dev/null
echo "mode: $MODE; open files limit $NOFILE; $(nproc) cores shared by server, client${DB_NAME:+ and services}"
# Anything else busy on the machine shows up in every timing below.
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

start_server() {
  "$BIN" serve >/dev/null 2>>"$WORK/server.log" &
  SERVER_PID=$!
  until curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do sleep 0.05; done
  # One request first, so the process has served something before its RSS is read.
  curl -fs "http://127.0.0.1:$PORT/graphql" -H 'content-type: application/json' -d '{"query":"{ __typename }"}' >/dev/null
}
stop_server() {
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}

run() { # run N [client flags…]
  local n=$1; shift
  echo "== $n subscribers${1:+ ($*)} =="
  start_server
  # shellcheck disable=SC2086  # BENCH_CLIENT_ARGS is a list of flags
  "$CLIENT" --url "http://127.0.0.1:$PORT" --server-pid "$SERVER_PID" --connections "$n" \
    --events "$EVENTS" --gap-ms "$GAP_MS" --selection "$SELECTION" "$@" ${BENCH_CLIENT_ARGS:-} | tee -a "$WORK/results" | grep -v '^result '
  stop_server
  sleep 2 # let the client's closed sockets drain
}

for n in $SUBSCRIBERS; do run "$n"; done
# The same connections without their subscription: what the bare connection costs.
[ "$CONNECT_ONLY" -gt 0 ] && run "$CONNECT_ONLY" --connect-only
[ "$MAX_IDLE" -gt 0 ] && run "$MAX_IDLE" --probe --open-concurrency 128

if grep -q '"level":"WARN"\|"level":"ERROR"' "$WORK/server.log" 2>/dev/null; then
  echo "server warnings/errors (first 5):"
  grep '"level":"WARN"\|"level":"ERROR"' "$WORK/server.log" | head -5
fi

echo "== summary: $MODE, commentAdded { $SELECTION }, $EVENTS events per row =="
python3 - "$WORK/results" <<'PY'
import json, sys
rows = [json.loads(line.split(" ", 1)[1]) for line in open(sys.argv[1]) if line.startswith("result ")]
print("| subscribers | server RSS before → idle | per idle subscription | server CPU idle | delivery p50 / p99 | time to all p50 / p99 | addComment response p50 | server CPU per event |")
print("|---|---|---|---|---|---|---|---|")
for r in rows:
    held = f"{r['subscribed']:,}" + ("" if r["subscribed"] == r["connections"] else f" of {r['connections']:,}")
    if r.get("connect_only"):
        print(f"| {held} connections, no subscription | {r['rss_before_mib']:.0f} → {r['rss_idle_mib']:.0f} MiB"
              f" | {r['kib_per_subscription']:.1f} KiB per connection | {r['idle_cpu_ms']} ms in {r['idle_secs']:.0f} s | — | — | — | — |")
        continue
    missed = f" ({r['incomplete_events']} events missed someone)" if r["incomplete_events"] else ""
    print(f"| {held} | {r['rss_before_mib']:.0f} → {r['rss_idle_mib']:.0f} MiB | {r['kib_per_subscription']:.1f} KiB"
          f" | {r['idle_cpu_ms']} ms in {r['idle_secs']:.0f} s"
          f" | {r['delivery_p50_ms']:.1f} / {r['delivery_p99_ms']:.1f} ms | {r['to_all_p50_ms']:.1f} / {r['to_all_p99_ms']:.1f} ms"
          f" | {r['mutation_p50_ms']:.1f} ms | {r['server_cpu_ms_per_event']:.0f} ms |{missed}")
PY
