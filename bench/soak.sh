#!/usr/bin/env bash
# shellcheck disable=SC2016  # $e, $p, $q and $post are GraphQL variables, not shell ones
# Soak: a mixed load for a long while, with the server's memory sampled as it
# goes, so growth that only shows after minutes (a cache without a bound, a
# buffer that is never given back, allocator arenas) is seen.
#
#   bench/soak.sh                       # scaled: PostgreSQL + Redis from scripts/test-services
#   BENCH_EMBEDDED=1 bench/soak.sh      # embedded SQLite, everything in process
#
# The load (wrk, one Lua script, BENCH_CONNECTIONS connections) mixes, per
# 100 requests: 45 home feeds, 25 post pages with their comment thread, 15
# keyword searches with a different query each time (so caches see new
# keys), 10 signed-in `me` reads, 4 comments, and 1 login (argon2: 19 MiB of
# hashing memory per attempt). Every SOAK_SAMPLE_SECS the server's RSS is
# written to a CSV (seconds,rss_kib) and printed; at the end: first, peak,
# last and the growth over the second half of the run (a bounded server
# levels off, so that figure stays near zero).
#
# Settings: SOAK_DURATION (600 s), SOAK_SAMPLE_SECS (5), BENCH_SCALE (2000
# posts), BENCH_CONNECTIONS (32), BENCH_PORT (18183), SOAK_BIN (a lectern
# binary instead of building the release one), SOAK_CSV (where the samples
# go; default bench-soak-<mode>.csv in the working directory), SOAK_LOG (a
# path to keep the server's log at), SOAK_SKIP_INDEXING=1 (drops the seed's
# search-indexing jobs before the load, so the run measures the requests'
# memory without the embedding model's working memory beside it). Needs wrk,
# curl, python3 (and psql for PostgreSQL). Not run in CI.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/lectern/target}"
DURATION="${SOAK_DURATION:-600}"
SAMPLE="${SOAK_SAMPLE_SECS:-5}"
SCALE="${BENCH_SCALE:-2000}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
PORT="${BENCH_PORT:-18183}"
ADMIN_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5433/postgres}"
REDIS="${BENCH_REDIS_URL:-redis://127.0.0.1:6390}"
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install -y $tool)" >&2; exit 1; }
done

WORK=$(mktemp -d)
BIN="$WORK/lectern"
if [ -n "${SOAK_BIN:-}" ]; then
  cp "$SOAK_BIN" "$BIN"
else
  cargo build --release --locked -q
  cp "$CARGO_TARGET_DIR/release/lectern" "$BIN"
fi
SERVER_PID=""
DB_NAME=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
  wait 2>/dev/null
  if [ -n "$DB_NAME" ]; then psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

unset DATABASE_URL REDIS_URL
export HOST=127.0.0.1 PORT="$PORT" LOG_FORMAT=json RUST_LOG=warn DATA_DIR="$WORK/data"
# The embedding model the tests fetch, when it is there (else indexing retries and says so).
if [ -z "${EMBEDDING_MODEL_DIR:-}" ] && [ -d "$HOME/.cache/lectern/models/all-MiniLM-L6-v2" ]; then
  export EMBEDDING_MODEL_DIR="$HOME/.cache/lectern/models/all-MiniLM-L6-v2"
fi
# Rate limits stay on; the load spreads its sign-ins over the batch's 180
# readers and over client addresses (X-Forwarded-For, trusted here), so each
# login really hashes, and lifts the comment and search limits.
export TRUST_PROXY_HEADERS=true COMMENT_BURST=1000000 SEARCHES_PER_MINUTE=60000
if [ -n "${BENCH_EMBEDDED:-}" ]; then
  MODE=embedded
else
  command -v psql >/dev/null || { echo "psql is missing" >&2; exit 1; }
  DB_NAME="lectern_soak_$(date +%s)"
  psql "$ADMIN_URL" -qc "CREATE DATABASE $DB_NAME" >/dev/null
  export DATABASE_URL="${ADMIN_URL%/*}/$DB_NAME" REDIS_URL="$REDIS" REDIS_KEY_PREFIX="soak$(date +%s):" \
    JWT_SECRET=bench-secret-0123456789abcdef-0123456789 CERTIFICATE_SIGNING_KEY=YmVuY2gtY2VydGlmaWNhdGUtc2VlZC0wMTIzNDU2Nzg=
  MODE=scaled
fi
CSV="${SOAK_CSV:-bench-soak-$MODE.csv}"
echo "mode: $MODE, $DURATION s, $CONNECTIONS connections, $SCALE posts"

"$BIN" migrate >/dev/null 2>&1
BATCH=$("$BIN" seed --scale "$SCALE" | sed -n 's/.*Added batch \([^:]*\):.*/\1/p')
if [ -n "${SOAK_SKIP_INDEXING:-}" ]; then
  drop_indexing="DELETE FROM jobs WHERE kind = 'index_post'"
  if [ "$MODE" = embedded ]; then
    python3 -c 'import sqlite3,sys; db=sqlite3.connect(sys.argv[1]); db.execute(sys.argv[2]); db.commit()' "$DATA_DIR/lectern.db" "$drop_indexing"
  else
    psql "$DATABASE_URL" -qc "$drop_indexing"
  fi
fi
"$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
until curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do sleep 0.1; done

post() { # post TOKEN JSON -> response body
  curl -fs "http://127.0.0.1:$PORT/graphql" -H 'content-type: application/json' ${1:+-H "authorization: Bearer $1"} --data-binary "$2"
}
LOGIN='{"query":"mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { accessToken } }","variables":{"e":"reader@lectern.dev","p":"lectern-reader-demo-2026"}}'
TOKEN=$(post "" "$LOGIN" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["login"]["accessToken"])')
POST_ID=$(post "" '{"query":"{ post(slug: \"ownership-and-borrowing-explained\") { id } }"}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["post"]["id"])')

