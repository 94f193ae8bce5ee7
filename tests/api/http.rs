//! GraphQL over HTTP: media types, methods, limits, CSRF, health and errors;
//! and the web app's build served around the API.

use reqwest::header;
use serde_json::{Value, json};

use crate::harness::{TestApp, error_code};

const GQL_RESPONSE: &str = "application/graphql-response+json";

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::spawn().await;
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert!(health.headers().contains_key("x-request-id"), "every response carries a request id");
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.json::<Value>().await.unwrap()["status"], "ready");
}

#[tokio::test]
async fn graphiql_for_browsers() {
    // On by default only in embedded mode; the service-backed pass runs PostgreSQL.
    let app = TestApp::spawn_with(&[("GRAPHIQL", "true")]).await;
    let page = app
        .client
        .get(app.url("/graphql"))
        .header(header::ACCEPT, "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(html.contains("GraphiQL") && html.contains("graphiql.min.js") && html.contains("lectern-graphiql.js"));
    // The page's own script sends the editor's headers in connection_init for subscriptions.
    let script = html.split("src=\"").find(|s| s.contains("lectern-graphiql.js")).unwrap();
    let script = &script[..script.find('"').unwrap()];
    let js = app.client.get(app.url(script)).send().await.unwrap().text().await.unwrap();
    assert!(js.contains("graphqlWs.createClient") && js.contains("connectionParams: headers"), "{js}");
    assert!(js.contains("isHeadersEditorEnabled: true") && js.contains("shouldPersistHeaders: false"));
}

#[tokio::test]
async fn media_types_follow_graphql_over_http() {
    let app = TestApp::spawn().await;
    let post = |accept: &'static str, body: Value| {
        let app = &app;
        async move { app.client.post(app.url("/graphql")).header(header::ACCEPT, accept).json(&body).send().await.unwrap() }
    };

    let ok = post(GQL_RESPONSE, json!({ "query": "{ tags { slug } }" })).await;
    assert_eq!(ok.status(), 200);
    assert!(ok.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with(GQL_RESPONSE));

    // Request errors: 400 with the new media type, 200 with legacy application/json.
    for (query, code) in [("{ tags { ", "GRAPHQL_PARSE_FAILED"), ("{ nope }", "GRAPHQL_VALIDATION_FAILED")] {
        let modern = post(GQL_RESPONSE, json!({ "query": query })).await;
        assert_eq!(modern.status(), 400, "{query}");
        let body = modern.json::<Value>().await.unwrap();
        assert_eq!(error_code(&body), code);
        assert!(body.get("data").is_none(), "nothing ran, so no data entry: {body}");
        let legacy = post("application/json", json!({ "query": query })).await;
        assert_eq!(legacy.status(), 200, "{query}");
        assert!(legacy.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/json"));
        assert_eq!(error_code(&legacy.json::<Value>().await.unwrap()), code);
    }

    let not_acceptable = post("text/plain", json!({ "query": "{ tags { slug } }" })).await;
    assert_eq!(not_acceptable.status(), 406);

    for accept in [GQL_RESPONSE, "application/json"] {
        let no_query = post(accept, json!({ "qeury": "{ tags { slug } }" })).await;
        assert_eq!(no_query.status(), 400, "a body without `query` is not a GraphQL request");
        assert_eq!(error_code(&no_query.json::<Value>().await.unwrap()), "BAD_REQUEST");
    }
    let not_json = app
        .client
        .post(app.url("/graphql"))
        .header(header::CONTENT_TYPE, "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);
    assert_eq!(error_code(&not_json.json::<Value>().await.unwrap()), "BAD_REQUEST");
}

#[tokio::test]
async fn get_runs_queries_only() {
    let app = TestApp::spawn().await;
    let get = |params: &[(&str, &str)]| {
        let request = app.client.get(app.url("/graphql")).header(header::ACCEPT, GQL_RESPONSE).query(params);
        async move { request.send().await.unwrap() }
    };
    let query = get(&[
        ("query", "query Tags($id: ID!) { user(id: $id) { id } tags { slug } }"),
        ("variables", "{\"id\": \"0190a1b2-0000-7000-8000-000000000000\"}"),
    ])
    .await;
    assert_eq!(query.status(), 200);
    assert_eq!(query.json::<Value>().await.unwrap()["data"]["tags"], json!([]));

    let mutation = get(&[("query", "mutation { requestPasswordReset(email: \"a@example.com\") }")]).await;
    assert_eq!(mutation.status(), 405);
    assert_eq!(mutation.headers()[header::ALLOW], "POST");
    let named = get(&[("query", "query Q { tags { slug } } mutation M { logout }"), ("operationName", "M")]).await;
    assert_eq!(named.status(), 405);

    let missing = get(&[]).await;
    assert_eq!(missing.status(), 400);
    let bad_variables = get(&[("query", "{ tags { slug } }"), ("variables", "{nope")]).await;
    assert_eq!(bad_variables.status(), 400);
}

#[tokio::test]
async fn simple_content_types_are_refused_without_side_effects() {
    let app = TestApp::spawn().await;
    let mutation = json!({
        "query": "mutation { register(input: {email: \"csrf@example.com\", password: \"plum-orbit-canoe-42\", displayName: \"CSRF\"}) { accessToken } }"
    })
    .to_string();
    for content_type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""] {
        let mut request = app.client.post(app.url("/graphql")).body(mutation.clone());
        if !content_type.is_empty() {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 415, "{content_type:?}");
        assert_eq!(error_code(&response.json::<Value>().await.unwrap()), "UNSUPPORTED_MEDIA_TYPE");
    }
    // Nothing ran: the account does not exist, so registering it now succeeds.
    app.register("csrf@example.com").await;
}

#[tokio::test]
async fn oversized_bodies_are_refused_before_being_read() {
    let app = TestApp::spawn_with(&[("MAX_BODY_BYTES", "2048")]).await;
    let big = json!({ "query": format!("{{ tags {{ slug }} }} # {}", "x".repeat(4096)) }).to_string();
    let declared = app
        .client
        .post(app.url("/graphql"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(declared.status(), 413);
    assert_eq!(error_code(&declared.json::<Value>().await.unwrap()), "PAYLOAD_TOO_LARGE");

    // Chunked, with no Content-Length: cut off at the limit while streaming.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = big.into_bytes().chunks(512).map(|c| Ok(c.to_vec())).collect();
    let streamed = app
        .client
        .post(app.url("/graphql"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    assert_eq!(streamed.status(), 413);

    let small = app.graphql("{ tags { slug } }", json!({})).await;
    assert!(small["data"]["tags"].is_array());
}

#[tokio::test]
async fn deep_complex_aliased_and_batched_operations_are_limited() {
    let app = TestApp::spawn_with(&[
        ("GRAPHQL_MAX_DEPTH", "4"),
        ("GRAPHQL_MAX_COMPLEXITY", "10"),
        ("GRAPHQL_MAX_ALIASES", "3"),
        ("GRAPHQL_MAX_BATCH", "3"),
        // The deep document below is an introspection query, which is refused
        // outright when introspection is off (the default with PostgreSQL).
        ("GRAPHQL_INTROSPECTION", "true"),
    ])
    .await;

    let deep = app.graphql("{ __schema { types { fields { type { ofType { name } } } } } }", json!({})).await;
    assert_eq!(error_code(&deep), "QUERY_TOO_DEEP");

    let wide: String = (0..25).map(|i| format!("f{i}: __typename ")).collect();
    let complex = app.graphql(&format!("{{ {wide} }}"), json!({})).await;
    // 25 aliases also break the alias limit, which is checked first.
    assert_eq!(error_code(&complex), "TOO_MANY_ALIASES");
    let wide_plain = app.graphql("{ tags { id name slug } me { id email displayName role emailVerified createdAt } a: tags { id name slug } b: tags { id name slug } }", json!({})).await;
    assert_eq!(error_code(&wide_plain), "QUERY_TOO_COMPLEX", "{wide_plain}");

    let ok = app.graphql("{ a: tags { slug } b: tags { slug } c: tags { slug } }", json!({})).await;
    assert!(ok["data"]["a"].is_array(), "{ok}");

    let batch = |n: usize| {
        let operations: Vec<Value> = (0..n).map(|_| json!({ "query": "{ tags { slug } }" })).collect();
        let app = &app;
        async move { app.client.post(app.url("/graphql")).json(&operations).send().await.unwrap() }
    };
    let allowed = batch(3).await;
    assert_eq!(allowed.status(), 200);
    let results: Value = allowed.json().await.unwrap();
    assert_eq!(results.as_array().unwrap().len(), 3);
    let too_many = batch(4).await;
    assert_eq!(too_many.status(), 400);
    assert_eq!(error_code(&too_many.json::<Value>().await.unwrap()), "BATCH_TOO_LARGE");
}

#[tokio::test]
async fn introspection_can_be_switched_off() {
    let on = TestApp::spawn_with(&[("GRAPHQL_INTROSPECTION", "true")]).await;
    let schema = on.graphql("{ __schema { queryType { name } } }", json!({})).await;
    assert_eq!(schema["data"]["__schema"]["queryType"]["name"], "QueryRoot");

    let off = TestApp::spawn_with(&[("GRAPHQL_INTROSPECTION", "false")]).await;
    let refused = off.graphql("{ __schema { queryType { name } } }", json!({})).await;
    assert!(refused["data"]["__schema"].is_null(), "{refused}");
    let typo = off.graphql("{ tagz { slug } }", json!({})).await;
    assert!(!typo["errors"][0]["message"].as_str().unwrap().contains("Did you mean"), "no field suggestions: {typo}");
}

#[tokio::test]
async fn internal_errors_are_masked_with_the_request_id() {
    let app = TestApp::spawn().await;
    use sea_orm::ConnectionTrait;
    app.state.db.execute_unprepared("ALTER TABLE tags RENAME TO tags_gone").await.unwrap();
    let response =
        app.client.post(app.url("/graphql")).json(&json!({ "query": "{ tags { slug } }" })).send().await.unwrap();
    let request_id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_code(&body), "INTERNAL_SERVER_ERROR");
    assert_eq!(body["errors"][0]["message"], "Internal server error");
    assert_eq!(body["errors"][0]["extensions"]["requestId"], request_id.as_str());
    assert!(!body.to_string().to_lowercase().contains("table"), "no internals leak: {body}");
}

#[tokio::test]
async fn cors_allows_configured_origins_only() {
    let app = TestApp::spawn_with(&[("CORS_ORIGINS", "https://app.example.com")]).await;
    let preflight = |origin: &'static str| {
        let app = &app;
        async move {
            app.client
                .request(reqwest::Method::OPTIONS, app.url("/graphql"))
                .header(header::ORIGIN, origin)
                .header("access-control-request-method", "POST")
                .header("access-control-request-headers", "content-type,authorization")
                .send()
                .await
                .unwrap()
        }
    };
    let allowed = preflight("https://app.example.com").await;
    assert_eq!(allowed.headers()["access-control-allow-origin"], "https://app.example.com");
    let denied = preflight("https://evil.example.com").await;
    assert!(!denied.headers().contains_key("access-control-allow-origin"));
}

const APP_HTML: &str = "<!doctype html><title>Lectern app</title><div id=\"root\">lectern-web-app-index-7f3a</div>";
const APP_JS: &str = "console.log(\"lectern-app-bundle-abc123\");";

/// A web app build in a temporary directory: `index.html`, a hashed asset and a root file.
fn app_build() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("assets")).unwrap();
    std::fs::write(dir.path().join("index.html"), APP_HTML).unwrap();
    std::fs::write(dir.path().join("assets/app-abc123.js"), APP_JS).unwrap();
    std::fs::write(dir.path().join("robots.txt"), "User-agent: *\nDisallow: /graphql\n").unwrap();
    dir
}

#[tokio::test]
async fn the_web_app_is_served_around_the_api() {
    let build = app_build();
    let app = TestApp::spawn_with(&[("FRONTEND_DIR", build.path().to_str().unwrap()), ("GRAPHIQL", "true")]).await;
    let get = |path: &'static str| {
        let app = &app;
        async move { app.client.get(app.url(path)).send().await.unwrap() }
    };
    let cache_control = |response: &reqwest::Response| {
        response.headers().get(header::CACHE_CONTROL).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
    };

    // The app routes on the client: the root and any deep link get index.html, revalidated.
    for path in ["/", "/posts/x/y", "/graphql/", "/index.html"] {
        let page = get(path).await;
        assert_eq!(page.status(), 200, "{path}");
        assert_eq!(cache_control(&page), "no-cache", "{path}");
        assert!(page.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"), "{path}");
        assert_eq!(page.text().await.unwrap(), APP_HTML, "{path}");
    }

    let asset = get("/assets/app-abc123.js").await;
    assert_eq!(asset.status(), 200);
    assert_eq!(cache_control(&asset), "public, max-age=31536000, immutable");
    assert!(asset.headers()[header::CONTENT_TYPE].to_str().unwrap().contains("javascript"));
    assert_eq!(asset.text().await.unwrap(), APP_JS);

    // A missing (say, stale hashed) asset is a 404 that nothing keeps, never the app's HTML.
    let missing = get("/assets/missing.js").await;
    assert_eq!(missing.status(), 404);
    assert_eq!(cache_control(&missing), "no-cache", "a 404 must not be cached as immutable");
    assert!(!missing.text().await.unwrap().contains("lectern-web-app-index"));

    let robots = get("/robots.txt").await;
    assert_eq!(robots.status(), 200);
    assert!(robots.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/plain"));
    assert_eq!(robots.text().await.unwrap(), "User-agent: *\nDisallow: /graphql\n");

    // The API's routes still win.
    let graphiql = app.client.get(app.url("/graphql")).header(header::ACCEPT, "text/html").send().await.unwrap();
    assert_eq!(graphiql.status(), 200);
    assert!(graphiql.text().await.unwrap().contains("GraphiQL"));
    let query = app.graphql("{ tags { slug } }", json!({})).await;
    assert_eq!(query["data"]["tags"], json!([]), "{query}");
    let health = get("/healthz").await;
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), "ok");
    let feed = get("/feed.xml").await;
    assert_eq!(feed.status(), 200);
    assert!(feed.headers()[header::CONTENT_TYPE].to_str().unwrap().contains("xml"));
    assert!(feed.text().await.unwrap().starts_with("<?xml"));

    // Only GET (and HEAD) reach the app: a form posted to a page is not answered with it.
    let posted = app.client.post(app.url("/some-page")).body("a=1").send().await.unwrap();
    assert_eq!(posted.status(), 405);
    assert_eq!(posted.headers()[header::ALLOW], "GET,HEAD");
    assert!(!posted.text().await.unwrap().contains("lectern-web-app-index"));
}

