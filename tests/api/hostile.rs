//! Hostile input and bounded work (issue 12): documents that fan out through
//! fragments, strings PostgreSQL cannot store, forged cursors, a Redis that
//! goes away, forwarded addresses, and more concurrent password hashing than
//! the machine has cores.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use base64::Engine;

use crate::harness::{OwnRedis, PASSWORD, TestApp, error_code, error_field};

/// 21 fragments, each spreading the previous one twice: 951 bytes that expand to 2^21 fields.
fn fragment_fan_out() -> String {
    let mut document = String::from("query { ...F20 }\nfragment F0 on QueryRoot { tags { slug } }\n");
    for i in 1..=20 {
        document.push_str(&format!("fragment F{i} on QueryRoot {{ ...F{p} ...F{p} }}\n", p = i - 1));
    }
    document
}

#[tokio::test]
async fn fragment_fan_out_is_refused_before_validation() {
    let app = TestApp::spawn().await;
    let document = fragment_fan_out();
    assert!(document.len() < 1100, "a document of about 951 bytes: {}", document.len());

    // The code says where it was refused: validation would have answered
    // GRAPHQL_VALIDATION_FAILED or run it.
    let refused = app.graphql(&document, json!({})).await;
    assert_eq!(error_code(&refused), "QUERY_TOO_COMPLEX", "{refused}");

    // Two such requests at once leave the server free to answer others.
    let attack = || {
        let (client, url, body) = (app.client.clone(), app.url("/graphql"), json!({ "query": document }));
        tokio::spawn(async move { client.post(url).json(&body).send().await.unwrap().json::<Value>().await.unwrap() })
    };
    let (first, second) = (attack(), attack());
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    for attack in [first, second] {
        assert_eq!(error_code(&attack.await.unwrap()), "QUERY_TOO_COMPLEX");
    }
}

#[tokio::test]
async fn oversized_documents_are_refused_before_parsing() {
    let app = TestApp::spawn_with(&[("GRAPHQL_MAX_TOKENS", "50")]).await;
    let small = app.graphql("{ tags { slug } }", json!({})).await;
    assert!(small["data"]["tags"].is_array(), "{small}");
    let wide = format!("{{ {} }}", "tags { slug } ".repeat(20));
    let refused = app.graphql(&wide, json!({})).await;
    assert_eq!(error_code(&refused), "TOO_MANY_TOKENS", "{refused}");

    // A long unknown name costs "did you mean" suggestions in proportion to its
    // length; it is refused before validation (which would say GRAPHQL_VALIDATION_FAILED).
    let long_name = app.graphql(&format!("{{ {} }}", "a".repeat(500_000)), json!({})).await;
    assert_eq!(error_code(&long_name), "GRAPHQL_PARSE_FAILED", "{}", &long_name.to_string()[..200]);
}

/// Within every limit, yet slow to validate: hundreds of long unknown field names,
/// each compared with the schema's for "did you mean" suggestions.
fn costly_to_validate() -> String {
    let names: String = (0..600).map(|i| format!("x{i:03}{} ", "y".repeat(120))).collect();
    format!("{{ {names} }}")
}

/// The status line of `GET path` after `after`, asked from a thread of its own
/// with a plain socket: nothing of the runtime under test is involved.
fn get_from_outside(addr: std::net::SocketAddr, path: &str, after: Duration) -> String {
    use std::io::{Read, Write};
    std::thread::sleep(after);
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: lectern.test\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response.lines().next().unwrap_or_default().to_owned()
}

// One worker thread: a validation that held it would hold up every other request.
#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn validating_large_documents_leaves_the_workers_free() {
    let app = TestApp::spawn().await;
    let document = costly_to_validate();
    let started = Instant::now();
    let alone = app.graphql(&document, json!({})).await;
    let one_validation = started.elapsed();
    assert_eq!(error_code(&alone), "GRAPHQL_VALIDATION_FAILED", "{}", &alone.to_string()[..200]);

    let costly = || {
        let (client, url, body) = (app.client.clone(), app.url("/graphql"), json!({ "query": document }));
        tokio::spawn(async move { client.post(url).json(&body).send().await.unwrap().json::<Value>().await.unwrap() })
    };
    let running = [costly(), costly()];
    let addr = app.addr;
    // Asked from a thread of its own once both validations are under way,
    // /healthz is answered while they still run: had validation held the one
    // worker, the answer would have waited for both to end.
    let status = std::thread::spawn(move || get_from_outside(addr, "/healthz", one_validation / 3)).join().unwrap();
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(
        running.iter().any(|r| !r.is_finished()),
        "/healthz was answered only after both validations ended ({one_validation:?} each)"
    );
    for costly in running {
        assert_eq!(error_code(&costly.await.unwrap()), "GRAPHQL_VALIDATION_FAILED");
    }
}

