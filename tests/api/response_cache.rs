//! The response cache of anonymous public reads: a change shows in the very
//! next read (invalidation), a reader's own view never reaches another
//! (isolation), instances agree through Redis, an outage costs caching and
//! nothing else, and persisted GETs carry ETags.

use std::{
    sync::atomic::Ordering,
    time::{Duration, Instant},
};

use reqwest::header;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::harness::{OwnRedis, PASSWORD, TestApp, TestUser};

const FEED: &str = "query Feed { posts(first: 10) { totalCount edges { node { slug title commentCount \
                    reactions { kind count } isLocked body author { displayName } } } } }";
const PAGE: &str = "query Page($slug: String!) { post(slug: $slug) { title commentCount reactions { kind count } \
                    thread { edges { node { body status } } } author { displayName } } }";
const VIEWER_FEED: &str =
    "query ViewerFeed { posts(first: 10) { edges { node { slug body isLocked viewerHasBookmarked } } } }";

/// A POST as a client sends it (anonymous unless `token`): the cache header, the body's text and its JSON.
async fn read(app: &TestApp, token: Option<&str>, query: &str, variables: Value) -> (Option<String>, String, Value) {
    let mut request = app.client.post(app.url("/graphql")).json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request sent");
    let cache = response.headers().get("x-lectern-cache").map(|v| v.to_str().unwrap().to_owned());
    let text = response.text().await.unwrap();
    let body: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
    (cache, text, body)
}

async fn anonymous(app: &TestApp, query: &str, variables: Value) -> (Option<String>, Value) {
    let (cache, _, body) = read(app, None, query, variables).await;
    assert!(body["errors"].is_null(), "{body}");
    (cache, body)
}

/// Reads twice: the first read is computed (a miss), the second served from the cache.
async fn cached(app: &TestApp, query: &str, variables: Value) -> Value {
    let (first_cache, first, body) = read(app, None, query, variables.clone()).await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(first_cache.as_deref(), Some("miss"), "{body}");
    let (second_cache, second, _) = read(app, None, query, variables).await;
    assert_eq!(second_cache.as_deref(), Some("hit"));
    assert_eq!(first, second, "a cached answer is the computed one, byte for byte");
    body
}

async fn mutate(app: &TestApp, user: &TestUser, query: &str, variables: Value) -> Value {
    let body = app.graphql_as(user, query, variables).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"].clone()
}

fn nodes(feed: &Value) -> Vec<Value> {
    feed["data"]["posts"]["edges"].as_array().unwrap().iter().map(|e| e["node"].clone()).collect()
}

fn node<'a>(feed: &'a Value, slug: &str) -> Option<&'a Value> {
    feed["data"]["posts"]["edges"].as_array().unwrap().iter().map(|e| &e["node"]).find(|n| n["slug"] == slug)
}

async fn create_post(app: &TestApp, author: &TestUser, title: &str, premium: bool) -> (String, String) {
    let created = mutate(
        app,
        author,
        "mutation($input: CreatePostInput!) { createPost(input: $input) { id slug } }",
        json!({ "input": { "title": title, "body": format!("Words about {title}."), "isPremium": premium } }),
    )
    .await;
    let id = created["createPost"]["id"].as_str().unwrap().to_owned();
    (id, created["createPost"]["slug"].as_str().unwrap().to_owned())
}

async fn publish(app: &TestApp, author: &TestUser, id: &str) {
    mutate(app, author, "mutation($id: ID!) { publishPost(id: $id) { id } }", json!({ "id": id })).await;
}

/// Schedules the post to go live `in_ms` from now, and returns that moment.
async fn schedule(app: &TestApp, author: &TestUser, id: &str, in_ms: i64) -> chrono::DateTime<chrono::Utc> {
    let due = chrono::Utc::now() + chrono::Duration::milliseconds(in_ms);
    let query = "mutation($id: ID!, $at: DateTime!) { schedulePost(id: $id, at: $at) { id } }";
    mutate(app, author, query, json!({ "id": id, "at": due.to_rfc3339() })).await;
    due
}

