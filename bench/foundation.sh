#!/usr/bin/env bash
# Foundation benchmarks (BENCHMARKS.md): start-up time to /readyz 200,
# requests/s and latency for `{ me { id } }` with a valid token at 32
# connections, and the server's memory (RSS) idle and under that load.
#
#   bench/foundation.sh                 # embedded mode (SQLite, in process)
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5433/postgres \
#   BENCH_REDIS_URL=redis://127.0.0.1:6390 bench/foundation.sh   # scaled mode
#
# Needs wrk (apt-get install wrk). Builds the release binary first. Load
# generator and server share this machine, so figures are a floor, not a ceiling.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/lectern/target}"
PORT="${BENCH_PORT:-18181}"
DURATION="${BENCH_DURATION:-20s}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

cargo build --release --locked -q
BIN="$CARGO_TARGET_DIR/release/lectern"
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

export HOST=127.0.0.1 PORT="$PORT" LOG_FORMAT=json RUST_LOG=warn
if [ -n "${BENCH_DATABASE_URL:-}" ]; then
  db="lectern_bench_$(date +%s)"
  # A fresh database; `seed` applies the migrations and loads the demo accounts.
  psql "$BENCH_DATABASE_URL" -qc "CREATE DATABASE $db" >/dev/null
  export DATABASE_URL="${BENCH_DATABASE_URL%/*}/$db" JWT_SECRET=bench-secret-0123456789abcdef-0123456789 CERTIFICATE_SIGNING_KEY=YmVuY2gtY2VydGlmaWNhdGUtc2VlZC0wMTIzNDU2Nzg=
  [ -n "${BENCH_REDIS_URL:-}" ] && export REDIS_URL="$BENCH_REDIS_URL" REDIS_KEY_PREFIX="bench$(date +%s):"
  MODE="scaled (PostgreSQL${BENCH_REDIS_URL:+ + Redis})"
  DATA_DIR="$WORK/data" "$BIN" seed >/dev/null
else
  MODE="embedded (SQLite)"
fi

now_ms() { date +%s%3N; }
wait_ready() {
  local start=$1
  until curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do sleep 0.005; done
  echo $(( $(now_ms) - start ))
}
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }

echo "mode: $MODE"
echo "== start-up to /readyz 200 (ms), 5 runs each =="
for kind in fresh warm; do
  times=()
  for i in 1 2 3 4 5; do
    if [ "$kind" = fresh ] || [ ! -d "$WORK/data-warm" ]; then rm -rf "$WORK/data-$kind"; fi
    start=$(now_ms)
    DATA_DIR="$WORK/data-$kind" "$BIN" serve >/dev/null 2>&1 &
    SERVER_PID=$!
    times+=("$(wait_ready "$start")")
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  done
  echo "$kind data dir: ${times[*]}"
done

echo "== { me { id } } with a bearer token, $CONNECTIONS connections, $DURATION =="
DATA_DIR="$WORK/data-load" "$BIN" serve >/dev/null 2>&1 &
SERVER_PID=$!
wait_ready "$(now_ms)" >/dev/null
sleep 1
echo "RSS idle: $(( $(rss_kb $SERVER_PID) / 1024 )) MiB"
token=$(curl -fs "http://127.0.0.1:$PORT/graphql" -H 'content-type: application/json' \
  -d '{"query":"mutation { login(input: {email: \"reader@lectern.dev\", password: \"lectern-reader-demo-2026\"}) { accessToken } }"}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["login"]["accessToken"])')
cat > "$WORK/me.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"query":"{ me { id } }"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
done = function(summary, latency, requests)
  io.write(string.format("requests/s: %.0f\n", summary.requests / (summary.duration / 1e6)))
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("p%s: %.2f ms\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("errors: %d non-2xx, %d socket\n", summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA
# Warm-up, then the measured run while sampling RSS.
wrk -t2 -c"$CONNECTIONS" -d3s -s "$WORK/me.lua" "http://127.0.0.1:$PORT/graphql" >/dev/null
peak=0
( while kill -0 "$SERVER_PID" 2>/dev/null; do r=$(rss_kb $SERVER_PID); echo "$r"; sleep 0.2; done ) > "$WORK/rss" &
sampler=$!
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s "$WORK/me.lua" "http://127.0.0.1:$PORT/graphql" | sed -n '/requests\/s/,$p'
kill $sampler 2>/dev/null || true
peak=$(sort -n "$WORK/rss" | tail -1)
echo "RSS under load: peak $(( peak / 1024 )) MiB (VmHWM $(( $(hwm_kb $SERVER_PID) / 1024 )) MiB)"
