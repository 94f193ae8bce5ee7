#!/usr/bin/env bash
# shellcheck disable=SC2016  # $after, $post are GraphQL variables, not shell ones
# Engagement benchmarks (BENCHMARKS.md): leaderboard pages at 100,000 ranked
# users, and awarding XP under 32 concurrent writers.
#
#   bench/engagement.sh                 # scaled: PostgreSQL + Redis from scripts/test-services
#   BENCH_EMBEDDED=1 bench/engagement.sh   # embedded: SQLite, boards in process
#
# Data: `lectern seed --scale BENCH_POSTS --readers BENCH_READERS` on a fresh
# database (the demo, BENCH_POSTS generated posts, then BENCH_READERS readers
# who each finished 1–30 free posts, one of them this week, so every one is on
# every board).
#
# Leaderboard: signed in as the ranked reader in the middle of the board,
# `leaderboard(period, first: 20)` with rank, XP, each user's name and level,
# totalCount and the viewer's own entry, for the first page and for the page
# at rank 50,001, of this week's and the all-time board; then the board alone
# (no user fields); and, as the floor of the same run, `{ me { id } }`.
#
# Awards: BENCH_WRITERS connections, each signed in as a different ranked
# reader, post `markPostRead(postId, secondsSpent: 600)` for published free
# posts in turn, every request a (reader, post) pair not read before, so each
# one that succeeds is a new award: a ledger row, the total, the three boards,
# the streak day and a badge check job (run by the in-process worker in both
# modes). Awards/s is counted from the readers' XP before and after, not from
# responses. XP_DAILY_CAP is raised so the cap never cuts an award.
#
# Settings: BENCH_READERS (100000), BENCH_POSTS (2000), BENCH_WRITERS (32),
# BENCH_DURATION (20s), BENCH_CONNECTIONS (32, leaderboard pages), BENCH_PORT
# (18184), BENCH_DATABASE_URL, BENCH_REDIS_URL, BENCH_KEEP_DB=1, BENCH_BIN (a
# lectern binary to measure instead of building this tree's). Needs wrk,
# curl, python3 (and psql for PostgreSQL). Load generator and server share
# this machine, so figures are a floor, not a ceiling. Not run in CI.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/lectern/target}"
READERS="${BENCH_READERS:-100000}"
POSTS="${BENCH_POSTS:-2000}"
WRITERS="${BENCH_WRITERS:-32}"
PORT="${BENCH_PORT:-18184}"
DURATION="${BENCH_DURATION:-20s}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
ADMIN_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5433/postgres}"
REDIS="${BENCH_REDIS_URL:-redis://127.0.0.1:6390}"
PASSWORD=lectern-scale-reader-2026
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install -y $tool)" >&2; exit 1; }
done

WORK=$(mktemp -d)
BIN="$WORK/lectern"
if [ -n "${BENCH_BIN:-}" ]; then
  cp "$BENCH_BIN" "$BIN"
else
  cargo build --release --locked -q
  cp "$CARGO_TARGET_DIR/release/lectern" "$BIN"
fi
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
export HOST=127.0.0.1 PORT="$PORT" LOG_FORMAT=json RUST_LOG=warn DATA_DIR="$WORK/data"
export XP_DAILY_CAP=100000 IN_PROCESS_WORKER=true
# The embedding model from the shared cache, so the server does not fetch it at start.
export EMBEDDING_MODEL_DIR="$HOME/.cache/lectern/models/all-MiniLM-L6-v2"
scripts/fetch-model "$EMBEDDING_MODEL_DIR" >/dev/null
if [ -n "${BENCH_EMBEDDED:-}" ]; then
  MODE="embedded (SQLite, boards in process)"
else
  command -v psql >/dev/null || { echo "psql is missing (apt-get install -y postgresql-client)" >&2; exit 1; }
  DB_NAME="lectern_engagement_bench_$(date +%s)"
  psql "$ADMIN_URL" -qc "CREATE DATABASE $DB_NAME" >/dev/null
  export DATABASE_URL="${ADMIN_URL%/*}/$DB_NAME" JWT_SECRET=bench-secret-0123456789abcdef-0123456789
  export REDIS_URL="$REDIS" REDIS_KEY_PREFIX="bench$(date +%s):"
  MODE="scaled (PostgreSQL + Redis)"
fi
echo "mode: $MODE"