#[tokio::test]
async fn every_change_to_what_a_cached_answer_shows_is_in_the_next_anonymous_read() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let admin = app.user_with_role("ADMIN").await;
    let reader = app.register_verified("reader@example.com").await;
    let (post, slug) = create_post(&app, &author, "Caching", false).await;
    publish(&app, &author, &post).await;
    let page = json!({ "slug": slug });

    let feed = cached(&app, FEED, json!({})).await;
    assert_eq!(node(&feed, &slug).unwrap()["commentCount"], 0);
    cached(&app, PAGE, page.clone()).await;

    // A comment: the post page and the feed's count.
    let comment = mutate(
        &app,
        &reader,
        "mutation($p: ID!) { addComment(postId: $p, body: \"First!\") { id } }",
        json!({ "p": post }),
    )
    .await["addComment"]["id"]
        .clone();
    let feed = cached(&app, FEED, json!({})).await;
    assert_eq!(node(&feed, &slug).unwrap()["commentCount"], 1, "{feed}");
    let shown = cached(&app, PAGE, page.clone()).await;
    assert_eq!(shown["data"]["post"]["thread"]["edges"][0]["node"]["body"], "First!", "{shown}");

    // Editing, hiding and deleting it.
    mutate(
        &app,
        &reader,
        "mutation($id: ID!) { editComment(id: $id, body: \"Second thoughts\") { id } }",
        json!({ "id": comment }),
    )
    .await;
    let shown = cached(&app, PAGE, page.clone()).await;
    assert_eq!(shown["data"]["post"]["thread"]["edges"][0]["node"]["body"], "Second thoughts", "{shown}");
    mutate(
        &app,
        &admin,
        "mutation($id: ID!) { moderateComment(id: $id, status: HIDDEN) { id } }",
        json!({ "id": comment }),
    )
    .await;
    let shown = cached(&app, PAGE, page.clone()).await;
    assert_eq!(shown["data"]["post"]["commentCount"], 0, "{shown}");
    mutate(
        &app,
        &admin,
        "mutation($id: ID!) { moderateComment(id: $id, status: VISIBLE) { id } }",
        json!({ "id": comment }),
    )
    .await;
    assert_eq!(cached(&app, PAGE, page.clone()).await["data"]["post"]["commentCount"], 1);
    mutate(&app, &reader, "mutation($id: ID!) { deleteComment(id: $id) }", json!({ "id": comment })).await;
    let shown = cached(&app, PAGE, page.clone()).await;
    assert_eq!(shown["data"]["post"]["commentCount"], 0, "{shown}");

    // A reaction, and taking it back.
    let react = "mutation($p: ID!) { react(postId: $p, kind: LIKE) { id } }";
    mutate(&app, &reader, react, json!({ "p": post })).await;
    let feed = cached(&app, FEED, json!({})).await;
    assert_eq!(node(&feed, &slug).unwrap()["reactions"], json!([{ "kind": "LIKE", "count": 1 }]), "{feed}");
    mutate(&app, &reader, "mutation($p: ID!) { unreact(postId: $p, kind: LIKE) { id } }", json!({ "p": post })).await;
    assert_eq!(cached(&app, PAGE, page.clone()).await["data"]["post"]["reactions"], json!([]));

    // Publishing another post, editing a title, the author's new name, deleting a post.
    let (second, second_slug) = create_post(&app, &author, "Consistency", false).await;
    assert!(node(&cached(&app, FEED, json!({})).await, &second_slug).is_none(), "a draft is not public");
    publish(&app, &author, &second).await;
    let feed = cached(&app, FEED, json!({})).await;
    assert!(node(&feed, &second_slug).is_some(), "{feed}");
    assert_eq!(feed["data"]["posts"]["totalCount"], 2);
    mutate(
        &app,
        &author,
        "mutation($id: ID!) { updatePost(id: $id, input: { title: \"Caching, revisited\" }) { id } }",
        json!({ "id": post }),
    )
    .await;
    assert_eq!(node(&cached(&app, FEED, json!({})).await, &slug).unwrap()["title"], "Caching, revisited");
    mutate(&app, &author, "mutation { updateProfile(input: { displayName: \"Ada Writes\" }) { id } }", json!({})).await;
    let feed = cached(&app, FEED, json!({})).await;
    assert!(nodes(&feed).iter().all(|n| n["author"]["displayName"] == "Ada Writes"), "{feed}");
    assert_eq!(cached(&app, PAGE, page.clone()).await["data"]["post"]["author"]["displayName"], "Ada Writes");
    mutate(&app, &author, "mutation($id: ID!) { deletePost(id: $id) }", json!({ "id": second })).await;
    let feed = cached(&app, FEED, json!({})).await;
    assert!(node(&feed, &second_slug).is_none(), "{feed}");
    assert_eq!(feed["data"]["posts"]["totalCount"], 1);
    // Unpublishing: the page goes with the feed entry.
    mutate(&app, &author, "mutation($id: ID!) { unpublishPost(id: $id) { id } }", json!({ "id": post })).await;
    let (_, _, gone) = read(&app, None, PAGE, page).await;
    assert_eq!(gone["errors"][0]["extensions"]["code"], "NOT_FOUND", "{gone}");
    assert!(nodes(&cached(&app, FEED, json!({})).await).is_empty());
}

