//! The browser surface: security headers on every response, compression,
//! GraphiQL served from the binary (and switched off), introspection refused
//! with a code, the message for a bad bearer token, user-written ids in
//! markdown, and feeds that never carry live markup.

use base64::Engine;
use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use sha2::Digest;
use tokio::io::AsyncReadExt;

use crate::harness::{PASSWORD, TestApp, error_code};

const GQL_RESPONSE: &str = "application/graphql-response+json";

/// A client that never asks for or decodes compression by itself.
fn plain_client() -> reqwest::Client {
    reqwest::Client::new()
}

/// A web app build with an index, a hashed script large enough to compress, and a root file.
fn app_build() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("assets")).unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>Lectern app</title><div id=\"root\"></div><script type=\"module\" src=\"/assets/app-abc123.js\"></script>",
    )
    .unwrap();
    std::fs::write(dir.path().join("assets/app-abc123.js"), app_script()).unwrap();
    std::fs::write(dir.path().join("robots.txt"), "User-agent: *\n").unwrap();
    dir
}

fn app_script() -> String {
    (0..400).map(|i| format!("console.log(\"lectern-app-bundle line {i}\");\n")).collect()
}

/// Every value of the header `name`, joined as one list (`Vary` may come in several lines).
fn header_of(response: &reqwest::Response, name: &str) -> String {
    response.headers().get_all(name).iter().map(|v| v.to_str().unwrap().to_owned()).collect::<Vec<_>>().join(", ")
}

/// The directive `name` of a Content-Security-Policy, without its name.
fn directive(policy: &str, name: &str) -> Option<String> {
    policy.split(';').map(str::trim).find_map(|d| d.strip_prefix(name).map(|rest| rest.trim().to_owned()))
}

