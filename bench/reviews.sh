#!/usr/bin/env bash
# Spaced-repetition benchmark (BENCHMARKS.md): the review queue of a reader
# with 10,000 cards, in a table of 100,000. Seeds `lectern seed --scale N`
# (posts and readers), then BENCH_CARDS review cards by SQL: every published
# post for the demo reader first, then for synthetic readers until the count is
# reached, in REVIEW state with due times spread over ±30 days (about half due
# now). Measures `reviewQueue(first: 20)` (with totalCount, the cards' key
# points and posts) with wrk at 32 connections. The search-indexing jobs the
# seed enqueues are deleted first (embedding 10,000 posts in the embedded
# server's worker would share the cores with the measurement).
#
#   bench/reviews.sh                    # PostgreSQL from scripts/test-services
#   BENCH_DATABASE_URL=postgres://user@host:5432/postgres bench/reviews.sh
#   BENCH_EMBEDDED=1 bench/reviews.sh   # the same against embedded SQLite
#
# Settings: BENCH_SCALE (posts, 10000), BENCH_CARDS (100000), BENCH_DURATION
# (20s), BENCH_CONNECTIONS (32), BENCH_PORT (18183), BENCH_KEEP_DB=1 keeps the
# benchmark database. Needs wrk, curl, python3, and psql (PostgreSQL) or
# sqlite3 (embedded). Builds the release binary first. Load generator and
# server share this machine, so figures are a floor, not a ceiling. Not run in CI.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

QUEUE_QUERY='query ReviewQueue { reviewQueue(first: 20) { totalCount edges { cursor node { id state due isDue stability difficulty retrievability reps lapses lastReviewedAt keyPoints keyPointsSource post { id slug title } } } pageInfo { hasNextPage endCursor } } }'
READER_EMAIL=reader@lectern.dev
READER_PASSWORD=lectern-reader-demo-2026

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/lectern/target}"
SCALE="${BENCH_SCALE:-10000}"
CARDS="${BENCH_CARDS:-100000}"
PORT="${BENCH_PORT:-18183}"
DURATION="${BENCH_DURATION:-20s}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
ADMIN_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5433/postgres}"
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install -y $tool)" >&2; exit 1; }
done

cargo build --release --locked -q
WORK=$(mktemp -d)
# A private copy: the target directory is shared, and another build may replace the binary mid-run.
BIN="$WORK/lectern"
cp "$CARGO_TARGET_DIR/release/lectern" "$BIN"
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
if [ -n "${BENCH_EMBEDDED:-}" ]; then
  command -v sqlite3 >/dev/null || { echo "sqlite3 is missing (apt-get install -y sqlite3)" >&2; exit 1; }
  MODE="embedded (SQLite)"
else
  command -v psql >/dev/null || { echo "psql is missing (apt-get install -y postgresql-client)" >&2; exit 1; }
  DB_NAME="lectern_reviews_bench_$(date +%s)"
  psql "$ADMIN_URL" -qc "CREATE DATABASE $DB_NAME" >/dev/null
  export DATABASE_URL="${ADMIN_URL%/*}/$DB_NAME" JWT_SECRET=bench-secret-0123456789abcdef-0123456789
  MODE="scaled (PostgreSQL)"
fi
echo "mode: $MODE"

now_ms() { date +%s%3N; }
"$BIN" migrate >/dev/null 2>&1
echo "== lectern seed --scale $SCALE =="
"$BIN" seed --scale "$SCALE" > "$WORK/seed.log"
grep -A1 'Added batch' "$WORK/seed.log" | sed 's/^ *//' | head -1

# The cards: readers in order (the demo reader first), each with a card for
# every published post, cut at $CARDS. Due times spread evenly over ±30 days.
echo "== $CARDS review cards by SQL =="
start=$(now_ms)
if [ -n "$DB_NAME" ]; then
  psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 <<SQL
INSERT INTO review_cards (id, user_id, post_id, state, due, stability, difficulty, elapsed_days,
                          scheduled_days, reps, lapses, last_reviewed_at, version, created_at)
SELECT gen_random_uuid(), user_id, post_id, 'REVIEW', due, 1 + random() * 60, 1 + random() * 9, 3, 7,
       3, 0, due - interval '7 days', 3, due - interval '30 days'
FROM (
  SELECT r.id AS user_id, p.id AS post_id, now() + (random() * 60 - 30) * interval '1 day' AS due
  FROM (SELECT id, row_number() OVER (ORDER BY (email = '$READER_EMAIL') DESC, id) AS rank FROM users) r
  CROSS JOIN posts p
  WHERE p.status = 'PUBLISHED' AND p.published_at IS NOT NULL
  ORDER BY r.rank, p.id
  LIMIT $CARDS
) c;
-- The seed's search-indexing jobs are set aside: no worker runs them in this mode anyway.
DELETE FROM jobs WHERE kind = 'index_post' AND status = 'PENDING';
ANALYZE review_cards;
SQL
  echo "cards: $(psql "$DATABASE_URL" -Atc 'SELECT count(*) FROM review_cards') in $(( $(now_ms) - start )) ms"
  echo "database size: $(psql "$DATABASE_URL" -Atc 'SELECT pg_size_pretty(pg_database_size(current_database()))')"