#[tokio::test]
async fn a_scheduled_post_is_in_the_first_read_after_it_is_due() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let (live, _) = create_post(&app, &author, "Already out", false).await;
    publish(&app, &author, &live).await;
    let (later, later_slug) = create_post(&app, &author, "Coming soon", false).await;
    let due = schedule(&app, &author, &later, 1500).await;
    let feed = cached(&app, FEED, json!({})).await;
    assert!(node(&feed, &later_slug).is_none());
    assert_eq!(feed["data"]["posts"]["totalCount"], 1);

    // No write happens when its time comes (the publishing job is not what makes it visible).
    let wait = (due - chrono::Utc::now()).to_std().unwrap_or_default() + Duration::from_millis(50);
    tokio::time::sleep(wait).await;
    let (_, feed) = anonymous(&app, FEED, json!({})).await;
    assert!(node(&feed, &later_slug).is_some(), "due, so public: {feed}");
    assert_eq!(feed["data"]["posts"]["totalCount"], 2, "the count follows too: {feed}");
}

#[tokio::test]
async fn a_signed_in_reader_neither_gets_nor_leaves_an_anonymous_answer() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let admin = app.user_with_role("ADMIN").await;
    let reader = app.register_verified("reader@example.com").await;
    let (free, free_slug) = create_post(&app, &author, "Free words", false).await;
    publish(&app, &author, &free).await;
    let (premium, premium_slug) = create_post(&app, &author, "Paid words", true).await;
    publish(&app, &author, &premium).await;
    mutate(&app, &reader, "mutation($p: ID!) { bookmarkPost(postId: $p) { id } }", json!({ "p": free })).await;
    mutate(
        &app,
        &admin,
        "mutation($u: ID!) { setPremiumAccess(userId: $u, granted: true) { hasPremiumAccess } }",
        json!({ "u": reader.id }),
    )
    .await;

    // The entitled reader first: their answer is theirs and is not stored.
    let (cache, _, own) = read(&app, Some(&reader.access_token), VIEWER_FEED, json!({})).await;
    assert_eq!(cache, None, "a signed-in read does not use the cache");
    assert_eq!(node(&own, &free_slug).unwrap()["viewerHasBookmarked"], true, "{own}");
    assert!(node(&own, &premium_slug).unwrap()["body"].is_string(), "{own}");

    // Anonymous readers get the anonymous view, computed then cached.
    let public = cached(&app, VIEWER_FEED, json!({})).await;
    assert_eq!(node(&public, &free_slug).unwrap()["viewerHasBookmarked"], false);
    let locked = node(&public, &premium_slug).unwrap();
    assert_eq!((&locked["body"], &locked["isLocked"]), (&Value::Null, &json!(true)), "{public}");

    // With the anonymous answer cached, the reader still gets their own.
    let (cache, _, own) = read(&app, Some(&reader.access_token), VIEWER_FEED, json!({})).await;
    assert_eq!(cache, None);
    assert_eq!(node(&own, &free_slug).unwrap()["viewerHasBookmarked"], true);
    assert_eq!(node(&own, &premium_slug).unwrap()["isLocked"], false);
    let (cache, _, public) = read(&app, None, VIEWER_FEED, json!({})).await;
    assert_eq!(cache.as_deref(), Some("hit"));
    assert!(node(&public, &premium_slug).unwrap()["body"].is_null(), "no premium body through the cache");

    // A browser session (the refresh cookie) signs requests with its access token: signed in.
    let session = app
        .client
        .post(app.url("/auth/session"))
        .header("x-lectern-csrf", "1")
        .header("sec-fetch-site", "same-origin")
        .json(&json!({ "email": reader.email, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    let cookie = session.headers()[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned();
    let token = session.json::<Value>().await.unwrap()["accessToken"].as_str().unwrap().to_owned();
    let response = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(&token)
        .header(header::COOKIE, &cookie)
        .json(&json!({ "query": VIEWER_FEED }))
        .send()
        .await
        .unwrap();
    assert!(response.headers().get("x-lectern-cache").is_none());
    let own: Value = response.json().await.unwrap();
    assert_eq!(node(&own, &free_slug).unwrap()["viewerHasBookmarked"], true, "{own}");
    // The cookie alone is no credential for /graphql (it is scoped to /auth/session): anonymous.
    let response = app
        .client
        .post(app.url("/graphql"))
        .header(header::COOKIE, &cookie)
        .json(&json!({ "query": VIEWER_FEED }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-lectern-cache"], "hit");
    assert_eq!(node(&response.json::<Value>().await.unwrap(), &free_slug).unwrap()["viewerHasBookmarked"], false);
}

#[tokio::test]
async fn only_successful_anonymous_single_queries_of_public_content_are_stored() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let (post, slug) = create_post(&app, &author, "Stored or not", false).await;
    publish(&app, &author, &post).await;
    let never_stored = |query: &'static str, variables: Value| {
        let app = &app;
        async move {
            for _ in 0..2 {
                let (cache, _, body) = read(app, None, query, variables.clone()).await;
                assert_ne!(cache.as_deref(), Some("hit"), "{query}: {body}");
            }
        }
    };
    // An error (a post that does not exist) is not stored.
    never_stored("query($s: String!) { post(slug: $s) { title } }", json!({ "s": "no-such-post" })).await;
    // Standing changes without a write that invalidates: not stored.
    never_stored("{ posts(first: 5) { edges { node { author { xp level } } } } }", json!({})).await;
    // Not public roots: the viewer, search, users; introspection; mutations.
    never_stored("{ me { id } }", json!({})).await;
    never_stored("{ search(query: \"stored\") { mode } }", json!({})).await;
    never_stored("{ __schema { queryType { name } } }", json!({})).await;
    never_stored("{ __typename posts(first: 1) { totalCount } me { id } }", json!({})).await;
    let (cache, _, body) =
        read(&app, None, "mutation($p: ID!) { recordPostView(postId: $p) }", json!({ "p": post })).await;
    assert_eq!(cache, None, "{body}");
    // Batches are not looked up.
    let batch = json!([{ "query": PAGE, "variables": { "slug": slug } }, { "query": "{ __typename }" }]);
    for _ in 0..2 {
        let response = app.client.post(app.url("/graphql")).json(&batch).send().await.unwrap();
        assert!(response.headers().get("x-lectern-cache").is_none());
        assert!(response.json::<Value>().await.unwrap()[0]["data"]["post"]["title"].is_string());
    }
    // The same operation over GET shares the POST's answer.
    cached(&app, PAGE, json!({ "slug": slug })).await;
    let response = app
        .client
        .get(app.url("/graphql"))
        .query(&[("query", PAGE), ("variables", &json!({ "slug": slug }).to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-lectern-cache"], "hit");
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store", "a query in the URL is no stable address");
}

#[tokio::test]
async fn a_hit_runs_no_sql_and_a_list_is_counted_once_per_change() {
    // No worker: its polling would add statements to the count.
    let app = TestApp::spawn_with(&[("IN_PROCESS_WORKER", "false")]).await;
    let author = app.user_with_role("AUTHOR").await;
    let reader = app.register_verified("reader@example.com").await;
    let (post, _) = create_post(&app, &author, "Counted", false).await;
    publish(&app, &author, &post).await;
    let statements = |token: Option<String>, query: &'static str| {
        let app = &app;
        async move {
            let before = app.state.sql_statements.load(Ordering::SeqCst);
            let (cache, _, body) = read(app, token.as_deref(), query, json!({})).await;
            assert!(body["errors"].is_null(), "{body}");
            (cache, body, app.state.sql_statements.load(Ordering::SeqCst) - before)
        }
    };
    let (cache, _, computed) = statements(None, FEED).await;
    assert_eq!(cache.as_deref(), Some("miss"));
    assert!(computed > 0);
    let (cache, _, served) = statements(None, FEED).await;
    assert_eq!((cache.as_deref(), served), (Some("hit"), 0), "a hit reads nothing from the database");

    // The count of a filtered public list is the same for everyone: a signed-in reader reuses it.
    let counted = "{ posts(first: 5, filter: {difficulty: BEGINNER}) { totalCount edges { node { id } } } }";
    let home = "{ posts(first: 5) { totalCount edges { node { id } } } }";
    let token = Some(reader.access_token.clone());
    let (_, body, computed) = statements(token.clone(), counted).await;
    assert_eq!(body["data"]["posts"]["totalCount"], 1, "{body}");
    assert!(computed > 1, "the page and the count");
    let (_, body, kept) = statements(None, counted).await;
    assert_eq!((body["data"]["posts"]["totalCount"].as_u64(), kept), (Some(1), 1), "the page alone: {body}");
    // The home feed's total is never counted: the kept total, one statement beside the page.
    let (_, body, totalled) = statements(token.clone(), home).await;
    assert_eq!((body["data"]["posts"]["totalCount"].as_u64(), totalled), (Some(1), 2), "{body}");
    let (second, _) = create_post(&app, &author, "Counted again", false).await;
    publish(&app, &author, &second).await;
    let (_, body, recounted) = statements(token.clone(), counted).await;
    assert_eq!(body["data"]["posts"]["totalCount"], 2, "exact after a change: {body}");
    assert_eq!(recounted, 3, "the page, the next scheduled post and the count");
    let (_, _, kept) = statements(token.clone(), counted).await;
    assert_eq!(kept, 1);
    let (_, body, totalled) = statements(token, home).await;
    assert_eq!((body["data"]["posts"]["totalCount"].as_u64(), totalled), (Some(2), 2), "exact after a change: {body}");
}

/// A hash-only GET, as a CDN-friendly client sends it, with `If-None-Match` when given.
/// A GET of a feed: its status, cache header, `ETag` and body.
async fn get_feed(app: &TestApp, path: &str, if_none_match: Option<&str>) -> (u16, Option<String>, String, String) {
    let mut request = app.client.get(app.url(path));
    if let Some(etag) = if_none_match {
        request = request.header(header::IF_NONE_MATCH, etag);
    }
    let response = request.send().await.unwrap();
    let cache = response.headers().get("x-lectern-cache").map(|v| v.to_str().unwrap().to_owned());
    let etag = response.headers()[header::ETAG].to_str().unwrap().to_owned();
    (response.status().as_u16(), cache, etag, response.text().await.unwrap())
}

#[tokio::test]
async fn the_feeds_are_kept_until_what_they_show_changes_and_pollers_get_304() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let (first, _) = create_post(&app, &author, "First feed item", false).await;
    publish(&app, &author, &first).await;
    let (later, _) = create_post(&app, &author, "Scheduled feed item", false).await;
    let due = schedule(&app, &author, &later, 2000).await;

    let mut etags = Vec::new();
    for path in ["/feed.xml", "/atom.xml"] {
        let (status, cache, etag, body) = get_feed(&app, path, None).await;
        assert_eq!((status, cache.as_deref()), (200, Some("miss")), "{path}");
        assert!(body.contains("First feed item") && !body.contains("Scheduled feed item"), "{path}: {body}");
        let (status, cache, again, cached) = get_feed(&app, path, None).await;
        assert_eq!((status, cache.as_deref(), &again, &cached), (200, Some("hit"), &etag, &body), "{path}");
        let (status, cache, same, empty) = get_feed(&app, path, Some(&etag)).await;
        assert_eq!((status, cache.as_deref(), &same, empty.as_str()), (304, Some("hit"), &etag, ""), "{path}");
        etags.push(etag);
    }

    // An edit is in the next read of both feeds, and the old validator no longer matches.
    let edit = "mutation($id: ID!) { updatePost(id: $id, input: { title: \"Edited feed item\" }) { title } }";
    mutate(&app, &author, edit, json!({ "id": first })).await;
    for (path, old) in ["/feed.xml", "/atom.xml"].into_iter().zip(&etags) {
        let (status, cache, etag, body) = get_feed(&app, path, Some(old)).await;
        assert_eq!((status, cache.as_deref()), (200, Some("miss")), "{path}");
        assert!(body.contains(">Edited feed item<") && !body.contains(">First feed item<"), "{path}: {body}");
        assert_ne!(&etag, old, "{path}");
    }

    // The scheduled post goes live with no write: a stored feed does not outlive that moment.
    let wait = (due - chrono::Utc::now()).to_std().unwrap_or_default() + Duration::from_millis(50);
    tokio::time::sleep(wait).await;
    for path in ["/feed.xml", "/atom.xml"] {
        let (_, _, _, body) = get_feed(&app, path, None).await;
        assert!(body.contains("Scheduled feed item"), "due, so in the feed: {path}: {body}");
    }

    // With the cache off a feed is built every time, and still answers 304 to a matching validator.
    let uncached = TestApp::spawn_with(&[("RESPONSE_CACHE_TTL_SECS", "0")]).await;
    let (status, cache, etag, _) = get_feed(&uncached, "/feed.xml", None).await;
    assert_eq!((status, cache), (200, None));
    let (status, cache, _, body) = get_feed(&uncached, "/feed.xml", Some(&etag)).await;
    assert_eq!((status, cache, body.as_str()), (304, None, ""));
}

async fn get_by_hash(app: &TestApp, hash: &str, if_none_match: Option<&str>) -> reqwest::Response {
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } }).to_string();
    let mut request = app.client.get(app.url("/graphql")).query(&[("extensions", &extensions)]);
    if let Some(etag) = if_none_match {
        request = request.header(header::IF_NONE_MATCH, etag);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn persisted_gets_carry_an_etag_and_answer_304_until_the_content_changes() {
    let app = TestApp::spawn().await;
    let admin = app.user_with_role("ADMIN").await;
    let tags = "query Tags { tags { slug } }";
    let hash = hex::encode(Sha256::digest(tags.as_bytes()));
    let learn = json!({ "query": tags, "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } });
    app.client.post(app.url("/graphql")).json(&learn).send().await.unwrap();

    let first = get_by_hash(&app, &hash, None).await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()[header::CACHE_CONTROL], "public, max-age=60");
    assert_eq!(first.headers()[header::VARY], "Accept, Authorization");
    let etag = first.headers()[header::ETAG].to_str().unwrap().to_owned();
    assert!(etag.starts_with("W/\""), "{etag}");
    let body = first.text().await.unwrap();

    let again = get_by_hash(&app, &hash, Some(&etag)).await;
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()[header::ETAG], etag.as_str());
    assert_eq!(again.headers()[header::CACHE_CONTROL], "public, max-age=60");
    assert!(again.text().await.unwrap().is_empty());
    let other = get_by_hash(&app, &hash, Some("W/\"something-else\"")).await;
    assert_eq!((other.status().as_u16(), other.text().await.unwrap()), (200, body));

    mutate(&app, &admin, "mutation { createTag(name: \"Caching\") { slug } }", json!({})).await;
    let changed = get_by_hash(&app, &hash, Some(&etag)).await;
    assert_eq!(changed.status(), 200, "a new tag, a new body");
    assert_ne!(changed.headers()[header::ETAG], etag.as_str());
    assert!(changed.text().await.unwrap().contains("caching"));

    // Signed in: neither shared caching nor a validator.
    let signed_in = app
        .client
        .get(app.url("/graphql"))
        .bearer_auth(&admin.access_token)
        .query(&[("extensions", json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } }).to_string())])
        .header(header::IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 200);
    assert_eq!(signed_in.headers()[header::CACHE_CONTROL], "no-store");
    assert!(signed_in.headers().get(header::ETAG).is_none());
}