// Several workers, so the requests reach the bound together (on the one thread of
// a current-thread runtime each validation would end before the next began).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn validations_beyond_capacity_are_refused_as_unavailable() {
    let app = TestApp::spawn_with(&[("GRAPHQL_VALIDATION_CONCURRENCY", "1"), ("WORK_QUEUE_WAIT_MS", "10")]).await;
    let document = costly_to_validate();
    let costly = || {
        let (client, url, body) = (app.client.clone(), app.url("/graphql"), json!({ "query": document }));
        tokio::spawn(async move { client.post(url).json(&body).send().await.unwrap().json::<Value>().await.unwrap() })
    };
    let results: Vec<Value> =
        futures::future::join_all([costly(), costly(), costly()]).await.into_iter().map(Result::unwrap).collect();
    let codes: Vec<&str> = results.iter().map(error_code).collect();
    assert!(codes.contains(&"GRAPHQL_VALIDATION_FAILED"), "one was validated: {codes:?}");
    let refused = results.iter().find(|r| error_code(r) == "UNAVAILABLE").unwrap_or_else(|| panic!("{codes:?}"));
    assert_eq!(refused["errors"][0]["extensions"]["retryAfter"], 1, "{refused}");
    // Small documents do not queue behind large ones.
    let small = app.graphql("{ tags { slug } }", json!({})).await;
    assert!(small["data"]["tags"].is_array(), "{small}");
}