now_ms() { date +%s%3N; }
"$BIN" migrate >/dev/null 2>&1
echo "== lectern seed --scale $POSTS --readers $READERS =="
start=$(now_ms)
"$BIN" seed --scale "$POSTS" --readers "$READERS" > "$WORK/seed.log"
echo "wall clock: $(( $(now_ms) - start )) ms"
grep -A1 'Added ranked readers' "$WORK/seed.log" | head -1 | sed 's/^ *//'
BATCH=$(sed -n 's/.*Added ranked readers \([a-z0-9]*\):.*/\1/p' "$WORK/seed.log")
# sql STATEMENT: runs one statement on the benchmark database, prints the rows.
sql() {
  if [ -n "$DB_NAME" ]; then
    psql "$DATABASE_URL" -Atc "$1"
  else
    python3 - "$DATA_DIR/lectern.db" "$1" <<'PY'
import sqlite3, sys, uuid
db = sqlite3.connect(sys.argv[1])
for row in db.execute(sys.argv[2]):
    print("|".join(str(uuid.UUID(bytes=v)) if isinstance(v, bytes) and len(v) == 16 else str(v) for v in row))
db.commit()
PY
  fi
}
# The seed queued the new posts for search indexing; embedding 2,000 posts
# would take the CPU from what is measured here, so those jobs are dropped.
echo "search indexing jobs dropped: $(sql "DELETE FROM jobs WHERE kind = 'index_post' RETURNING id" | wc -l)"
ranked_email() { printf 'ranked%06d.%s@scale.lectern.dev' "$1" "$BATCH"; }

"$BIN" serve > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
until curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do sleep 0.05; done

# graphql [TOKEN] QUERY VARIABLES [SOURCE_ADDRESS] -> response body
graphql() {
  python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1], "variables": json.loads(sys.argv[2])}))' "$2" "$3" \
    > "$WORK/request.json"
  curl -fs ${4:+--interface "$4"} "http://127.0.0.1:$PORT/graphql" -H 'content-type: application/json' \
    ${1:+-H "authorization: Bearer $1"} --data-binary @"$WORK/request.json"
}
# Sign-ins are limited per address (30 in 5 minutes): every 25th comes from the next loopback address.
LOGINS=0
login() {
  local address="127.0.0.$(( LOGINS / 25 + 1 ))"
  LOGINS=$(( LOGINS + 1 ))
  graphql "" 'mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { accessToken } }' \
    "{\"e\": \"$1\", \"p\": \"$PASSWORD\"}" "$address" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["login"]["accessToken"])'
}

# run_wrk NAME CONNECTIONS LUA: warm-up 3 s, then the measured run.
run_wrk() {
  wrk -t2 -c"$2" -d3s -s "$3" "http://127.0.0.1:$PORT/graphql" >/dev/null
  wrk -t2 -c"$2" -d"$DURATION" -s "$3" "http://127.0.0.1:$PORT/graphql" | sed -n '/requests\/s/,$p'
}
LUA_DONE='
done = function(summary, latency, requests)
  io.write(string.format("requests/s: %.0f\n", summary.requests / (summary.duration / 1e6)))
  for _, p in ipairs({50, 90, 99}) do
    io.write(string.format("p%s: %.2f ms\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("errors: %d non-2xx, %d socket\n", summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end'

# ---- leaderboard pages ----
VIEWER_INDEX=$(( READERS / 2 ))
viewer=$(login "$(ranked_email "$VIEWER_INDEX")")
BOARD_QUERY='query Board($period: LeaderboardPeriod!, $after: String) { leaderboard(period: $period, first: 20, after: $after) { totalCount period edges { cursor node { rank xp user { id displayName level } } } viewerEntry { rank xp } pageInfo { hasNextPage endCursor } } }'
# The cursor of rank N (a position cursor: base64 of the ordering and the 0-based position).
cursor_at() { # cursor_at PERIOD RANK
  graphql "$viewer" "$BOARD_QUERY" "{\"period\": \"$1\"}" | python3 -c '
import base64, json, sys
cursor = json.load(sys.stdin)["data"]["leaderboard"]["edges"][0]["cursor"]
token = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
token["k"] = {"Position": int(sys.argv[1]) - 2}
print(base64.urlsafe_b64encode(json.dumps(token, separators=(",", ":")).encode()).decode().rstrip("="))' "$2"
}
measure_board() { # measure_board PERIOD RANK(1 or deeper)
  local period=$1 rank=$2 variables
  if [ "$rank" = 1 ]; then
    variables="{\"period\": \"$period\"}"
  else
    variables="{\"period\": \"$period\", \"after\": \"$(cursor_at "$period" "$rank")\"}"
  fi
  start=$(now_ms)
  graphql "$viewer" "$BOARD_QUERY" "$variables" > "$WORK/board.response"
  local first_ms=$(( $(now_ms) - start ))
  python3 - "$WORK/board.response" "$rank" "$READERS" <<'PY'
import json, sys
body = json.load(open(sys.argv[1]))
assert "errors" not in body, body["errors"]
board = body["data"]["leaderboard"]
rank, readers = int(sys.argv[2]), int(sys.argv[3])
assert board["totalCount"] >= readers, board["totalCount"]
assert [e["node"]["rank"] for e in board["edges"]] == list(range(rank, rank + 20)), board["edges"][:2]
assert all(e["node"].get("user", {"level": 1})["level"] >= 1 for e in board["edges"])
assert board["viewerEntry"] and board["viewerEntry"]["rank"] > 0, board["viewerEntry"]
print(f'board of {board["totalCount"]}, page from rank {rank}, viewer at rank {board["viewerEntry"]["rank"]}')
PY
  python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1], "variables": json.loads(sys.argv[2])}))' \
    "$BOARD_QUERY" "$variables" > "$WORK/board.json"
  cat > "$WORK/board.lua" <<LUA