#[tokio::test]
async fn a_change_on_one_instance_is_in_the_next_read_on_another() {
    if std::env::var("TEST_REDIS_URL").is_err() {
        eprintln!("SKIPPED: instances share a cache through Redis (TEST_REDIS_URL); embedded mode is one process");
        return;
    }
    let app = TestApp::spawn().await;
    let other = app.sibling().await;
    let author = app.user_with_role("AUTHOR").await;
    let reader = app.register_verified("reader@example.com").await;
    let (post, slug) = create_post(&app, &author, "Shared", false).await;
    publish(&app, &author, &post).await;
    let page = json!({ "slug": slug });

    cached(&other, PAGE, page.clone()).await;
    let (cache, _) = anonymous(&app, PAGE, page.clone()).await;
    assert_eq!(cache.as_deref(), Some("hit"), "the instances share one cache");
    mutate(&app, &reader, "mutation($p: ID!) { addComment(postId: $p, body: \"Hello\") { id } }", json!({ "p": post }))
        .await;
    let (cache, shown) = anonymous(&other, PAGE, page.clone()).await;
    assert_eq!((cache.as_deref(), &shown["data"]["post"]["commentCount"]), (Some("miss"), &json!(1)), "{shown}");
    mutate(
        &other,
        &author,
        "mutation($id: ID!) { updatePost(id: $id, input: { title: \"Shared, edited\" }) { id } }",
        json!({ "id": post }),
    )
    .await;
    let (_, shown) = anonymous(&app, PAGE, page).await;
    assert_eq!(shown["data"]["post"]["title"], "Shared, edited");
}

