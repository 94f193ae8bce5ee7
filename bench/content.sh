#!/usr/bin/env bash
# shellcheck disable=SC2016  # $slug, $e and $p are GraphQL variables, not shell ones
# Content benchmarks (BENCHMARKS.md): how long `lectern seed --scale N` takes
# on a fresh database, then requests/s and latency at 32 connections for the
# two pages every visit starts with: the home feed and a post page, each as
# a share of the floor (`{ me { id } }`) measured in the same run, with the
# server's and PostgreSQL's CPU time per request (from /proc; this
# PostgreSQL build ships no pg_stat_statements); and the RSS feed
# (/feed.xml), computed and from the response cache.
#
#   bench/content.sh                    # PostgreSQL from scripts/test-services
#   BENCH_DATABASE_URL=postgres://user@host:5432/postgres bench/content.sh
#   BENCH_EMBEDDED=1 bench/content.sh   # the same against embedded SQLite
#
# Settings: BENCH_SCALE (posts, 10000), BENCH_DURATION (20s),
# BENCH_CONNECTIONS (32), BENCH_PORT (18182), BENCH_POST_SLUG, BENCH_KEEP_DB=1
# keeps the benchmark database, BENCH_BIN (a lectern binary to measure instead
# of building this tree's release binary), BENCH_COMPARE="OLD NEW" (two or
# more lectern binaries measured on the same database, each against its own
# floor, taking turns page by page so a change in the shared machine's load
# falls on all of them alike: before/after figures from one run),
# BENCH_POST_STEPS=1 (also the post page built up step by step: its scalars;
# + author and tags; + the series and its neighbours; + counters and the
# viewer's marks; the full page adds the comment tree),
# BENCH_ROUNDS (1: how many times each binary measures each page; the summary
# at the end gives medians), BENCH_PAGES (a bash regex: only the pages whose
# names match; include the floors, e.g. '^(floor|home-feed|post-page)$'), BENCH_REDIS_URL (the
# response cache in Redis, as scaled deployments run it; otherwise in process).
# Every binary is measured with the response cache off (RESPONSE_CACHE_TTL_SECS=0:
# every request computed, comparable with figures from before the cache), then
# with it on (anonymous reads served from it, the signed-in feed reusing the
# public count). Needs wrk, curl, python3 (and psql for PostgreSQL). Builds the release binary first. Load generator and server
# share this machine, so figures are a floor, not a ceiling. Not run in CI.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# The measured operations, each one line of GraphQL. As domains add fields to
# these pages (comment counts, the viewer's bookmark and progress, reactions),
# add them here so the figures keep describing the real pages.
FEED_QUERY='query HomeFeed { posts(first: 20) { totalCount edges { cursor node { id slug title excerpt readingMinutes difficulty publishedAt isPremium isLocked author { displayName } tags { slug } series { title } commentCount reactions { kind count } viewerReactions viewerHasBookmarked viewerProgress { completedAt } } } pageInfo { hasNextPage endCursor } } }'
FEED_VARIABLES='{}'
POST_QUERY='query PostPage($slug: String!) { post(slug: $slug) { title bodyHtml isLocked requiredPlan readingMinutes author { displayName } tags { slug } series { title postCount viewerProgress { completedCount totalCount percent } } previousInSeries { slug title } nextInSeries { slug title } commentCount reactions { kind count } viewerReactions viewerHasBookmarked viewerProgress { completedAt } comments { id body createdAt author { displayName } replies { id body createdAt author { displayName } replies { id body createdAt author { displayName } replies { id body createdAt author { displayName } } } } } } }'
# A demo post (`seed --scale` loads the demo too) in the middle of a series, so
# both neighbours resolve; fixed, so runs compare.
POST_SLUG="${BENCH_POST_SLUG:-ownership-and-borrowing-explained}"
POST_VARIABLES="{\"slug\": \"$POST_SLUG\"}"
# The pages are requested as the signed-in demo reader, and the feed anonymously too.
READER_EMAIL=reader@lectern.dev
READER_PASSWORD=lectern-reader-demo-2026

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/lectern/target}"
SCALE="${BENCH_SCALE:-10000}"
PORT="${BENCH_PORT:-18182}"
DURATION="${BENCH_DURATION:-20s}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
ADMIN_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5433/postgres}"
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install -y $tool)" >&2; exit 1; }
done

WORK=$(mktemp -d)
ROUNDS="${BENCH_ROUNDS:-1}"
# Private copies: the target directory is shared, and another build may replace a binary mid-run.
# BINS[i] is measured as LABELS[i]; BIN is the one running.
BINS=() LABELS=()
if [ -n "${BENCH_BIN:-}" ]; then
  LABELS=("$BENCH_BIN")
