//! Operations named by hash: automatic persisted queries (Apollo's protocol)
//! on POST and GET, shared through Redis, surviving a Redis outage; and
//! trusted documents (the web app's manifest) with trusted-only mode.

use reqwest::header;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::harness::{OwnRedis, TestApp, error_code};

const GQL_RESPONSE: &str = "application/graphql-response+json";
const TAGS: &str = "query Tags { tags { slug } }";

fn sha256(document: &str) -> String {
    hex::encode(Sha256::digest(document.as_bytes()))
}

fn persisted(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

/// POSTs `body` asking for `application/graphql-response+json`; returns status, headers and JSON body.
async fn post(app: &TestApp, token: Option<&str>, body: Value) -> (u16, header::HeaderMap, Value) {
    let mut request = app.client.post(app.url("/graphql")).header(header::ACCEPT, GQL_RESPONSE).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let (status, headers) = (response.status().as_u16(), response.headers().clone());
    (status, headers, response.json().await.unwrap())
}

/// A hash-only GET, as a CDN-friendly client sends it.
async fn get_by_hash(app: &TestApp, token: Option<&str>, hash: &str) -> (u16, header::HeaderMap, Value) {
    let extensions = persisted(hash).to_string();
    let mut request =
        app.client.get(app.url("/graphql")).header(header::ACCEPT, GQL_RESPONSE).query(&[("extensions", &extensions)]);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let (status, headers) = (response.status().as_u16(), response.headers().clone());
    (status, headers, response.json().await.unwrap())
}

#[tokio::test]
async fn unknown_hash_then_registered_then_hash_only_on_post_and_get() {
    let app = TestApp::spawn().await;
    let hash = sha256(TAGS);

    let (status, headers, body) = post(&app, None, json!({ "extensions": persisted(&hash) })).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_code(&body), "PERSISTED_QUERY_NOT_FOUND");
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound", "the message Apollo and urql clients look for");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store", "a miss must never be cached");
    let legacy = app
        .client
        .post(app.url("/graphql"))
        .header(header::ACCEPT, "application/json")
        .json(&json!({ "extensions": persisted(&hash) }))
        .send()
        .await
        .unwrap();
    assert_eq!(legacy.status(), 200, "legacy application/json gets 200 for request errors");
    assert_eq!(error_code(&legacy.json::<Value>().await.unwrap()), "PERSISTED_QUERY_NOT_FOUND");
    let (status, _, body) = get_by_hash(&app, None, &hash).await;
    assert_eq!((status, error_code(&body)), (400, "PERSISTED_QUERY_NOT_FOUND"));

    // The retry carries the query with its hash: it runs and the server learns the hash.
    let (status, _, body) = post(&app, None, json!({ "query": TAGS, "extensions": persisted(&hash) })).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["data"]["tags"].is_array(), "{body}");

    let (status, _, body) = post(&app, None, json!({ "extensions": persisted(&hash) })).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["data"]["tags"].is_array(), "{body}");

    let (status, headers, body) = get_by_hash(&app, None, &hash).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["data"]["tags"].is_array(), "{body}");
    assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=60", "an anonymous hash-only GET may be cached");
    let vary = headers[header::VARY].to_str().unwrap().to_ascii_lowercase();
    assert!(vary.contains("authorization") && vary.contains("accept"), "{vary}");

    // A signed-in viewer's answer is theirs alone.
    let reader = app.user_with_role("READER").await;
    let (status, headers, body) = get_by_hash(&app, Some(&reader.access_token), &hash).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");

    // Batches resolve each entry's hash.
    let (status, _, body) =
        post(&app, None, json!([{ "extensions": persisted(&hash) }, { "query": "{ tags { name } }" }])).await;
    assert_eq!(status, 200, "{body}");
    assert!(body[0]["data"]["tags"].is_array() && body[1]["data"]["tags"].is_array(), "{body}");
}

#[tokio::test]
async fn a_query_whose_hash_does_not_match_is_refused_and_not_stored() {
    let app = TestApp::spawn().await;
    let other = sha256("query Other { tags { name } }");
    let (status, _, body) = post(&app, None, json!({ "query": TAGS, "extensions": persisted(&other) })).await;
    assert_eq!((status, error_code(&body)), (400, "PERSISTED_QUERY_HASH_MISMATCH"), "{body}");
    assert!(body.get("data").is_none(), "nothing ran: {body}");
    let (_, _, body) = post(&app, None, json!({ "extensions": persisted(&other) })).await;
    assert_eq!(error_code(&body), "PERSISTED_QUERY_NOT_FOUND", "a refused registration stores nothing");

    for bad in [json!({ "version": 2, "sha256Hash": other }), json!({ "version": 1, "sha256Hash": "abc" })] {
        let (status, _, body) = post(&app, None, json!({ "extensions": { "persistedQuery": bad } })).await;
        assert_eq!((status, error_code(&body)), (400, "BAD_REQUEST"), "{body}");
    }
}