#[tokio::test]
async fn while_redis_is_away_reads_are_answered_and_nothing_stale_is_served_after() {
    let Some(mut redis) = OwnRedis::start_persistent() else {
        eprintln!("SKIPPED: redis-server is not on PATH; this test stops and restarts a Redis of its own");
        return;
    };
    let app = TestApp::spawn_with(&[
        ("REDIS_URL", &redis.url()),
        ("REDIS_KEY_PREFIX", "rc-outage:"),
        ("REDIS_RETRY_AFTER_MS", "200"),
    ])
    .await;
    let author = app.user_with_role("AUTHOR").await;
    let reader = app.register_verified("reader@example.com").await;
    let (post, slug) = create_post(&app, &author, "Outage", false).await;
    publish(&app, &author, &post).await;
    let page = json!({ "slug": slug });
    assert_eq!(cached(&app, PAGE, page.clone()).await["data"]["post"]["commentCount"], 0);

    redis.stop();
    // A change while Redis is away cannot invalidate the stored answer; Redis keeps it.
    mutate(
        &app,
        &reader,
        "mutation($p: ID!) { addComment(postId: $p, body: \"Meanwhile\") { id } }",
        json!({ "p": post }),
    )
    .await;
    for _ in 0..3 {
        let started = Instant::now();
        let (cache, shown) = anonymous(&app, PAGE, page.clone()).await;
        assert_ne!(cache.as_deref(), Some("hit"));
        assert_eq!(shown["data"]["post"]["commentCount"], 1, "{shown}");
        // Far below the connection manager's reconnect backoff (6–10 s): the guard skips Redis.
        let took = started.elapsed();
        assert!(took < Duration::from_secs(2), "a read took {took:?} without Redis");
    }

    redis.restart();
    let mut answered_by_redis = false;
    for _ in 0..100 {
        let (cache, shown) = anonymous(&app, PAGE, page.clone()).await;
        assert_eq!(shown["data"]["post"]["commentCount"], 1, "never the answer from before the comment: {shown}");
        if cache.is_some() {
            answered_by_redis = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(answered_by_redis, "the cache is used again once Redis answers");
    let (cache, shown) = anonymous(&app, PAGE, page).await;
    assert_eq!((cache.as_deref(), &shown["data"]["post"]["commentCount"]), (Some("hit"), &json!(1)));
}