wrk.method = "POST"
wrk.body = io.open("$WORK/board.json"):read("*a")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $viewer"
$LUA_DONE
LUA
  echo "== leaderboard $period from rank $rank: $CONNECTIONS connections, $DURATION (first request $first_ms ms) =="
  echo "response: $(wc -c < "$WORK/board.response") bytes"
  run_wrk board "$CONNECTIONS" "$WORK/board.lua"
}
# The floor in this run: the cheapest signed-in request, `{ me { id } }`.
echo '{"query":"{ me { id } }"}' > "$WORK/me.json"
cat > "$WORK/me.lua" <<LUA
wrk.method = "POST"
wrk.body = io.open("$WORK/me.json"):read("*a")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $viewer"
$LUA_DONE
LUA
echo "== floor: { me { id } }: $CONNECTIONS connections, $DURATION =="
run_wrk me "$CONNECTIONS" "$WORK/me.lua"
measure_board WEEK 1
measure_board WEEK $(( READERS / 2 + 1 ))
measure_board ALL_TIME 1
measure_board ALL_TIME $(( READERS / 2 + 1 ))
# The board alone: ranks, XP, the count and the viewer's place, no user fields.
BOARD_QUERY='query Board($period: LeaderboardPeriod!, $after: String) { leaderboard(period: $period, first: 20, after: $after) { totalCount period edges { cursor node { rank xp user { level } } } viewerEntry { rank xp } pageInfo { hasNextPage endCursor } } }'
BOARD_QUERY=${BOARD_QUERY/ user \{ level \}/}
echo "-- the board alone (no user fields) --"
measure_board WEEK $(( READERS / 2 + 1 ))

# ---- XP awards ----
echo "== XP awards: $WRITERS writers (one ranked reader each), markPostRead, $DURATION =="
: > "$WORK/tokens"
for i in $(seq 0 $(( WRITERS - 1 ))); do login "$(ranked_email "$i")" >> "$WORK/tokens"; done
sql "SELECT id FROM posts WHERE status = 'PUBLISHED' AND NOT is_premium ORDER BY random()" > "$WORK/posts"
echo "posts to read: $(wc -l < "$WORK/posts")"
XP_QUERY='{ me { xp } }'
total_xp() {
  local sum=0 xp
  while read -r token; do
    xp=$(graphql "$token" "$XP_QUERY" '{}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["me"]["xp"])')
    sum=$(( sum + xp ))
  done < "$WORK/tokens"
  echo "$sum"
}
cat > "$WORK/awards.lua" <<LUA
-- Each thread has its own writers; request n goes to writer n mod writers, reading post n / writers of
-- its own share of the list, so no (reader, post) pair repeats.
local threads, counter = {}, 0
function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end
function init(args)
  tokens, posts = {}, {}
  for line in io.lines("$WORK/tokens") do table.insert(tokens, line) end
  for line in io.lines("$WORK/posts") do table.insert(posts, line) end
  local half = #tokens / 2
  mine = {}
  for i = index * half + 1, (index + 1) * half do table.insert(mine, tokens[i]) end
  n = 0
end
function request()
  local writer = n % #mine + 1
  local post = posts[math.floor(n / #mine) % #posts + 1]
  n = n + 1
  return wrk.format("POST", "/graphql", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. mine[writer],
  }, '{"query":"mutation(\$post: ID!) { markPostRead(postId: \$post, secondsSpent: 600) { secondsSpent } }","variables":{"post":"' .. post .. '"}}')
end
graphql_errors = 0
function response(status, headers, body)
  if string.find(body, '"errors"', 1, true) then graphql_errors = graphql_errors + 1 end
end
function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do failed = failed + thread:get("graphql_errors") end
  io.write(string.format("requests/s: %.0f\n", summary.requests / (summary.duration / 1e6)))
  for _, p in ipairs({50, 90, 99}) do
    io.write(string.format("p%s: %.2f ms\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("errors: %d non-2xx, %d socket, %d GraphQL\n", summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, failed))
end
LUA
before=$(total_xp)
start=$(now_ms)
wrk -t2 -c"$WRITERS" -d"$DURATION" -s "$WORK/awards.lua" "http://127.0.0.1:$PORT/graphql" | sed -n '/requests\/s/,$p'
elapsed=$(( $(now_ms) - start ))
after=$(total_xp)
awards=$(( (after - before) / 10 ))
echo "awards: $awards in $elapsed ms = $(( awards * 1000 / elapsed )) awards/s (XP $before -> $after, 10 XP each)"
graphql "$viewer" 'query { leaderboard(period: WEEK, first: 1) { totalCount } }' '{}' | python3 -c '
import json,sys; print("weekly board after the run:", json.load(sys.stdin)["data"]["leaderboard"]["totalCount"], "users")'
echo "jobs run by the worker meanwhile: $(sql "SELECT kind || ' ' || count(*) FROM jobs GROUP BY kind ORDER BY kind" | tr '\n' ',' )"
echo "server RSS after the runs: $(( $(awk '/^VmRSS/ {print $2}' "/proc/$SERVER_PID/status") / 1024 )) MiB"