fn assert_locked_down(response: &reqwest::Response, what: &str) {
    let policy = header_of(response, "content-security-policy");
    assert!(!policy.is_empty(), "{what}: no Content-Security-Policy");
    assert_eq!(directive(&policy, "frame-ancestors").as_deref(), Some("'none'"), "{what}: {policy}");
    let scripts = directive(&policy, "script-src").or_else(|| directive(&policy, "default-src")).unwrap_or_default();
    assert!(!scripts.contains("unsafe-inline") && !scripts.contains("unsafe-eval"), "{what}: {policy}");
    assert!(!scripts.contains("http:") && !scripts.contains("https:") && !scripts.contains('*'), "{what}: {policy}");
    assert_eq!(header_of(response, "x-frame-options"), "DENY", "{what}");
    assert_eq!(header_of(response, "x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header_of(response, "referrer-policy"), "no-referrer", "{what}");
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let build = app_build();
    let app = TestApp::spawn_with(&[("FRONTEND_DIR", build.path().to_str().unwrap()), ("GRAPHIQL", "true")]).await;
    let client = plain_client();
    let get = |path: &str, accept: &str| client.get(app.url(path)).header(header::ACCEPT, accept).send();

    let mut seen = Vec::new();
    for (path, accept, status) in [
        ("/", "text/html", 200),
        // An unknown post: the app is served (it shows its own not-found page) with a 404 status.
        ("/posts/some-post", "text/html", 404),
        ("/assets/app-abc123.js", "*/*", 200),
        ("/assets/missing.js", "*/*", 404),
        ("/robots.txt", "*/*", 200),
        ("/graphql", "text/html", 200),
        ("/graphql?query=%7B%20tags%20%7B%20slug%20%7D%20%7D", GQL_RESPONSE, 200),
        ("/graphql?query=%7B", GQL_RESPONSE, 400),
        ("/graphql", GQL_RESPONSE, 400),
        ("/feed.xml", "*/*", 200),
        ("/atom.xml", "*/*", 200),
        ("/sitemap.xml", "*/*", 200),
        ("/healthz", "*/*", 200),
        ("/readyz", "*/*", 200),
        ("/unsubscribe?token=nope", "text/html", 200),
        ("/graphiql/0000000000000000/graphiql.min.js", "*/*", 404),
    ] {
        let response = get(path, accept).await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{path}");
        assert_locked_down(&response, path);
        seen.push(path);
    }
    let posted = client.post(app.url("/graphql")).json(&json!({ "query": "{ tags { slug } }" })).send().await.unwrap();
    assert_eq!(posted.status(), 200);
    assert_locked_down(&posted, "POST /graphql");
    let refused = client.post(app.url("/graphql")).header(header::CONTENT_TYPE, "text/plain").body("{}").send().await;
    let refused = refused.unwrap();
    assert_eq!(refused.status(), 415);
    assert_locked_down(&refused, "415");
    let not_allowed = client.post(app.url("/some-page")).body("a=1").send().await.unwrap();
    assert_eq!(not_allowed.status(), 405);
    assert_locked_down(&not_allowed, "405");
    let one_click = client.post(app.url("/unsubscribe?token=nope")).send().await.unwrap();
    assert_eq!(one_click.status(), 400);
    assert_locked_down(&one_click, "POST /unsubscribe");

    // The app's policy: its own scripts, styles and API only, the websocket
    // on its own origin, images also from https hosts (authors link them).
    let page = get("/", "text/html").await.unwrap();
    let policy = header_of(&page, "content-security-policy");
    assert_eq!(directive(&policy, "script-src").as_deref(), Some("'self'"), "{policy}");
    assert_eq!(directive(&policy, "style-src").as_deref(), Some("'self'"), "{policy}");
    assert_eq!(directive(&policy, "connect-src").as_deref(), Some("'self' ws://lectern.test"), "{policy}");
    assert_eq!(directive(&policy, "object-src").as_deref(), Some("'none'"), "{policy}");
    assert_eq!(directive(&policy, "base-uri").as_deref(), Some("'none'"), "{policy}");
    assert!(directive(&policy, "img-src").unwrap_or_default().contains("https:"), "{policy}");
    assert!(!page.headers().contains_key("strict-transport-security"), "no HSTS for an http PUBLIC_URL");
}

#[tokio::test]
async fn hsts_and_the_websocket_origin_follow_the_public_url() {
    let tls = TestApp::spawn_with(&[("PUBLIC_URL", "https://lectern.example.com")]).await;
    let response = plain_client().get(tls.url("/healthz")).send().await.unwrap();
    assert_eq!(header_of(&response, "strict-transport-security"), "max-age=31536000");
    let policy = header_of(&response, "content-security-policy");
    assert_eq!(directive(&policy, "connect-src").as_deref(), Some("'self' wss://lectern.example.com"), "{policy}");

    let short =
        TestApp::spawn_with(&[("PUBLIC_URL", "https://lectern.example.com"), ("HSTS_MAX_AGE_SECS", "600")]).await;
    let response = plain_client().get(short.url("/nope")).send().await.unwrap();
    assert_eq!(header_of(&response, "strict-transport-security"), "max-age=600", "on a 404 too");

    let off = TestApp::spawn_with(&[("PUBLIC_URL", "https://lectern.example.com"), ("HSTS_MAX_AGE_SECS", "0")]).await;
    let response = plain_client().get(off.url("/healthz")).send().await.unwrap();
    assert!(!response.headers().contains_key("strict-transport-security"));
}

/// `'sha256-…'` of a string, as a CSP hash source.
fn csp_hash(text: &str) -> String {
    format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(text.as_bytes())))
}

#[tokio::test]
async fn server_rendered_pages_allow_exactly_their_own_style() {
    let empty = tempfile::tempdir().expect("temp dir");
    let app = TestApp::spawn_with(&[("FRONTEND_DIR", empty.path().to_str().unwrap())]).await;
    for path in ["/unsubscribe?token=nope", "/"] {
        let response = plain_client().get(app.url(path)).send().await.unwrap();
        let policy = header_of(&response, "content-security-policy");
        let html = response.text().await.unwrap();
        assert!(!html.contains(" style=\""), "{path}: style attributes need 'unsafe-inline': {html}");
        assert!(!html.contains("<script"), "{path}");
        let css = html.split("<style>").nth(1).and_then(|rest| rest.split("</style>").next()).expect("a style element");
        assert_eq!(directive(&policy, "style-src"), Some(csp_hash(css)), "{path}: {policy}");
        assert_eq!(directive(&policy, "default-src").as_deref(), Some("'none'"), "{path}: {policy}");
    }
}