#[tokio::test]
async fn a_mutation_named_by_hash_stays_post_only() {
    let app = TestApp::spawn().await;
    let mutation = "mutation ReadAll { markAllNotificationsRead }";
    let hash = sha256(mutation);
    // Registered through POST (it runs, and is refused for an anonymous viewer).
    let (status, _, body) = post(&app, None, json!({ "query": mutation, "extensions": persisted(&hash) })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
    let (status, headers, body) = get_by_hash(&app, None, &hash).await;
    assert_eq!((status, error_code(&body)), (405, "METHOD_NOT_ALLOWED"), "{body}");
    assert_eq!(headers[header::ALLOW], "POST");
}

#[tokio::test]
async fn instances_share_learnt_hashes_through_redis() {
    let app = TestApp::spawn().await;
    let sibling = app.sibling().await;
    let hash = sha256(TAGS);
    let (status, _, _) = post(&app, None, json!({ "query": TAGS, "extensions": persisted(&hash) })).await;
    assert_eq!(status, 200);
    let (status, _, body) = post(&sibling, None, json!({ "extensions": persisted(&hash) })).await;
    if std::env::var("TEST_REDIS_URL").is_ok() {
        assert_eq!(status, 200, "the sibling finds the hash in Redis: {body}");
        assert!(body["data"]["tags"].is_array(), "{body}");
        let mut redis = app.state.redis.clone().expect("redis");
        let key = format!("{}apq:{hash}", app.state.config.redis_prefix);
        let ttl: i64 = redis::cmd("TTL").arg(&key).query_async(&mut redis).await.unwrap();
        assert!(ttl > 0 && ttl <= 7 * 86_400, "stored under the deployment's prefix with a TTL: {ttl}");
    } else {
        // Without Redis each instance has its own store; the client's retry teaches this one.
        assert_eq!(error_code(&body), "PERSISTED_QUERY_NOT_FOUND", "{body}");
    }
}

#[tokio::test]
async fn requests_are_answered_while_redis_is_down() {
    let Some(mut redis) = OwnRedis::start() else {
        eprintln!("skipped: no redis-server binary to start a private Redis");
        return;
    };
    let app = TestApp::spawn_with(&[("REDIS_URL", &redis.url()), ("REDIS_KEY_PREFIX", "apq-outage:")]).await;
    let hash = sha256(TAGS);
    let (status, _, _) = post(&app, None, json!({ "query": TAGS, "extensions": persisted(&hash) })).await;
    assert_eq!(status, 200);
    let (status, _, _) = post(&app, None, json!({ "extensions": persisted(&hash) })).await;
    assert_eq!(status, 200, "learnt while Redis was up");

    redis.stop();
    // The lookup fails: a miss, so the client sends the query, which is answered.
    let (status, _, body) = post(&app, None, json!({ "extensions": persisted(&hash) })).await;
    assert_eq!((status, error_code(&body)), (400, "PERSISTED_QUERY_NOT_FOUND"), "{body}");
    let (status, _, body) = post(&app, None, json!({ "query": TAGS, "extensions": persisted(&hash) })).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["data"]["tags"].is_array(), "{body}");
}

/// The documents the harness itself sends to make users, so they run in trusted-only mode.
const REGISTER: &str =
    "mutation($input: RegisterInput!) { register(input: $input) { accessToken refreshToken user { id email } } }";
const LOGIN: &str =
    "mutation($input: LoginInput!) { login(input: $input) { accessToken refreshToken user { id email } } }";

