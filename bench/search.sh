#!/usr/bin/env bash
# Search benchmarks (BENCHMARKS.md), on PostgreSQL + pgvector:
#   - `lectern reindex` throughput (passages embedded and stored per second,
#     all-MiniLM-L6-v2 on the CPU) over a seeded database of ~100,000 passages;
#   - HNSW recall@10 against an exact scan, with the ef_search SEMANTIC uses;
#   - SEMANTIC and HYBRID `search` latency p50/p99 (distinct queries, so each
#     embeds its query; then the same queries again, from the embedding cache);
#   - `askAi` (extractive): time from subscribe to the sources event and to the
#     first answer delta, p50/p99.
#
#   bench/search.sh                     # PostgreSQL from scripts/test-services
#   BENCH_DATABASE_URL=postgres://user@host:5432/postgres bench/search.sh
#
# Settings: BENCH_SCALE (synthetic posts, 24000: ~100,000 passages),
# BENCH_QUERIES (200), BENCH_ASKS (50), BENCH_PORT (18184), BENCH_KEEP_DB=1
# keeps the database (BENCH_REUSE_DB=name skips seeding and reindexing and
# measures on it). Needs curl, psql, python3 and the model (scripts/fetch-model).
# Client and server share this machine; figures are a floor. Not run in CI.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/lectern/target}"
SCALE="${BENCH_SCALE:-24000}"
PORT="${BENCH_PORT:-18184}"
ADMIN_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5433/postgres}"
MODEL_DIR="${EMBEDDING_MODEL_DIR:-$HOME/.cache/lectern/models/all-MiniLM-L6-v2}"
for tool in curl psql python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 1; }
done
scripts/fetch-model "$MODEL_DIR"

cargo build --release --locked -q
WORK=$(mktemp -d)
BIN="$WORK/lectern"
cp "$CARGO_TARGET_DIR/release/lectern" "$BIN"
SERVER_PID=""
DB_NAME="${BENCH_REUSE_DB:-}"
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
  wait 2>/dev/null
  if [ -n "$DB_NAME" ] && [ -z "${BENCH_KEEP_DB:-}" ] && [ -z "${BENCH_REUSE_DB:-}" ]; then
    psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

unset REDIS_URL
export HOST=127.0.0.1 PORT="$PORT" LOG_FORMAT=json RUST_LOG=warn DATA_DIR="$WORK/data" \
  EMBEDDING_MODEL_DIR="$MODEL_DIR" JWT_SECRET=bench-secret-0123456789abcdef-0123456789 CERTIFICATE_SIGNING_KEY=YmVuY2gtY2VydGlmaWNhdGUtc2VlZC0wMTIzNDU2Nzg= \
  IN_PROCESS_WORKER=false ASK_AI_QUESTIONS_PER_HOUR=100000 SEARCHES_PER_MINUTE=100000
if [ -z "$DB_NAME" ]; then
  DB_NAME="lectern_search_bench_$(date +%s)"
  psql "$ADMIN_URL" -qc "CREATE DATABASE $DB_NAME" >/dev/null
fi
export DATABASE_URL="${ADMIN_URL%/*}/$DB_NAME"
DB_URL="$DATABASE_URL"
echo "database: $DB_NAME"

if [ -z "${BENCH_REUSE_DB:-}" ]; then
  "$BIN" migrate >/dev/null 2>&1
  echo "== lectern seed --scale $SCALE =="
  "$BIN" seed --scale "$SCALE" > "$WORK/seed.log"
  grep -A1 'Added batch' "$WORK/seed.log" | sed 's/^ *//' | head -2
  # The seed enqueues index jobs; reindex does the same work in one measured run.
  psql "$DB_URL" -qc "DELETE FROM jobs WHERE kind = 'index_post'" >/dev/null
  echo "== lectern reindex =="
  "$BIN" reindex 2>&1 | tr '\r' '\n' | grep -E '^(Re-indexing|Indexed)'