#[tokio::test]
async fn without_a_build_the_root_explains_how_to_make_one() {
    let empty = tempfile::tempdir().expect("temp dir");
    let app = TestApp::spawn_with(&[("FRONTEND_DIR", empty.path().to_str().unwrap())]).await;
    let root = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(root.status(), 200);
    assert!(root.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    let html = root.text().await.unwrap();
    assert!(html.contains("npm --prefix frontend run build") && html.contains("FRONTEND_DIR"), "{html}");
    let nope = app.client.get(app.url("/nope")).send().await.unwrap();
    assert_eq!(nope.status(), 404);
    assert_eq!(app.client.get(app.url("/assets/app-abc123.js")).send().await.unwrap().status(), 404);
    assert_eq!(app.client.get(app.url("/healthz")).send().await.unwrap().text().await.unwrap(), "ok");

    // The harness's default, a directory that does not exist, behaves the same.
    let default = TestApp::spawn().await;
    let root = default.client.get(default.url("/")).send().await.unwrap();
    assert_eq!(root.status(), 200);
    assert!(root.text().await.unwrap().contains("npm --prefix frontend run build"));
}

/// Lists multiply what a client can ask for: the complexity limit counts a
/// connection's page size (and a search's hit count) times its selection.
#[tokio::test]
async fn list_fan_out_counts_against_the_complexity_limit() {
    let app = TestApp::spawn_with(&[("GRAPHQL_MAX_COMPLEXITY", "300")]).await;
    let page = |first: u32| {
        format!(
            "{{ posts(first: {first}) {{ edges {{ node {{ id title slug excerpt author {{ id displayName }} tags {{ name }} }} }} }} }}"
        )
    };
    let small = app.graphql(&page(5), json!({})).await;
    assert!(small["errors"].is_null(), "{small}");
    let large = app.graphql(&page(100), json!({})).await;
    assert_eq!(error_code(&large), "QUERY_TOO_COMPLEX", "{large}");
    // Through a variable too.
    let query = "query($n: Int) { posts(first: $n) { edges { node { id title slug excerpt author { id displayName } tags { name } } } } }";
    let large = app.graphql(query, json!({ "n": 100 })).await;
    assert_eq!(error_code(&large), "QUERY_TOO_COMPLEX", "{large}");
    let search = "{ search(query: \"rust\", first: 50) { hits { score snippet post { id title slug excerpt author { id displayName } } } } }";
    assert_eq!(error_code(&app.graphql(search, json!({})).await), "QUERY_TOO_COMPLEX");
}
