"""Load client for bench/search.sh: search latency per mode and askAi timings.

Queries are built from the synthetic dataset's topics and verbs, all distinct,
so every first request embeds its query; the second round repeats them and
hits the query-embedding cache. Requests go one at a time (latency, not
throughput). askAi runs over graphql-transport-ws as the demo reader.
"""

import asyncio
import json
import random
import statistics
import sys
import time
import urllib.request

import websockets

BASE, QUERIES, ASKS = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
TOPICS = ["Rust", "databases", "GraphQL", "distributed systems", "testing", "PostgreSQL", "performance",
          "API design", "async code", "security", "caching", "indexes", "transactions", "pagination",
          "error handling", "concurrency", "observability", "deployment", "queues", "schemas"]
ASKING = ["how do I get started with", "what are common mistakes in", "why does my team struggle with",
          "what should I measure when tuning", "how do experts think about", "when should I avoid",
          "what is the trade-off behind", "how can I explain to a beginner"]
SEARCH = ("query($q: String!, $mode: SearchMode) { search(query: $q, mode: $mode, first: 10) "
          "{ hits { score snippet post { slug } passage { headingPath } } } }")
ASK = ("subscription($q: String!) { askAi(question: $q) { __typename "
       "... on AskAiDone { finishReason } ... on AskAiError { message } } }")


def post(body, token=None):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    req = urllib.request.Request(BASE + "/graphql", json.dumps(body).encode(), headers)
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read())


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def report(name, ms):
    print(f"{name:<34} n={len(ms):<4} p50 {pct(ms, 50):7.1f} ms   p99 {pct(ms, 99):7.1f} ms   mean {statistics.mean(ms):7.1f} ms")


def queries(seed):
    rng = random.Random(seed)
    out = set()
    while len(out) < QUERIES:
        out.add(f"{rng.choice(ASKING)} {rng.choice(TOPICS)} and {rng.choice(TOPICS)}")
        if len(out) >= len(ASKING) * len(TOPICS) * len(TOPICS):
            break
    return sorted(out)


def bench_search():
    post({"query": SEARCH, "variables": {"q": "warm up", "mode": "HYBRID"}})
    for i, mode in enumerate(["SEMANTIC", "HYBRID"]):
        qs = queries(i)
        for label in ["distinct queries", "repeated (cached embedding)"]:
            times = []
            for q in qs:
                start = time.perf_counter()
                body = post({"query": SEARCH, "variables": {"q": q, "mode": mode}})
                times.append((time.perf_counter() - start) * 1000)
                assert "errors" not in body, body
                assert body["data"]["search"]["hits"], (q, body)
            report(f"{mode} search, {label}", times)


async def bench_ask():
    login = post({"query": "mutation { login(input: {email: \"reader@lectern.dev\", password: \"lectern-reader-demo-2026\"}) { accessToken } }"})
    token = login["data"]["login"]["accessToken"]
    to_sources, to_delta, total = [], [], []
    rng = random.Random(7)
    url = BASE.replace("http", "ws") + "/graphql/ws"
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        for n in range(ASKS):
            q = f"{rng.choice(ASKING)} {rng.choice(TOPICS)}?"
            start = time.perf_counter()
            await ws.send(json.dumps({"id": str(n), "type": "subscribe", "payload": {"query": ASK, "variables": {"q": q}}}))
            first_delta = None
            while True:
                msg = json.loads(await ws.recv())
                if msg["type"] == "complete":
                    break
                kind = msg["payload"]["data"]["askAi"]["__typename"]
                now = (time.perf_counter() - start) * 1000
                if kind == "AskAiSources":
                    to_sources.append(now)
                elif kind == "AskAiDelta" and first_delta is None:
                    first_delta = now
                    to_delta.append(now)
                elif kind == "AskAiError":
                    raise SystemExit(msg)
            total.append((time.perf_counter() - start) * 1000)
    report("askAi: subscribe -> sources", to_sources)
    report("askAi: subscribe -> first delta", to_delta)
    report("askAi: subscribe -> complete", total)


bench_search()
asyncio.run(bench_ask())