async fn decode(encoding: &str, bytes: &[u8]) -> Vec<u8> {
    use async_compression::tokio::bufread::{BrotliDecoder, GzipDecoder, ZstdDecoder};
    let mut out = Vec::new();
    match encoding {
        "gzip" => GzipDecoder::new(bytes).read_to_end(&mut out).await.unwrap(),
        "br" => BrotliDecoder::new(bytes).read_to_end(&mut out).await.unwrap(),
        "zstd" => ZstdDecoder::new(bytes).read_to_end(&mut out).await.unwrap(),
        other => panic!("unexpected encoding {other}"),
    };
    out
}

#[tokio::test]
async fn responses_are_compressed_as_the_client_accepts() {
    let build = app_build();
    let app = TestApp::spawn_with(&[
        ("FRONTEND_DIR", build.path().to_str().unwrap()),
        ("GRAPHIQL", "true"),
        ("GRAPHQL_INTROSPECTION", "true"),
    ])
    .await;
    let author = app.user_with_role("AUTHOR").await;
    for n in 0..3 {
        app.published_post(&author, &format!("Compressible post {n}")).await;
    }
    let client = plain_client();
    let introspection = json!({ "query": "{ __schema { types { name description fields { name description } } } }" });

    let graphql = |encoding: Option<&'static str>| {
        let mut request = client.post(app.url("/graphql")).header(header::ACCEPT, GQL_RESPONSE).json(&introspection);
        if let Some(encoding) = encoding {
            request = request.header(header::ACCEPT_ENCODING, encoding);
        }
        request.send()
    };
    let identity = graphql(None).await.unwrap();
    assert!(!identity.headers().contains_key(header::CONTENT_ENCODING), "nothing asked, nothing compressed");
    let identity: Value = identity.json().await.unwrap();
    assert!(identity["data"]["__schema"]["types"].as_array().is_some_and(|t| t.len() > 10), "{identity}");

    for encoding in ["gzip", "br", "zstd"] {
        let response = graphql(Some(encoding)).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(header_of(&response, "content-encoding"), encoding, "GraphQL response");
        assert!(header_of(&response, "vary").to_lowercase().contains("accept-encoding"));
        let compressed = response.bytes().await.unwrap();
        let decoded: Value = serde_json::from_slice(&decode(encoding, &compressed).await).unwrap();
        assert_eq!(decoded, identity, "{encoding}");
        assert!(compressed.len() * 3 < identity.to_string().len(), "{encoding} compresses JSON well");
    }

    let graphiql_file = {
        let page = client.get(app.url("/graphql")).header(header::ACCEPT, "text/html").send().await.unwrap();
        let html = page.text().await.unwrap();
        let start = html.find("/graphiql/").unwrap();
        let path = &html[start..];
        path[..path.find('"').unwrap()].to_owned()
    };
    assert!(graphiql_file.ends_with(".css") || graphiql_file.ends_with(".js"), "{graphiql_file}");

    for encoding in ["gzip", "br", "zstd"] {
        for path in ["/feed.xml", "/atom.xml", "/assets/app-abc123.js", "/", graphiql_file.as_str()] {
            let plain = client.get(app.url(path)).send().await.unwrap().bytes().await.unwrap();
            let response = client.get(app.url(path)).header(header::ACCEPT_ENCODING, encoding).send().await.unwrap();
            assert_eq!(response.status(), 200, "{path}");
            if path == "/" {
                // The app's index is under a kilobyte: not worth compressing.
                assert!(plain.len() < 1024);
                assert!(!response.headers().contains_key(header::CONTENT_ENCODING), "{path}");
                continue;
            }
            assert!(plain.len() > 1024, "{path} is big enough to compress");
            assert_eq!(header_of(&response, "content-encoding"), encoding, "{path}");
            let decoded = decode(encoding, &response.bytes().await.unwrap()).await;
            assert_eq!(decoded, plain.to_vec(), "{path} with {encoding}");
        }
    }

    // Small bodies stay as they are.
    let health = client.get(app.url("/healthz")).header(header::ACCEPT_ENCODING, "gzip, br").send().await.unwrap();
    assert!(!health.headers().contains_key(header::CONTENT_ENCODING));
    assert_eq!(health.text().await.unwrap(), "ok");

    // A websocket upgrade is never compressed, whatever the client accepts, and the socket works.
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = format!("ws://{}/graphql/ws", app.addr).into_client_request().unwrap();
    request.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
    request.headers_mut().insert("accept-encoding", "gzip, br, zstd".parse().unwrap());
    let (mut socket, response) = tokio_tungstenite::connect_async(request).await.expect("websocket connects");
    assert_eq!(response.status(), StatusCode::SWITCHING_PROTOCOLS);
    assert!(!response.headers().contains_key("content-encoding"));
    use futures::{SinkExt, StreamExt};
    socket
        .send(tokio_tungstenite::tungstenite::Message::Text(
            json!({ "type": "connection_init", "payload": {} }).to_string().into(),
        ))
        .await
        .unwrap();
    let ack = tokio::time::timeout(std::time::Duration::from_secs(5), socket.next()).await.unwrap().unwrap().unwrap();
    assert!(ack.to_text().unwrap().contains("connection_ack"), "{ack}");
}