elif [ -n "${BENCH_COMPARE:-}" ]; then
  read -r -a LABELS <<< "$BENCH_COMPARE"
else
  cargo build --release --locked -q
  LABELS=("$CARGO_TARGET_DIR/release/lectern")
fi
for i in "${!LABELS[@]}"; do
  cp "${LABELS[$i]}" "$WORK/lectern-$i"
  BINS+=("$WORK/lectern-$i")
done
BIN=${BINS[0]}
SERVER_PID=""
DB_NAME=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
  wait 2>/dev/null
  if [ -n "$DB_NAME" ] && [ -z "${BENCH_KEEP_DB:-}" ]; then
    psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

unset DATABASE_URL REDIS_URL
if [ -n "${BENCH_REDIS_URL:-}" ]; then
  export REDIS_URL="$BENCH_REDIS_URL" REDIS_KEY_PREFIX="content-bench-$(date +%s):"
fi
export HOST=127.0.0.1 PORT="$PORT" LOG_FORMAT=json RUST_LOG=warn DATA_DIR="$WORK/data"
if [ -n "${BENCH_EMBEDDED:-}" ]; then
  MODE="embedded (SQLite)"
else
  command -v psql >/dev/null || { echo "psql is missing (apt-get install -y postgresql-client)" >&2; exit 1; }
  DB_NAME="lectern_content_bench_$(date +%s)"
  psql "$ADMIN_URL" -qc "CREATE DATABASE $DB_NAME" >/dev/null
  export DATABASE_URL="${ADMIN_URL%/*}/$DB_NAME" JWT_SECRET=bench-secret-0123456789abcdef-0123456789 CERTIFICATE_SIGNING_KEY=YmVuY2gtY2VydGlmaWNhdGUtc2VlZC0wMTIzNDU2Nzg=
  MODE="scaled (PostgreSQL)"
fi
echo "mode: $MODE"

now_ms() { date +%s%3N; }
"$BIN" migrate >/dev/null 2>&1
echo "== lectern seed --scale $SCALE (migrated database; demo dataset, then the synthetic batch) =="
start=$(now_ms)
"$BIN" seed --scale "$SCALE" > "$WORK/seed.log"
echo "wall clock: $(( $(now_ms) - start )) ms"
grep -A2 'Added batch' "$WORK/seed.log" | sed 's/^ *//' | head -2
if [ -n "$DB_NAME" ]; then
  echo "database size: $(psql "$DATABASE_URL" -Atc 'SELECT pg_size_pretty(pg_database_size(current_database()))')"
else
  echo "database size: $(du -sh "$DATA_DIR" | cut -f1) (data dir)"
fi
# The seed queued every new post for search indexing; the server's worker
# would embed them on the same two cores during the measurements (in
# embedded mode that is most of the machine), so those jobs are dropped.
drop_indexing="DELETE FROM jobs WHERE kind = 'index_post'"
# Then the tables are vacuumed and analysed, as autovacuum would have done to
# a database in service: straight after a bulk load no page is marked
# all-visible, so the feed's count reads the whole table (1,145 buffers at
# 10,000 posts) instead of an index-only scan (83); BENCHMARKS.md, "Plans".
if [ -n "$DB_NAME" ]; then
  psql "$DATABASE_URL" -qc "$drop_indexing"
  psql "$DATABASE_URL" -qc "VACUUM ANALYZE"
else
  # Python's SQLite (the system's) writes sqlite_stat4 samples too, as the
  # sqlite3 shell would: the plans must hold with them (tests/api/plans.rs).
  python3 -c 'import sqlite3,sys; db=sqlite3.connect(sys.argv[1]); db.execute(sys.argv[2]); db.commit(); db.execute("ANALYZE")' \
    "$DATA_DIR/lectern.db" "$drop_indexing"
fi

# start_server [sql]: with "sql", every SQL statement is logged (trace level,
# target `lectern::sql`) so one request's statements can be counted; the load
# runs against a server that logs nothing per statement.
start_server() {
  [ -n "$SERVER_PID" ] && { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; }
  if [ "${1:-}" = sql ]; then
    RUST_LOG=warn,lectern::sql=trace "$BIN" serve > "$WORK/server.log" 2>&1 &
  else
    "$BIN" serve >/dev/null 2>&1 &
  fi
  SERVER_PID=$!
  until curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do sleep 0.05; done
}
start_server sql