fi
psql "$DB_URL" -Atc "SELECT 'passages embedded by the model: ' || count(*) || ', posts with passages: ' || count(DISTINCT post_id) FROM passages"
if [ -n "${BENCH_TOPUP:-}" ]; then
  # Embedding ~100,000 passages on 2 cores takes hours (see the reindex rate);
  # BENCH_TOPUP=N fills the index up to N passages by giving posts without
  # passages copies of embedded posts' passages, each vector moved by random
  # noise (cosine ~0.95 to its source) and normalised again: near-duplicates,
  # which make nearest-neighbour search harder, not easier.
  psql "$DB_URL" -q <<SQL
CREATE FUNCTION pg_temp.perturb(v vector) RETURNS vector LANGUAGE sql VOLATILE AS \$\$
  WITH n AS (SELECT x + (random() - 0.5) * 0.06 AS x, i FROM unnest(v::real[]) WITH ORDINALITY AS u(x, i)),
       s AS (SELECT sqrt(sum(x * x)) AS norm FROM n)
  SELECT array_agg(n.x / s.norm ORDER BY n.i)::vector FROM n, s
\$\$;
CREATE TEMP TABLE sources AS SELECT post_id, row_number() OVER (ORDER BY post_id) - 1 AS k FROM (SELECT DISTINCT post_id FROM passages) d;
CREATE TEMP TABLE targets AS SELECT id, row_number() OVER (ORDER BY published_at, id) - 1 AS k FROM posts
  WHERE status = 'PUBLISHED' AND id NOT IN (SELECT post_id FROM passages);
INSERT INTO passages (post_id, position, heading_path, body, words, premium, embedding)
SELECT t.id, p.position, p.heading_path, p.body, p.words, p.premium, pg_temp.perturb(p.embedding)
FROM targets t JOIN sources s ON s.k = t.k % (SELECT count(*) FROM sources) JOIN passages p ON p.post_id = s.post_id
ORDER BY t.k, p.position
LIMIT greatest(0, ${BENCH_TOPUP} - (SELECT count(*) FROM passages));
ANALYZE passages;
SQL
  psql "$DB_URL" -Atc "SELECT 'passages after the top-up: ' || count(*) FROM passages"
fi

echo "== HNSW recall@10 against an exact scan (200 stored passages as queries) =="
# SEMANTIC with first=10 asks the index for 120 passages, so it runs with
# ef_search 240 (src/domains/search/store.rs); 40 is pgvector's default.
psql "$DB_URL" -At <<'SQL'
SELECT setseed(0.42);
CREATE TEMP TABLE q AS SELECT id, embedding FROM passages ORDER BY random() LIMIT 200;
SET enable_indexscan = off;
CREATE TEMP TABLE exact AS SELECT q.id AS qid, e.id FROM q CROSS JOIN LATERAL
  (SELECT id FROM passages ORDER BY embedding <=> q.embedding LIMIT 10) e;
SET enable_indexscan = on;
SET hnsw.ef_search = 40;
CREATE TEMP TABLE a40 AS SELECT q.id AS qid, a.id FROM q CROSS JOIN LATERAL
  (SELECT id FROM passages ORDER BY embedding <=> q.embedding LIMIT 10) a;
SET hnsw.ef_search = 240;
CREATE TEMP TABLE a240 AS SELECT q.id AS qid, a.id FROM q CROSS JOIN LATERAL
  (SELECT id FROM passages ORDER BY embedding <=> q.embedding LIMIT 10) a;
SELECT 'recall@10, ef_search 40: ' || round(count(*)::numeric / (SELECT count(*) FROM exact), 4) FROM a40 JOIN exact USING (qid, id);
SELECT 'recall@10, ef_search 240: ' || round(count(*)::numeric / (SELECT count(*) FROM exact), 4) FROM a240 JOIN exact USING (qid, id);
EXPLAIN (COSTS OFF) SELECT id FROM passages ORDER BY embedding <=> (SELECT embedding FROM passages LIMIT 1) LIMIT 10;
SQL

"$BIN" serve > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.2; done

VENV="$HOME/.cache/lectern/bench-venv"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c 'import websockets' 2>/dev/null || "$VENV/bin/pip" install -q 'websockets==15.0.1'
"$VENV/bin/python" bench/search_client.py "http://127.0.0.1:$PORT" "${BENCH_QUERIES:-200}" "${BENCH_ASKS:-50}"
echo "server RSS: $(( $(awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status") / 1024 )) MiB"