cat >"$WORK/soak.lua" <<LUA
local feed = '{"query":"{ posts(first: 20) { totalCount edges { node { id slug title excerpt readingMinutes author { displayName } tags { slug } series { title } commentCount reactions { kind count } viewerHasBookmarked } } } }"}'
local page = '{"query":"query(\$slug: String!) { post(slug: \$slug) { title bodyHtml author { displayName } tags { slug } thread(first: 50) { edges { node { id depth body author { displayName } } } } } }","variables":{"slug":"ownership-and-borrowing-explained"}}'
local me = '{"query":"{ me { id email displayName } unreadNotificationCount }"}'
local login = '{"query":"mutation(\$e: String!, \$p: String!) { login(input: {email: \$e, password: \$p}) { accessToken } }","variables":{"e":"reader%03d.$BATCH@scale.lectern.dev","p":"lectern-scale-reader-2026"}}'
local words = {"rust","ownership","index","query","async","trait","borrow","lifetime","btree","vacuum","tokio","future","join","cache","lock"}
local n = 0
request = function()
  n = n + 1
  local r = n % 100
  local body
  local auth = false
  if r < 45 then body = feed
  elseif r < 70 then body = page
  elseif r < 85 then
    body = string.format('{"query":"query(\$q: String!) { search(query: \$q, mode: KEYWORD, first: 10) { hits { score snippet post { slug } } } }","variables":{"q":"%s %d"}}', words[(n % #words) + 1], n)
  elseif r < 95 then body = me; auth = true
  elseif r < 99 then
    body = string.format('{"query":"mutation(\$post: ID!, \$b: String!) { addComment(postId: \$post, body: \$b) { id } }","variables":{"post":"$POST_ID","b":"soak comment %d"}}', n)
    auth = true
  else body = string.format(login, 20 + math.floor(n / 100) % 180) end
  local headers = { ["Content-Type"] = "application/json", ["X-Forwarded-For"] = string.format("10.%d.%d.%d", n % 200, math.floor(n / 200) % 200, math.floor(n / 40000) % 200) }
  if auth then headers["Authorization"] = "Bearer $TOKEN" end
  return wrk.format("POST", "/graphql", headers, body)
end
done = function(summary, latency, requests)
  io.write(string.format("requests/s: %.0f, p50 %.1f ms, p99 %.1f ms, %d non-2xx, %d socket errors\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA

rss() { awk '/^VmRSS/ {print $2}' "/proc/$SERVER_PID/status"; }
echo "seconds,rss_kib" >"$CSV"
echo "0,$(rss)" >>"$CSV"
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s -s "$WORK/soak.lua" "http://127.0.0.1:$PORT/graphql" >"$WORK/wrk.out" &
WRK_PID=$!
start=$(date +%s)
while kill -0 "$WRK_PID" 2>/dev/null; do
  sleep "$SAMPLE"
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "the server died; log:" >&2; tail -20 "$WORK/server.log" >&2; exit 1; }
  t=$(( $(date +%s) - start ))
  r=$(rss)
  echo "$t,$r" >>"$CSV"
  printf '%4d s  RSS %5d MiB\n' "$t" $(( r / 1024 ))
done
wait "$WRK_PID" || true
cat "$WORK/wrk.out" | grep -E 'requests/s' || cat "$WORK/wrk.out"
python3 - "$CSV" <<'PY'
import csv, sys
rows = [(int(r["seconds"]), int(r["rss_kib"])) for r in csv.DictReader(open(sys.argv[1]))]
half = [r for t, r in rows if t >= rows[-1][0] / 2]
mib = lambda k: k / 1024
print(f"RSS: first {mib(rows[0][1]):.0f} MiB, peak {mib(max(r for _, r in rows)):.0f} MiB, last {mib(rows[-1][1]):.0f} MiB; "
      f"second half {mib(min(half)):.0f}..{mib(max(half)):.0f} MiB (growth {mib(half[-1] - half[0]):+.0f} MiB)")
PY
echo "samples: $CSV"
# How far the background work got: the search indexing of the seeded posts runs through the job queue.
jobs_by_status() {
  if [ "$MODE" = embedded ]; then
    python3 -c 'import sqlite3, sys
for kind, status, n in sqlite3.connect(sys.argv[1]).execute("SELECT kind, status, count(*) FROM jobs GROUP BY kind, status ORDER BY 1, 2"):
    print(f"  {kind:24s} {status:10s} {n:6d}")' "$WORK/data/lectern.db"
  else
    psql "$DATABASE_URL" -Atc "SELECT kind, status, count(*) FROM jobs GROUP BY kind, status ORDER BY 1, 2" | tr '|' ' ' | sed 's/^/  /'
  fi
}
echo "jobs at the end, by kind and status:"
jobs_by_status || true
if [ -n "${SOAK_LOG:-}" ]; then cp "$WORK/server.log" "$SOAK_LOG"; echo "server log: $SOAK_LOG"; fi
echo "server warnings/errors: $(grep -c '"level":"\(WARN\|ERROR\)"' "$WORK/server.log" || true), most frequent:"
grep '"level":"\(WARN\|ERROR\)"' "$WORK/server.log" | python3 -c '
import collections, json, sys
counts = collections.Counter(json.loads(line).get("fields", {}).get("message", "?") for line in sys.stdin)
for message, count in counts.most_common(5):
    print(f"  {count:6d}  {message[:120]}")
' || true