graphql() { # graphql TOKEN QUERY VARIABLES -> response body
  python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1], "variables": json.loads(sys.argv[2])}))' "$2" "$3" \
    > "$WORK/request.json"
  curl -fs "http://127.0.0.1:$PORT/graphql" -H 'content-type: application/json' ${1:+-H "authorization: Bearer $1"} \
    --data-binary @"$WORK/request.json"
}
token=$(graphql "" 'mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { accessToken } }' \
  "{\"e\": \"$READER_EMAIL\", \"p\": \"$READER_PASSWORD\"}" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["login"]["accessToken"])')

# cpu_ticks PID...: user + system CPU time of these processes, in clock ticks.
cpu_ticks() {
  local total=0 pid fields
  for pid in "$@"; do
    fields=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null) || continue
    # After the command name: field 14 (utime) and 15 (stime) are the 12th and 13th here.
    total=$(( total + $(echo "$fields" | awk '{print $12 + $13}') ))
  done
  echo "$total"
}
# db_snapshot FILE: "pid ticks" of each PostgreSQL backend serving the
# benchmark database (other databases on the same server are not counted);
# db_ticks_since FILE: their CPU ticks since that snapshot, backends opened
# since counted whole. Nothing in embedded mode, where SQLite runs inside the
# server and its CPU counts as the server's.
db_snapshot() {
  : > "$1"
  [ -n "$DB_NAME" ] || return 0
  local pid
  for pid in $(psql "$ADMIN_URL" -Atc "SELECT pid FROM pg_stat_activity WHERE datname = '$DB_NAME'"); do
    echo "$pid $(cpu_ticks "$pid")" >> "$1"
  done
}
db_ticks_since() {
  db_snapshot "$1.after"
  awk 'NR == FNR { before[$1] = $2; next } { total += $2 - before[$1] } END { print total + 0 }' "$1" "$1.after"
}
TICKS=$(getconf CLK_TCK)
# Per binary (TAG is its index): the floor of the current cache setting.
declare -A FLOOR_RPS=()
TAG=0
MODE_NAME=""