else
  DB_FILE="$DATA_DIR/lectern.db"
  sqlite3 "$DB_FILE" >/dev/null <<SQL
PRAGMA busy_timeout = 10000;
INSERT INTO review_cards (id, user_id, post_id, state, due, stability, difficulty, elapsed_days,
                          scheduled_days, reps, lapses, last_reviewed_at, version, created_at)
SELECT randomblob(16), user_id, post_id, 'REVIEW', strftime('%Y-%m-%dT%H:%M:%S+00:00', due_at),
       1 + (abs(random()) % 6000) / 100.0, 1 + (abs(random()) % 900) / 100.0, 3, 7, 3, 0,
       strftime('%Y-%m-%dT%H:%M:%S+00:00', due_at, '-7 days'), 3,
       strftime('%Y-%m-%dT%H:%M:%S+00:00', due_at, '-30 days')
FROM (
  SELECT r.id AS user_id, p.id AS post_id,
         datetime('now', printf('%+d seconds', (abs(random()) % 5184000) - 2592000)) AS due_at
  FROM (SELECT id, row_number() OVER (ORDER BY (email = '$READER_EMAIL') DESC, id) AS rank FROM users) r
  CROSS JOIN posts p
  WHERE p.status = 'PUBLISHED' AND p.published_at IS NOT NULL
  ORDER BY r.rank, p.id
  LIMIT $CARDS
);
-- The seed's search-indexing jobs are set aside: the embedded server's worker would
-- otherwise embed 10,000 posts on the same two cores while the queue is measured.
DELETE FROM jobs WHERE kind = 'index_post' AND status = 'PENDING';
ANALYZE;
SQL
  echo "cards: $(sqlite3 "$DB_FILE" 'SELECT count(*) FROM review_cards') in $(( $(now_ms) - start )) ms"
  echo "database size: $(du -sh "$DATA_DIR" | cut -f1) (data dir)"
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

graphql() { # graphql TOKEN QUERY -> response body
  python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1], "variables": {}}))' "$2" > "$WORK/request.json"
  curl -fs "http://127.0.0.1:$PORT/graphql" -H 'content-type: application/json' ${1:+-H "authorization: Bearer $1"} \
    --data-binary @"$WORK/request.json"
}
token=$(graphql "" "mutation { login(input: {email: \"$READER_EMAIL\", password: \"$READER_PASSWORD\"}) { accessToken } }" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["login"]["accessToken"])')

graphql "$token" "$QUEUE_QUERY" > "$WORK/queue.response"
python3 - "$WORK/queue.response" <<'PY'
import json, sys
body = json.load(open(sys.argv[1]))
assert "errors" not in body, body["errors"]
queue = body["data"]["reviewQueue"]
assert len(queue["edges"]) == 20 and queue["pageInfo"]["hasNextPage"], json.dumps(body)[:500]
assert all(e["node"]["keyPoints"] for e in queue["edges"]), "every card shows key points"
print(f"the reader's due cards (totalCount): {queue['totalCount']}; response {len(json.dumps(body))} bytes")
PY
before=$(grep -c 'lectern::sql' "$WORK/server.log" || true)
graphql "$token" "$QUEUE_QUERY" > /dev/null
after=$(grep -c 'lectern::sql' "$WORK/server.log" || true)
echo "SQL statements per request: $(( after - before ))"

python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1], "variables": {}}))' "$QUEUE_QUERY" > "$WORK/queue.json"
cat > "$WORK/queue.lua" <<LUA
wrk.method = "POST"
wrk.body = io.open("$WORK/queue.json"):read("*a")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
done = function(summary, latency, requests)
  io.write(string.format("requests/s: %.0f\n", summary.requests / (summary.duration / 1e6)))
  for _, p in ipairs({50, 90, 99}) do
    io.write(string.format("p%s: %.2f ms\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("errors: %d non-2xx, %d socket\n", summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA
echo "== reviewQueue(first: 20): $CONNECTIONS connections, $DURATION, signed in as $READER_EMAIL =="
start_server
wrk -t2 -c"$CONNECTIONS" -d3s -s "$WORK/queue.lua" "http://127.0.0.1:$PORT/graphql" >/dev/null
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s "$WORK/queue.lua" "http://127.0.0.1:$PORT/graphql" | sed -n '/requests\/s/,$p'
echo "server RSS after the run: $(( $(awk '/^VmRSS/ {print $2}' "/proc/$SERVER_PID/status") / 1024 )) MiB"