#[tokio::test]
async fn trusted_only_mode_runs_the_manifest_and_admins_ad_hoc_operations() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("persisted-documents.json");
    let entries: serde_json::Map<String, Value> =
        [TAGS, REGISTER, LOGIN].iter().map(|doc| (format!("sha256:{}", sha256(doc)), json!(doc))).collect();
    std::fs::write(&manifest, Value::Object(entries).to_string()).unwrap();
    let path = manifest.display().to_string();
    let app = TestApp::spawn_with(&[("TRUSTED_DOCUMENTS", &path), ("TRUSTED_DOCUMENTS_ONLY", "true")]).await;

    // The manifest's documents resolve by hash without ever being registered, and run as text.
    let (status, _, body) = post(&app, None, json!({ "extensions": persisted(&sha256(TAGS)) })).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["data"]["tags"].is_array(), "{body}");
    let (status, _, body) = get_by_hash(&app, None, &sha256(TAGS)).await;
    assert_eq!(status, 200, "{body}");
    let (status, _, body) = post(&app, None, json!({ "query": TAGS })).await;
    assert_eq!(status, 200, "{body}");

    let ad_hoc = "{ tags { name } }";
    let reader = app.user_with_role("READER").await;
    let admin = app.user_with_role("ADMIN").await;
    for token in [None, Some(reader.access_token.as_str())] {
        let (status, _, body) = post(&app, token, json!({ "query": ad_hoc })).await;
        assert_eq!((status, error_code(&body)), (403, "OPERATION_NOT_TRUSTED"), "{body}");
        assert!(body.get("data").is_none(), "nothing ran: {body}");
        // Registering a new hash does not make it trusted either.
        let (status, _, body) =
            post(&app, token, json!({ "query": ad_hoc, "extensions": persisted(&sha256(ad_hoc)) })).await;
        assert_eq!((status, error_code(&body)), (403, "OPERATION_NOT_TRUSTED"), "{body}");
        let (status, _, body) = post(&app, token, json!([{ "query": TAGS }, { "query": ad_hoc }])).await;
        assert_eq!(
            (status, error_code(&body)),
            (403, "OPERATION_NOT_TRUSTED"),
            "one untrusted entry refuses the batch"
        );
        let response = app
            .client
            .get(app.url("/graphql"))
            .header(header::ACCEPT, GQL_RESPONSE)
            .query(&[("query", ad_hoc)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403);
    }
    // GraphiQL keeps working for admins.
    let (status, _, body) = post(&app, Some(&admin.access_token), json!({ "query": ad_hoc })).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["data"]["tags"].is_array(), "{body}");
}

#[tokio::test]
async fn the_web_apps_generated_manifest_is_trusted() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/frontend/src/gql/persisted-documents.json");
    let manifest: serde_json::Map<String, Value> =
        serde_json::from_str(&std::fs::read_to_string(path).expect("npm run codegen writes the manifest")).unwrap();
    let (key, _) = manifest
        .iter()
        .find(|(_, doc)| doc.as_str().is_some_and(|d| d.starts_with("query SeriesList ")))
        .expect("the web app's SeriesList query is in the manifest");
    let hash = key.strip_prefix("sha256:").expect("codegen writes sha256:<hex> ids");
    let app = TestApp::spawn_with(&[("TRUSTED_DOCUMENTS", path), ("TRUSTED_DOCUMENTS_ONLY", "true")]).await;
    let (status, _, body) = get_by_hash(&app, None, hash).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["data"]["seriesList"]["edges"].is_array(), "{body}");
}

#[tokio::test]
async fn websocket_subscribe_resolves_hashes_and_obeys_trusted_only_mode() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("persisted-documents.json");
    std::fs::write(&manifest, json!({ format!("sha256:{}", sha256(TAGS)): TAGS }).to_string()).unwrap();
    let path = manifest.display().to_string();
    let app = TestApp::spawn_with(&[("TRUSTED_DOCUMENTS", &path), ("TRUSTED_DOCUMENTS_ONLY", "true")]).await;
    let mut ws = app.ws("graphql-transport-ws").await;
    ws.init(None).await;

    let unknown = sha256("subscription Nope { nope }");
    ws.send(json!({ "id": "1", "type": "subscribe", "payload": { "extensions": persisted(&unknown) } })).await;
    let error = ws.message().await;
    assert_eq!((error["type"].as_str(), error["id"].as_str()), (Some("error"), Some("1")), "{error}");
    assert_eq!(error["payload"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_FOUND", "{error}");

    let ad_hoc = "subscription { notifications { id } }";
    ws.send(json!({ "id": "2", "type": "subscribe", "payload": { "query": ad_hoc } })).await;
    let error = ws.message().await;
    assert_eq!(error["payload"][0]["extensions"]["code"], "OPERATION_NOT_TRUSTED", "{error}");

    // The manifest's document, named by hash, runs (a query over the socket answers once).
    ws.send(json!({ "id": "3", "type": "subscribe", "payload": { "extensions": persisted(&sha256(TAGS)) } })).await;
    let next = ws.message().await;
    assert_eq!(next["type"], "next", "{next}");
    assert!(next["payload"]["data"]["tags"].is_array(), "{next}");
}