# measure NAME AS QUERY VARIABLES CHECK: checks one response with the python
# expression CHECK (on `data`), counts the SQL statements of one request,
# (a QUERY that starts with `/` is a path to GET instead, such as /feed.xml,
# and CHECK a string its body must contain; VARIABLES is then unused)
# warms up for 3 s and measures: requests/s (and as a share of the floor, the
# first measurement), latency, and the server's and PostgreSQL's CPU time per
# request (from /proc, over the measured run). AS is "reader" (signed in as
# the demo reader) or "anonymous".
measure() {
  local name=$1 as=$2 query=$3 variables=$4 check=$5
  local bearer="" auth_header="" path=/graphql
  if [ "$as" = reader ]; then bearer=$token; auth_header="wrk.headers[\"Authorization\"] = \"Bearer $token\""; fi
  if [[ $query == /* ]]; then
    path=$query
    request() { curl -fs "http://127.0.0.1:$PORT$path" "$@"; }
    request > "$WORK/$name.response"
    grep -qF "$check" "$WORK/$name.response" || { echo "unexpected response to GET $path" >&2; exit 1; }
    printf 'wrk.method = "GET"\n' > "$WORK/$name.lua"
  else
    request() { curl -fs "http://127.0.0.1:$PORT/graphql" -H 'content-type: application/json' --data-binary @"$WORK/$name.json" "$@"; }
    graphql "$bearer" "$query" "$variables" > "$WORK/$name.response"
    python3 - "$WORK/$name.response" "$check" <<'PY'
import json, sys
body = json.load(open(sys.argv[1]))
assert "errors" not in body, body["errors"]
data = body["data"]
assert eval(sys.argv[2]), f"unexpected response: {json.dumps(body)[:500]}"
PY
    python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1], "variables": json.loads(sys.argv[2])}))' \
      "$query" "$variables" > "$WORK/$name.json"
    cat > "$WORK/$name.lua" <<LUA
wrk.method = "POST"
wrk.body = io.open("$WORK/$name.json"):read("*a")
wrk.headers["Content-Type"] = "application/json"
$auth_header
LUA
  fi
  cat >> "$WORK/$name.lua" <<LUA
done = function(summary, latency, requests)
  io.write(string.format("requests: %d\n", summary.requests))
  io.write(string.format("requests/s: %.0f\n", summary.requests / (summary.duration / 1e6)))
  for _, p in ipairs({50, 90, 99}) do
    io.write(string.format("p%s: %.2f ms\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("errors: %d non-2xx, %d socket\n", summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA
  echo "== $name: $CONNECTIONS connections, $DURATION, $as =="
  echo "response: $(wc -c < "$WORK/$name.response") bytes"
  local before after server_before server_after db_ticks requests rps
  start_server sql
  before=$(grep -c 'lectern::sql' "$WORK/server.log" || true)
  if [ "$path" = /graphql ]; then graphql "$bearer" "$query" "$variables" > /dev/null; else request > /dev/null; fi
  after=$(grep -c 'lectern::sql' "$WORK/server.log" || true)
  # With the response cache on, this first request after a restart computes the
  # answer (a miss), unless Redis kept it from the previous server.
  echo "SQL statements per request: $(( after - before ))"
  start_server
  wrk -t2 -c"$CONNECTIONS" -d3s -s "$WORK/$name.lua" "http://127.0.0.1:$PORT$path" >/dev/null
  server_before=$(cpu_ticks "$SERVER_PID")
  db_snapshot "$WORK/db.ticks"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s "$WORK/$name.lua" "http://127.0.0.1:$PORT$path" \
    | sed -n '/^requests:/,$p' > "$WORK/$name.wrk"
  server_after=$(cpu_ticks "$SERVER_PID")
  db_ticks=$(db_ticks_since "$WORK/db.ticks")
  grep -v '^requests:' "$WORK/$name.wrk"
  if [ "${RESPONSE_CACHE_TTL_SECS:-60}" != 0 ] && [ "$as" = anonymous ]; then
    echo "response cache: $(request -o /dev/null -D - | tr -d '\r' | awk -F': ' 'tolower($1) == "x-lectern-cache" {print $2}')"
  fi
  requests=$(awk '/^requests:/ {print $2}' "$WORK/$name.wrk")
  rps=$(awk '/^requests\/s:/ {print $2}' "$WORK/$name.wrk")
  python3 - "$requests" "$TICKS" "$((server_after - server_before))" "$db_ticks" "$rps" "${FLOOR_RPS[$TAG]:-}" "$DB_NAME" \
    "$MODE_NAME" "$TAG" "$name" "$WORK/results.tsv" <<'PY'
import sys
requests, ticks, server, db, rps, floor, pg = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), sys.argv[6], sys.argv[7]
per = lambda t: 1000.0 * t / ticks / max(requests, 1)
print(f"server CPU per request: {per(server):.3f} ms")
if pg:
    print(f"PostgreSQL CPU per request: {per(db):.3f} ms")
if floor and rps >= float(floor):
    print(f"share of the floor: {rps / float(floor):.1f}x (faster than the floor)")
elif floor:
    print(f"share of the floor: 1/{float(floor) / rps:.1f}")
mode, tag, name, results = sys.argv[8:12]
with open(results, "a") as out:
    out.write(f"{mode}\t{tag}\t{name}\t{rps}\t{per(server):.3f}\t{per(db) if pg else ''}\n")
PY
  [ -z "${FLOOR_RPS[$TAG]:-}" ] && FLOOR_RPS[$TAG]=$rps
  return 0
}

# page NAME AS QUERY VARIABLES CHECK: measures one page with every binary,
# BENCH_ROUNDS times, the binaries taking turns.
page() {
  local round i
  if [ -n "${BENCH_PAGES:-}" ] && ! [[ $1 =~ $BENCH_PAGES ]]; then return 0; fi
  for round in $(seq "$ROUNDS"); do
    for i in "${!BINS[@]}"; do
      BIN=${BINS[$i]} TAG=$i
      if [ "${#BINS[@]}" -gt 1 ] || [ "$ROUNDS" -gt 1 ]; then echo "#### ${LABELS[$i]}, round $round"; fi
      measure "$@"
    done
  done
}

rss() {
  echo "server RSS after the runs (${LABELS[$TAG]}): $(( $(awk '/^VmRSS/ {print $2}' "/proc/$SERVER_PID/status") / 1024 )) MiB"
}

IDS_QUERY='query FeedIds { posts(first: 20) { edges { node { id } } } }'
FEED_CHECK='len(data["posts"]["edges"]) == 20 and all(e["node"]["tags"] for e in data["posts"]["edges"])'
# Every binary migrates the database first (the newest schema last).
for binary in "${BINS[@]}"; do "$binary" migrate >/dev/null 2>&1; done

echo "######## response cache off (RESPONSE_CACHE_TTL_SECS=0)"
export RESPONSE_CACHE_TTL_SECS=0 MODE_NAME=uncached
FLOOR_RPS=()
page floor reader '{ me { id } }' '{}' 'data["me"]["id"]'
page home-feed-anonymous anonymous "$FEED_QUERY" "$FEED_VARIABLES" "$FEED_CHECK"
page home-feed reader "$FEED_QUERY" "$FEED_VARIABLES" "$FEED_CHECK"
page feed-ids anonymous "$IDS_QUERY" '{}' 'len(data["posts"]["edges"]) == 20'
page post-page reader "$POST_QUERY" "$POST_VARIABLES" \
  'data["post"]["bodyHtml"] and data["post"]["previousInSeries"] and data["post"]["nextInSeries"]'
page rss-feed anonymous /feed.xml '' '<rss'
if [ -n "${BENCH_POST_STEPS:-}" ]; then
  # The post page built up field group by field group (BENCHMARKS.md, "What a
  # statement costs"): each step's statements, share of the floor and CPU.
  POST_SCALARS='title bodyHtml isLocked requiredPlan readingMinutes'
  POST_PEOPLE="$POST_SCALARS author { displayName } tags { slug }"
  POST_SERIES="$POST_PEOPLE series { title postCount viewerProgress { completedCount totalCount percent } } previousInSeries { slug title } nextInSeries { slug title }"
  POST_MARKS="$POST_SERIES commentCount reactions { kind count } viewerReactions viewerHasBookmarked viewerProgress { completedAt }"
  step=1
  for fields in "$POST_SCALARS" "$POST_PEOPLE" "$POST_SERIES" "$POST_MARKS"; do
    page "post-step-$step" reader "query PostStep(\$slug: String!) { post(slug: \$slug) { $fields } }" "$POST_VARIABLES" \
      'data["post"]["bodyHtml"]'
    step=$((step + 1))
  done
fi
rss

store="in process"
[ -n "${REDIS_URL:-}" ] && store="in Redis"
echo "######## response cache on (RESPONSE_CACHE_TTL_SECS=60, $store)"
export RESPONSE_CACHE_TTL_SECS=60 MODE_NAME=cached
FLOOR_RPS=()
page floor-cached reader '{ me { id } }' '{}' 'data["me"]["id"]'
page home-feed-anonymous-cached anonymous "$FEED_QUERY" "$FEED_VARIABLES" "$FEED_CHECK"
page feed-ids-cached anonymous "$IDS_QUERY" '{}' 'len(data["posts"]["edges"]) == 20'
page post-page-anonymous-cached anonymous "$POST_QUERY" "$POST_VARIABLES" \
  'data["post"]["title"] and data["post"]["previousInSeries"] and data["post"]["nextInSeries"]'
page rss-feed-cached anonymous /feed.xml '' '<rss'
# Signed in: never from the response cache, but the feed's count is kept per content version.
page home-feed-count-kept reader "$FEED_QUERY" "$FEED_VARIABLES" "$FEED_CHECK"
rss

# The summary: medians over the rounds, each binary against its own floor.
python3 - "$WORK/results.tsv" "${LABELS[@]}" <<'PY'
import statistics, sys
from collections import defaultdict
rows, labels = sys.argv[1], sys.argv[2:]
runs = defaultdict(list)
pages = []
for line in open(rows):
    mode, tag, name, rps, server, db = line.rstrip("\n").split("\t")
    runs[(mode, int(tag), name)].append((float(rps), float(server), float(db) if db else None))
    if (mode, name) not in pages:
        pages.append((mode, name))
median = lambda values: statistics.median(values) if values else None
print(f"== summary: medians of {max(len(v) for v in runs.values())} run(s) per page and binary ==")
for i, label in enumerate(labels):
    print(f"binary {i}: {label}")
print("| page | " + " | ".join(f"binary {i}: req/s (share), server CPU, PostgreSQL CPU" for i in range(len(labels))) + " |")
print("|---|" + "---|" * len(labels))
for mode, name in pages:
    cells = []
    for i in range(len(labels)):
        measured = runs[(mode, i, name)]
        rps = median([m[0] for m in measured])
        floor = median([m[0] for m in runs[(mode, i, "floor" if mode == "uncached" else "floor-cached")]])
        share = "" if name.startswith("floor") else (f" ({rps / floor:.1f}x)" if rps >= floor else f" (1/{floor / rps:.1f})")
        db = [m[2] for m in measured if m[2] is not None]
        cells.append(f"{rps:,.0f}{share}, {median([m[1] for m in measured]):.3f} ms" + (f", {median(db):.3f} ms" if db else ""))
    print(f"| {name} | " + " | ".join(cells) + " |")
PY