/// Every `<script …>` and `<link …>` tag of a page, as written.
fn resource_tags(html: &str) -> Vec<String> {
    let mut tags = Vec::new();
    for opener in ["<script", "<link"] {
        for piece in html.split(opener).skip(1) {
            tags.push(format!("{opener}{}", &piece[..piece.find('>').unwrap()]));
        }
    }
    tags
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(tag[start..start + tag[start..].find('"')?].to_owned())
}

#[tokio::test]
async fn graphiql_is_served_from_the_binary_with_integrity() {
    let app = TestApp::spawn_with(&[("GRAPHIQL", "true")]).await;
    let client = plain_client();
    let page = client.get(app.url("/graphql")).header(header::ACCEPT, "text/html").send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_locked_down(&page, "GraphiQL");
    // One inline stylesheet (GraphiQL's dialog scroll lock) is allowed by its hash, nothing by 'unsafe-inline'.
    let policy = header_of(&page, "content-security-policy");
    let styles = directive(&policy, "style-src").unwrap_or_default();
    assert!(styles.starts_with("'self' 'sha256-") && !styles.contains("unsafe"), "{policy}");
    assert_eq!(directive(&policy, "connect-src").as_deref(), Some("'self' ws://lectern.test"), "{policy}");
    let html = page.text().await.unwrap();
    assert!(html.contains("GraphiQL"));
    assert!(!html.contains("unpkg") && !html.contains("http://") && !html.contains("https://"), "{html}");
    assert!(!html.contains("<style") && !html.contains(" style=\""), "no inline style: {html}");
    assert!(!html.contains("Bearer <"), "no placeholder token: {html}");
    assert!(html.contains("id=\"sign-in\""), "a sign-in helper: {html}");

    let tags = resource_tags(&html);
    let scripts: Vec<&String> = tags.iter().filter(|t| t.starts_with("<script")).collect();
    assert!(scripts.len() >= 4, "React, ReactDOM, GraphiQL, graphql-ws and the page script: {tags:?}");
    let mut fetched = 0;
    for tag in &tags {
        let Some(path) = attribute(tag, "src").or_else(|| attribute(tag, "href")) else {
            panic!("inline script: {tag}");
        };
        assert!(path.starts_with("/graphiql/"), "served from the binary: {tag}");
        let integrity = attribute(tag, "integrity").unwrap_or_else(|| panic!("no integrity on {tag}"));
        let response = client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(header_of(&response, "cache-control"), "public, max-age=31536000, immutable", "{path}");
        let content_type = header_of(&response, "content-type");
        let bytes = response.bytes().await.unwrap();
        let digest = base64::engine::general_purpose::STANDARD.encode(sha2::Sha384::digest(&bytes));
        assert_eq!(integrity, format!("sha384-{digest}"), "{path}");
        // The path is versioned by the file's own hash.
        let version = path.trim_start_matches("/graphiql/").split('/').next().unwrap();
        assert!(hex::encode(sha2::Sha256::digest(&bytes)).starts_with(version), "{path}");
        if tag.starts_with("<script") {
            assert!(content_type.starts_with("text/javascript"), "{path}: {content_type}");
        } else {
            assert!(content_type.starts_with("text/css"), "{path}: {content_type}");
        }
        fetched += 1;
    }
    assert!(fetched >= 6);

    // A file under a hash that is not its own is not found (a stale or forged version).
    let stale = tags[0].clone();
    let path = attribute(&stale, "src").or_else(|| attribute(&stale, "href")).unwrap();
    let name = path.rsplit('/').next().unwrap();
    let response = client.get(app.url(&format!("/graphiql/0123456789abcdef/{name}"))).send().await.unwrap();
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn graphiql_can_be_turned_off() {
    let app = TestApp::spawn_with(&[("GRAPHIQL", "false")]).await;
    let on = TestApp::spawn_with(&[("GRAPHIQL", "true")]).await;
    let client = plain_client();
    let page = client.get(app.url("/graphql")).header(header::ACCEPT, "text/html").send().await.unwrap();
    assert_eq!(page.status(), 404);
    assert_locked_down(&page, "GraphiQL turned off");
    let html = page.text().await.unwrap();
    assert!(html.contains("GRAPHIQL=true") && !html.contains("<script"), "{html}");

    // Its files are gone too, even under their real paths.
    let on_page = client.get(on.url("/graphql")).header(header::ACCEPT, "text/html").send().await.unwrap();
    let on_html = on_page.text().await.unwrap();
    for tag in resource_tags(&on_html) {
        let path = attribute(&tag, "src").or_else(|| attribute(&tag, "href")).unwrap();
        assert_eq!(client.get(on.url(&path)).send().await.unwrap().status(), 200, "{path}");
        assert_eq!(client.get(app.url(&path)).send().await.unwrap().status(), 404, "{path}");
    }

    // The API itself still answers, over GET and POST.
    let query = client
        .get(app.url("/graphql"))
        .query(&[("query", "{ tags { slug } }")])
        .header(header::ACCEPT, GQL_RESPONSE)
        .send()
        .await
        .unwrap();
    assert_eq!(query.status(), 200);
    assert_eq!(app.graphql("{ tags { slug } }", json!({})).await["data"]["tags"], json!([]));
}

#[tokio::test]
async fn introspection_turned_off_is_refused_with_a_code() {
    let app = TestApp::spawn_with(&[("GRAPHQL_INTROSPECTION", "false")]).await;
    let client = plain_client();
    for query in [
        "{ __schema { queryType { name } } }",
        "{ __type(name: \"Post\") { fields { name } } }",
        "query { ...Schema } fragment Schema on QueryRoot { __schema { types { name } } }",
        "{ tags { slug } ... on QueryRoot { __type(name: \"Tag\") { name } } }",
    ] {
        let response = client
            .post(app.url("/graphql"))
            .header(header::ACCEPT, GQL_RESPONSE)
            .json(&json!({ "query": query }))
            .send();
        let response = response.await.unwrap();
        assert_eq!(response.status(), 400, "a request error: {query}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(error_code(&body), "GRAPHQL_VALIDATION_FAILED", "{query}: {body}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("GRAPHQL_INTROSPECTION"), "the message names the setting: {message}");
        assert!(body.get("data").is_none(), "nothing ran: {body}");
    }
    // __typename is not introspection of the schema; clients need it.
    let typename = app.graphql("{ __typename tags { __typename slug } }", json!({})).await;
    assert_eq!(typename["data"]["__typename"], "QueryRoot", "{typename}");

    // Over the websocket too.
    let mut ws = app.ws("graphql-transport-ws").await;
    ws.init(None).await;
    ws.send(json!({ "id": "1", "type": "subscribe", "payload": { "query": "{ __schema { queryType { name } } }" } }))
        .await;
    let error = ws.message().await;
    assert_eq!(error["type"], "error", "{error}");
    assert_eq!(error["payload"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED", "{error}");

    let on = TestApp::spawn_with(&[("GRAPHQL_INTROSPECTION", "true")]).await;
    let schema = on.graphql("{ __type(name: \"Post\") { name } }", json!({})).await;
    assert_eq!(schema["data"]["__type"]["name"], "Post", "{schema}");
}

#[tokio::test]
async fn a_bad_bearer_token_says_what_to_do() {
    let app = TestApp::spawn().await;
    app.register("bearer@example.com").await;
    let login = json!({
        "query": "mutation($input: LoginInput!) { login(input: $input) { accessToken } }",
        "variables": { "input": { "email": "bearer@example.com", "password": PASSWORD } },
    });
    // What GraphiQL's old default header editor sent, an expired-looking token, and a bad scheme.
    for authorization in ["Bearer <accessToken from login>", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x", "Token abc"] {
        let response = plain_client()
            .post(app.url("/graphql"))
            .header(header::ACCEPT, GQL_RESPONSE)
            .header(header::AUTHORIZATION, authorization)
            .json(&login)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{authorization}");
        assert!(header_of(&response, "www-authenticate").starts_with("Bearer"), "{authorization}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(error_code(&body), "UNAUTHENTICATED", "{authorization}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("Authorization header"), "names the header: {message}");
        assert!(
            message.contains("`login`") && message.contains("without"),
            "says public operations need none: {message}"
        );
        assert!(!message.contains("eyJ") && !message.contains("abc"), "never echoes the token: {message}");
    }
    // Without the header, the same operation works.
    let body: Value = plain_client().post(app.url("/graphql")).json(&login).send().await.unwrap().json().await.unwrap();
    assert!(body["data"]["login"]["accessToken"].is_string(), "{body}");
}

#[tokio::test]
async fn user_written_ids_cannot_clobber_the_page() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let markdown = "# Setup {#setup}\n\nJump to [setup](#setup) or [the first comment](#comment-0190).\n\n\
        <a id=\"root\">root</a> <img name=\"getElementById\" src=\"/pic.png\" alt=\"pic\"> <a name=\"cookie\">c</a>\n\n\
        <form id=\"login\" name=\"login\" action=\"https://evil.example\"><input name=\"password\"></form>\n\n\
        <p id=\"defaultView\">x</p>\n\nA note[^n].\n\n[^n]: The note.";
    let created = app
        .graphql_as(
            &author,
            "mutation($input: CreatePostInput!) { createPost(input: $input) { bodyHtml } }",
            json!({ "input": { "title": "Ids", "body": markdown } }),
        )
        .await;
    let html = created["data"]["createPost"]["bodyHtml"].as_str().unwrap_or_else(|| panic!("{created}")).to_owned();
    let ids: Vec<&str> = html.split(" id=\"").skip(1).map(|rest| rest.split('"').next().unwrap_or_default()).collect();
    assert!(ids.len() >= 4, "{html}");
    for id in &ids {
        assert!(id.starts_with("user-content-"), "unprefixed id {id:?} in {html}");
    }
    for id in ["root", "setup", "defaultView", "n"] {
        assert!(ids.contains(&format!("user-content-{id}").as_str()), "{id} in {html}");
    }
    assert!(!html.contains("name="), "no name attribute: {html}");
    assert!(!html.contains("<form") && !html.contains("<input"), "{html}");
    assert!(html.contains("href=\"#user-content-setup\""), "in-document links follow: {html}");
    assert!(html.contains("href=\"#user-content-n\""), "footnotes still meet: {html}");
    assert!(html.contains("href=\"#comment-0190\""), "the app's comment anchors stay: {html}");

    let preview = app
        .graphql_as(
            &author,
            "query($markdown: String!) { previewMarkdown(markdown: $markdown) }",
            json!({ "markdown": markdown }),
        )
        .await;
    assert_eq!(preview["data"]["previewMarkdown"].as_str(), Some(html.as_str()), "preview is what publishes");
}

/// Every piece of text in an XML document as an XML parser hands it to a feed
/// reader: each element's text (entities and CDATA resolved, joined) and every
/// attribute value.
fn xml_texts(xml: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut texts = Vec::new();
    let mut current = String::new();
    loop {
        let event = reader.read_event().expect("well-formed XML");
        match &event {
            Event::Text(text) => current.push_str(&text.decode().unwrap()),
            Event::CData(data) => current.push_str(&data.decode().unwrap()),
            Event::GeneralRef(reference) => {
                let name = reference.decode().unwrap();
                let resolved = match reference.resolve_char_ref().unwrap() {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::resolve_predefined_entity(&name)
                        .unwrap_or_else(|| panic!("unknown entity &{name};"))
                        .to_owned(),
                };
                current.push_str(&resolved);
            }
            _ => texts.push(std::mem::take(&mut current)),
        }
        match event {
            Event::Start(tag) | Event::Empty(tag) => {
                for attribute in tag.attributes() {
                    let value = attribute
                        .unwrap()
                        .decoded_and_normalized_value(quick_xml::XmlVersion::Implicit1_0, reader.decoder());
                    texts.push(value.unwrap().into_owned());
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    texts.retain(|t| !t.trim().is_empty());
    texts
}

/// Text a feed reader that renders HTML would turn into an element.
fn live_tag(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.windows(2).any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
}

#[tokio::test]
async fn feeds_never_carry_live_markup() {
    let app = TestApp::spawn().await;
    let admin = app.user_with_role("ADMIN").await;
    let body =
        app.graphql_as(&admin, "mutation { createTag(name: \"<svg onload=alert(5)>\") { slug } }", json!({})).await;
    let tag = body["data"]["createTag"]["slug"].as_str().unwrap_or_else(|| panic!("{body}")).to_owned();
    let renamed = app
        .graphql_as(
            &admin,
            "mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { displayName } }",
            json!({ "input": { "displayName": "<b onmouseover=alert(4)>Eve</b> & co" } }),
        )
        .await;
    assert!(renamed["data"]["updateProfile"].is_object(), "{renamed}");
    let title = "<img src=x onerror=alert(1)> Title";
    let excerpt = "<img src=x onerror=alert(2)> & <script>alert(3)</script> ]]> <![CDATA[ x";
    let created = app
        .graphql_as(
            &admin,
            "mutation($input: CreatePostInput!) { createPost(input: $input) { id } }",
            json!({ "input": { "title": title, "excerpt": excerpt, "body": "Body.", "tagSlugs": [tag] } }),
        )
        .await;
    let id = created["data"]["createPost"]["id"].as_str().unwrap_or_else(|| panic!("{created}")).to_owned();
    let published =
        app.graphql_as(&admin, "mutation($id: ID!) { publishPost(id: $id) { status } }", json!({ "id": id })).await;
    assert_eq!(published["data"]["publishPost"]["status"], "PUBLISHED", "{published}");

    let get = |path: &'static str| {
        let app = &app;
        async move { app.client.get(app.url(path)).send().await.unwrap().text().await.unwrap() }
    };
    for path in ["/feed.xml", "/atom.xml", "/sitemap.xml"] {
        let xml = get(path).await;
        for text in xml_texts(&xml) {
            assert!(!live_tag(&text), "{path} carries live markup {text:?} in {xml}");
        }
        assert!(!xml.contains("<script") && !xml.contains("<img") && !xml.contains("<b "), "{path}: {xml}");
    }

    // What a reader shows, once it has decoded the HTML, is the text as written.
    let rss = get("/feed.xml").await;
    let channel = rss::Channel::read_from(rss.as_bytes()).expect("valid RSS 2.0");
    let item = &channel.items()[0];
    let escaped = |text: &str| text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    assert_eq!(item.title(), Some(escaped(title).as_str()));
    assert_eq!(item.description(), Some(escaped(excerpt).as_str()));
    assert_eq!(item.author(), Some(escaped("<b onmouseover=alert(4)>Eve</b> & co").as_str()));
    assert_eq!(item.categories()[0].name(), escaped("<svg onload=alert(5)>"));

    let atom = get("/atom.xml").await;
    let feed = atom_syndication::Feed::read_from(atom.as_bytes()).expect("valid Atom");
    let entry = &feed.entries()[0];
    assert_eq!(entry.title().r#type, atom_syndication::TextType::Html);
    assert_eq!(entry.title().as_str(), escaped(title));
    let summary = entry.summary().expect("a summary");
    assert_eq!(summary.r#type, atom_syndication::TextType::Html);
    assert_eq!(summary.as_str(), escaped(excerpt));
    // Plain-text fields keep their `&` for readers that follow the spec.
    assert_eq!(entry.authors()[0].name(), "&lt;b onmouseover=alert(4)&gt;Eve&lt;/b&gt; & co");
    assert_eq!(entry.categories()[0].term(), tag);
}