#[tokio::test]
async fn websockets_refuse_the_fan_out_and_nul_characters_too() {
    let app = TestApp::spawn().await;
    let mut ws = app.ws("graphql-transport-ws").await;
    ws.init(None).await;
    ws.send(json!({ "id": "1", "type": "subscribe", "payload": { "query": fragment_fan_out() } })).await;
    let refused = ws.message().await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["payload"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX", "{refused}");

    let query = "query($slug: String!) { post(slug: $slug) { id } }";
    ws.send(
        json!({ "id": "2", "type": "subscribe", "payload": { "query": query, "variables": { "slug": "a\u{0}" } } }),
    )
    .await;
    // Bad input is an execution result (as on HTTP), not a protocol error.
    let refused = ws.message().await;
    assert_eq!(refused["type"], "next", "{refused}");
    assert_eq!(refused["payload"]["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{refused}");
    assert_eq!(refused["payload"]["errors"][0]["extensions"]["field"], "slug", "{refused}");
}

/// Every operation the web app sends (frontend/src/gql/gql.ts, written by codegen),
/// each with the fragments it spreads, as the client sends it.
fn web_app_operations() -> Vec<(String, String)> {
    let source = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/frontend/src/gql/gql.ts")).unwrap();
    let documents_type = &source[source.find("type Documents = {").unwrap()..];
    let documents_type = &documents_type[..documents_type.find("\n};").unwrap()];
    let entry = regex::Regex::new(r#"(?m)^\s*("(?:[^"\\]|\\.)*"): typeof types\."#).unwrap();
    let documents: Vec<String> =
        entry.captures_iter(documents_type).map(|c| serde_json::from_str::<String>(&c[1]).unwrap()).collect();
    let defines = regex::Regex::new(r"fragment (\w+) on").unwrap();
    let spreads = regex::Regex::new(r"\.\.\.(\w+)").unwrap();
    let fragment_of = |name: &str| documents.iter().find(|d| defines.captures_iter(d).any(|c| &c[1] == name)).unwrap();
    let operation = regex::Regex::new(r"(query|mutation|subscription) (\w+)").unwrap();
    documents
        .iter()
        .filter_map(|document| {
            let name = operation.captures(document)?[2].to_owned();
            let mut full = document.clone();
            let mut pending: Vec<String> = spreads.captures_iter(document).map(|c| c[1].to_owned()).collect();
            while let Some(fragment) = pending.pop() {
                if defines.captures_iter(&full).any(|c| c[1] == fragment) {
                    continue;
                }
                let definition = fragment_of(&fragment);
                pending.extend(spreads.captures_iter(definition).map(|c| c[1].to_owned()));
                full.push_str(definition);
            }
            Some((name, full))
        })
        .collect()
}

#[tokio::test]
async fn the_web_apps_operations_pass_the_limits() {
    let app = TestApp::spawn_with(&[("GRAPHQL_INTROSPECTION", "false")]).await;
    let operations = web_app_operations();
    assert!(operations.len() > 30, "found the web app's operations: {}", operations.len());
    let largest = operations.iter().map(|(_, document)| document.len()).max().unwrap();
    assert!(
        operations.iter().any(|(name, _)| name == "PostPage"),
        "{:?}",
        operations.iter().map(|o| &o.0).collect::<Vec<_>>()
    );
    for (name, document) in &operations {
        // No variables: most are refused for that, after the limits have passed them.
        let body = app.graphql(document, json!({})).await;
        let codes: Vec<&str> = body["errors"]
            .as_array()
            .map(|errors| errors.iter().filter_map(|e| e["extensions"]["code"].as_str()).collect())
            .unwrap_or_default();
        for limit in
            ["TOO_MANY_TOKENS", "QUERY_TOO_COMPLEX", "QUERY_TOO_DEEP", "TOO_MANY_ALIASES", "GRAPHQL_PARSE_FAILED"]
        {
            assert!(
                !codes.contains(&limit),
                "{name} ({} bytes, largest {largest}) hit {limit}: {body}",
                document.len()
            );
        }
    }
}

#[tokio::test]
async fn nul_characters_are_bad_user_input_on_every_entry_point() {
    let app = TestApp::spawn().await;
    let admin = app.user_with_role("ADMIN").await;
    let reader = app.user_with_role("READER").await;
    let (post_id, _) = app.published_post(&admin, "Strings and bytes").await;
    let nul = "a\u{0}b";

    // (who, document, variables, the field the error names)
    let cases: Vec<(Option<&str>, &str, Value, &str)> = vec![
        (
            Some(&reader.access_token),
            "mutation($postId: ID!, $body: String!) { addComment(postId: $postId, body: $body) { id } }",
            json!({ "postId": post_id, "body": nul }),
            "body",
        ),
        (
            Some(&admin.access_token),
            "mutation($input: CreatePostInput!) { createPost(input: $input) { id } }",
            json!({ "input": { "title": nul, "body": "# Hi" } }),
            "title",
        ),
        (None, "query($slug: String!) { post(slug: $slug) { id } }", json!({ "slug": nul }), "slug"),
        (None, "{ post(slug: \"a\\u0000b\") { id } }", json!({}), "slug"),
        (None, "query($slug: String!) { tag(slug: $slug) { id } }", json!({ "slug": nul }), "slug"),
        (None, "query($query: String!) { search(query: $query) { __typename } }", json!({ "query": nul }), "query"),
        (None, "{ posts(filter: { tag: \"x\\u0000\" }) { totalCount } }", json!({}), "tag"),
        (
            None,
            "mutation($input: RegisterInput!) { register(input: $input) { accessToken } }",
            json!({ "input": { "email": "nul@example.com", "password": PASSWORD, "displayName": nul } }),
            "displayName",
        ),
        (
            None,
            "mutation($input: LoginInput!) { login(input: $input) { accessToken } }",
            json!({ "input": { "email": "a\u{0}@example.com", "password": PASSWORD } }),
            "email",
        ),
        (
            Some(&reader.access_token),
            "mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { id } }",
            json!({ "input": { "displayName": nul } }),
            "displayName",
        ),
        (
            Some(&reader.access_token),
            "mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { id } }",
            json!({ "input": { "displayName": "Fine", "bio": nul } }),
            "bio",
        ),
        (
            Some(&admin.access_token),
            "mutation($name: String!) { createTag(name: $name) { id } }",
            json!({ "name": nul }),
            "name",
        ),
        (
            None,
            "mutation($email: String!) { subscribeNewsletter(email: $email) }",
            json!({ "email": "x\u{0}@example.com" }),
            "email",
        ),
        (
            Some(&admin.access_token),
            "query($search: String!) { users(search: $search) { totalCount } }",
            json!({ "search": nul }),
            "search",
        ),
    ];
    for (token, document, variables, field) in cases {
        let body = app.graphql_with(token, document, variables).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{document}: {body}");
        assert_eq!(error_field(&body), field, "{document}: {body}");
    }
    // Nothing was written on the way.
    let comments = app.graphql("query($id: ID!) { comments(postId: $id) { id } }", json!({ "id": post_id })).await;
    assert_eq!(comments["data"]["comments"], json!([]), "{comments}");
}

/// A cursor string with its key replaced: what a client can forge, since cursors are only base64 JSON.
fn with_key(cursor: &str, key: Value) -> String {
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut token: Value = serde_json::from_slice(&engine.decode(cursor).unwrap()).unwrap();
    token["k"] = key;
    engine.encode(token.to_string())
}

#[tokio::test]
async fn a_cursor_from_another_ordering_or_with_a_forged_key_is_bad_user_input() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    for title in ["Alpha", "Beta", "Gamma"] {
        app.published_post(&author, title).await;
    }
    let page = |order: &str, cursor_arg: &str, cursor: Option<String>| {
        let document = format!(
            "query($c: String) {{ posts(first: 1, orderBy: {order}, {cursor_arg}: $c) {{ edges {{ node {{ title }} }} pageInfo {{ endCursor }} }} }}"
        );
        let app = &app;
        async move { app.graphql(&document, json!({ "c": cursor })).await }
    };
    let by_title = page("TITLE", "after", None).await;
    let title_cursor = by_title["data"]["posts"]["pageInfo"]["endCursor"].as_str().unwrap().to_owned();
    let newest = page("NEWEST", "after", None).await;
    let newest_cursor = newest["data"]["posts"]["pageInfo"]["endCursor"].as_str().unwrap().to_owned();
    let ok = page("NEWEST", "after", Some(newest_cursor.clone())).await;
    assert_eq!(ok["data"]["posts"]["edges"].as_array().unwrap().len(), 1, "{ok}");

    for (order, argument, cursor) in [
        ("NEWEST", "after", title_cursor.clone()),
        ("NEWEST", "before", title_cursor.clone()),
        ("TITLE", "after", newest_cursor.clone()),
        // The right ordering with a key of the wrong type, as a client could forge it.
        ("NEWEST", "after", with_key(&newest_cursor, json!({ "Text": "2024-01-01" }))),
        ("NEWEST", "before", with_key(&newest_cursor, json!({ "Text": "2024-01-01" }))),
        ("TITLE", "after", with_key(&title_cursor, json!({ "Time": "2024-01-01T00:00:00Z" }))),
        ("TITLE", "after", with_key(&title_cursor, json!({ "Text": "A\u{0}" }))),
        ("NEWEST", "after", with_key(&newest_cursor, json!("Id"))),
    ] {
        let body = page(order, argument, Some(cursor.clone())).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{order} {argument} {cursor}: {body}");
        assert_eq!(error_field(&body), argument, "{body}");
    }
}

const SEARCH: &str = "query($q: String!) { search(query: $q) { hits { post { slug } } } }";

#[tokio::test]
async fn without_redis_limited_operations_answer_quickly_and_redis_is_used_again_when_back() {
    let Some(mut redis) = OwnRedis::start() else {
        eprintln!("SKIPPED: redis-server is not on PATH; this test starts and stops a Redis of its own");
        return;
    };
    let app = TestApp::spawn_with(&[
        ("REDIS_URL", &redis.url()),
        ("REDIS_KEY_PREFIX", "outage:"),
        ("REDIS_RETRY_AFTER_MS", "1000"),
    ])
    .await;
    let author = app.user_with_role("AUTHOR").await;
    let reader = app.user_with_role("READER").await;
    let (post_id, _) = app.published_post(&author, "Caching and consistency").await;
    let searched = app.graphql(SEARCH, json!({ "q": "caching" })).await;
    assert!(searched["errors"].is_null(), "{searched}");
    assert!(!redis.keys("outage:rl:login:*").await.is_empty(), "the limiter counts in Redis while it is up");

    redis.stop();
    // "Quickly" is checked by what the Redis guard did, not by timing requests: a call
    // that asks Redis is bounded by its deadline, and once one has failed the breaker
    // spares the calls after it. A call that bypassed the guard would wait out the
    // connection manager's reconnect backoff instead and show up in neither count.
    let guard = app.state.redis_guard.clone().expect("scaled mode has a Redis guard");
    let before = guard.stats();
    let login = app
        .graphql(
            "mutation($input: LoginInput!) { login(input: $input) { accessToken } }",
            json!({ "input": { "email": reader.email, "password": PASSWORD } }),
        )
        .await;
    assert!(login["data"]["login"]["accessToken"].is_string(), "{login}");
    let comment = app
        .graphql_with(
            Some(&reader.access_token),
            "mutation($post: ID!) { addComment(postId: $post, body: \"Still here\") { id } }",
            json!({ "post": post_id }),
        )
        .await;
    assert!(comment["data"]["addComment"]["id"].is_string(), "{comment}");
    for query in ["consistency", "caching"] {
        let search = app.graphql(SEARCH, json!({ "q": query })).await;
        assert!(search["errors"].is_null() && search["data"]["search"]["hits"].is_array(), "{search}");
    }
    let during = guard.stats();
    assert!(during.failed > before.failed, "the requests tried Redis through the guard: {before:?} → {during:?}");
    assert_eq!(during.asked - before.asked, during.failed - before.failed, "nothing reached the stopped Redis");
    assert!(during.skipped > before.skipped, "the open breaker spared the calls after a failure: {during:?}");
    // The in-process fallback still limits: the per-account login limit is 10 per 15 minutes.
    let mut codes = Vec::new();
    for _ in 0..12 {
        let body = app
            .graphql(
                "mutation($input: LoginInput!) { login(input: $input) { accessToken } }",
                json!({ "input": { "email": reader.email, "password": "not the password" } }),
            )
            .await;
        codes.push(error_code(&body).to_owned());
    }
    assert!(codes.iter().any(|c| c == "RATE_LIMITED"), "{codes:?}");

    redis.restart();
    let mut counted_in_redis = false;
    for _ in 0..240 {
        let search = app.graphql(SEARCH, json!({ "q": "caching" })).await;
        assert!(search["errors"].is_null(), "{search}");
        if !redis.keys("outage:rl:search:*").await.is_empty() {
            counted_in_redis = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(counted_in_redis, "the limiter went back to Redis once it answered again");
}

#[tokio::test]
async fn redis_limits_intervals_shorter_than_a_millisecond() {
    use lectern::{
        config::RedisGuardConfig,
        infra::{
            rate_limit::{InProcessRateLimiter, RateLimiter, RedisRateLimiter, Rule},
            redis_guard::RedisGuard,
        },
    };
    let Some(redis) = OwnRedis::start() else {
        eprintln!("SKIPPED: redis-server is not on PATH; this test starts a Redis of its own");
        return;
    };
    let manager = redis::aio::ConnectionManager::new(redis::Client::open(redis.url()).unwrap()).await.unwrap();
    let config = RedisGuardConfig { timeout: Duration::from_secs(2), retry_after: Duration::from_secs(60) };
    let fallback = std::sync::Arc::new(InProcessRateLimiter::default());
    let limiter = RedisRateLimiter::new(std::sync::Arc::new(RedisGuard::new(manager, &config)), "fast:", fallback);
    // 100 at once, refilling one every 900 µs: counted in whole milliseconds, the interval was 0
    // and Redis refused every call ("invalid expire time").
    let rule = Rule::new("fast", 100, Duration::from_micros(90_000));
    // All at once (one multiplexed connection), so the hits outrun the refill
    // however loaded the machine is; one after the other, a hit that takes
    // over 900 µs is refilled before the next.
    let started = std::time::Instant::now();
    let hits = (0..1_000).map(|_| limiter.hit(&rule, "client"));
    let outcomes: Vec<_> = futures::future::join_all(hits).await.into_iter().map(|r| r.map_err(|e| e.code())).collect();
    let refilled = started.elapsed().as_micros() / 900 + 1;
    let passed = outcomes.iter().filter(|o| o.is_ok()).count() as u128;
    assert!(passed >= 100, "the burst passes: {outcomes:?}");
    assert!(passed <= 100 + refilled, "{passed} passed, more than the burst and {refilled} refills: {outcomes:?}");
    assert!(outcomes.contains(&Err("RATE_LIMITED")), "then it limits: {outcomes:?}");
    assert!(!redis.keys("fast:rl:fast:*").await.is_empty(), "counted in Redis, not the fallback");
}

// Several workers, so the logins reach the bound together.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn logins_beyond_the_hashing_capacity_are_refused_as_unavailable() {
    let app = TestApp::spawn_with(&[("PASSWORD_HASH_CONCURRENCY", "1"), ("WORK_QUEUE_WAIT_MS", "5")]).await;
    let email = "capacity@example.com";
    app.register(email).await;
    let login = || {
        let (client, url) = (app.client.clone(), app.url("/graphql"));
        let body = json!({
            "query": "mutation($input: LoginInput!) { login(input: $input) { accessToken } }",
            "variables": { "input": { "email": email, "password": PASSWORD } },
        });
        tokio::spawn(async move { client.post(url).json(&body).send().await.unwrap().json::<Value>().await.unwrap() })
    };
    // Eight at once against one hashing permit (argon2 takes tens of milliseconds, the wait 5).
    let results: Vec<Value> =
        futures::future::join_all((0..8).map(|_| login())).await.into_iter().map(Result::unwrap).collect();
    let signed_in = results.iter().filter(|r| r["data"]["login"]["accessToken"].is_string()).count();
    let refused: Vec<&Value> =
        results.iter().filter(|r| r["errors"][0]["extensions"]["code"] == "UNAVAILABLE").collect();
    assert!(signed_in >= 1, "the permit's holder signs in: {results:?}");
    assert!(!refused.is_empty(), "those beyond capacity are refused: {results:?}");
    assert_eq!(signed_in + refused.len(), results.len(), "nothing else happens: {results:?}");
    assert_eq!(refused[0]["errors"][0]["extensions"]["retryAfter"], 1, "{}", refused[0]);
    assert!(refused[0]["errors"][0]["message"].as_str().unwrap().contains("busy"), "{}", refused[0]);
    // Once the burst is over, signing in works again.
    let again = app.login(email, PASSWORD).await;
    assert!(!again.access_token.is_empty());
}

/// A search as sent through proxies: `forwarded` is the X-Forwarded-For header. "ok" or the error code.
async fn search_via(app: &TestApp, forwarded: &str) -> String {
    let body: Value = app
        .client
        .post(app.url("/graphql"))
        .header("x-forwarded-for", forwarded)
        .json(&json!({ "query": SEARCH, "variables": { "q": "rate limits" } }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    if body["errors"].is_null() { "ok".into() } else { error_code(&body).to_owned() }
}

#[tokio::test]
async fn rate_limits_key_on_the_client_behind_trusted_proxies_and_ipv6_by_its_slash_64() {
    // Two proxies (a CDN, then a load balancer) append to X-Forwarded-For; what is left of them the client wrote.
    let app = TestApp::spawn_with(&[("TRUSTED_PROXY_HOPS", "2"), ("SEARCHES_PER_MINUTE", "2")]).await;
    assert_eq!(search_via(&app, "6.6.6.1, 2001:db8:1:2::1, 10.0.0.1").await, "ok");
    // Another forged entry and another address in the same /64: the same bucket.
    assert_eq!(search_via(&app, "6.6.6.2, 2001:db8:1:2:ffff::9, 10.0.0.2").await, "ok");
    assert_eq!(search_via(&app, "6.6.6.3, 2001:db8:1:2::abcd, 10.0.0.1").await, "RATE_LIMITED");
    // The next /64 is someone else.
    assert_eq!(search_via(&app, "2001:db8:1:3::1, 10.0.0.1").await, "ok");
    // An IPv4-mapped address is its IPv4 address.
    assert_eq!(search_via(&app, "::ffff:192.0.2.1, 10.0.0.1").await, "ok");
    assert_eq!(search_via(&app, "192.0.2.1, 10.0.0.1").await, "ok");
    assert_eq!(search_via(&app, "[::ffff:192.0.2.1]:5000, 10.0.0.1").await, "RATE_LIMITED");

    // By network: the peer (127.0.0.1 here) and 10.0.0.0/8 are ours; the first other address is the client.
    let app = TestApp::spawn_with(&[("TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8"), ("SEARCHES_PER_MINUTE", "2")]).await;
    assert_eq!(search_via(&app, "6.6.6.1, 198.51.100.7, 10.0.0.3").await, "ok");
    assert_eq!(search_via(&app, "7.7.7.7, 198.51.100.7, 10.20.0.1, 10.0.0.3").await, "ok");
    assert_eq!(search_via(&app, "198.51.100.7").await, "RATE_LIMITED");
    assert_eq!(search_via(&app, "198.51.100.8, 10.0.0.3").await, "ok");
}
