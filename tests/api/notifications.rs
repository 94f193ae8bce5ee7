//! Notifications, as their recipients meet them: raised by replies and new
//! posts in a series, delivered live over a real websocket, listed, read and
//! dismissed — and nobody else's.

use lectern::domains::notifications::{Kind, service as notifications};
use serde_json::{Value, json};

use crate::harness::{TestApp, TestUser, WsClient, error_code, error_field};

const LIVE: &str = "subscription { notifications { id kind title message link read createdAt } }";
const LIST: &str = "query($first: Int, $after: String, $unread: Boolean) {
    notifications(first: $first, after: $after, unreadOnly: $unread) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { cursor node { id kind title message link read readAt } }
    }
    unreadNotificationCount
}";
const COUNT: &str = "{ unreadNotificationCount }";
const MARK: &str = "mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) }";
const MARK_ALL: &str = "mutation { markAllNotificationsRead }";
const DISMISS: &str = "mutation($id: ID!) { dismissNotification(id: $id) }";
const ADD: &str = "mutation($post: ID!, $parent: ID, $body: String!) {
    addComment(postId: $post, parentId: $parent, body: $body) { id }
}";

/// A websocket signed in as `user` (anonymous when None) with `query` subscribed as operation "s".
async fn subscribed(app: &TestApp, user: Option<&TestUser>, query: &str, variables: Value) -> WsClient {
    let mut ws = app.ws("graphql-transport-ws").await;
    ws.init(user.map(|u| u.access_token.as_str())).await;
    ws.send(json!({ "id": "s", "type": "subscribe", "payload": { "query": query, "variables": variables } })).await;
    // Give the subscription a moment to register before anything is raised.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    ws
}

async fn comment(app: &TestApp, user: &TestUser, post: &str, parent: Option<&str>, body: &str) -> String {
    let response = app.graphql_as(user, ADD, json!({ "post": post, "parent": parent, "body": body })).await;
    response["data"]["addComment"]["id"].as_str().unwrap_or_else(|| panic!("addComment failed: {response}")).to_owned()
}

async fn unread(app: &TestApp, user: &TestUser) -> i64 {
    let response = app.graphql_as(user, COUNT, json!({})).await;
    response["data"]["unreadNotificationCount"].as_i64().unwrap_or_else(|| panic!("no count: {response}"))
}

async fn list(app: &TestApp, user: &TestUser, variables: Value) -> Value {
    let response = app.graphql_as(user, LIST, variables).await;
    assert!(response["data"]["notifications"].is_object(), "notifications failed: {response}");
    response["data"]["notifications"].clone()
}

/// A SYSTEM notification for `user`, raised through the service; returns its id.
async fn system_notice(app: &TestApp, user: &TestUser, title: &str) -> String {
    let user_id = uuid::Uuid::parse_str(&user.id).unwrap();
    let row = notifications::notify(&app.state, user_id, Kind::System, title, "From the team", None).await.unwrap();
    row.id.to_string()
}

#[tokio::test]
async fn a_comment_notifies_the_posts_author_once_and_never_of_their_own() {
    // No worker: badge checks (BADGE_EARNED notices) wait, so only the notices under test arrive.
    let app = TestApp::spawn_with(&[("IN_PROCESS_WORKER", "false")]).await;
    let author = app.user_with_role("AUTHOR").await;
    let ada = app.register_verified("ada@example.com").await;
    let (post, slug) = app.published_post(&author, "Ownership").await;
    let mut ws = subscribed(&app, Some(&author), LIVE, json!({})).await;

    // The author's own comment tells nobody anything.
    let own = comment(&app, &author, &post, None, "Questions welcome").await;
    assert_eq!(unread(&app, &author).await, 0);
    let first = comment(&app, &ada, &post, None, "What about **borrowing**?").await;
    let next = ws.message().await;
    let live = &next["payload"]["data"]["notifications"];
    assert_eq!(live["kind"], "COMMENT_ON_POST", "{next}");
    assert_eq!(live["title"], "Test Reader commented on “Ownership”");
    assert_eq!(live["message"], "What about **borrowing**?");
    assert_eq!(live["link"], format!("/posts/{slug}#comment-{first}"));

    // A reply to the author's own comment: one notice (the reply), not two.
    comment(&app, &ada, &post, Some(&own), "Here is one").await;
    let kinds: Vec<String> = list(&app, &author, json!({})).await["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, ["COMMENT_REPLY", "COMMENT_ON_POST"], "newest first");
    // The author answering in their own thread notifies the reader, not themselves.
    comment(&app, &author, &post, Some(&first), "Chapter 4").await;
    assert_eq!(unread(&app, &author).await, 2);
    assert_eq!(unread(&app, &ada).await, 1);
}

#[tokio::test]
async fn a_reply_notifies_the_parent_author_live_and_in_the_list() {
    // No worker: badge checks (BADGE_EARNED notices) wait, so only the notices under test arrive.
    let app = TestApp::spawn_with(&[("IN_PROCESS_WORKER", "false")]).await;
    let author = app.user_with_role("AUTHOR").await;
    let ada = app.register_verified("ada@example.com").await;
    let bob = app.register_verified("bob@example.com").await;
    let (post, slug) = app.published_post(&author, "Ownership").await;
    let question = comment(&app, &ada, &post, None, "What about borrowing?").await;
    let mut ws = subscribed(&app, Some(&ada), LIVE, json!({})).await;

    // Not a reply to ada's comment, and a reply to oneself: neither notifies.
    comment(&app, &bob, &post, None, "Great post").await;
    comment(&app, &ada, &post, Some(&question), "Also: lifetimes?").await;
    let reply = comment(&app, &bob, &post, Some(&question), "Borrowing is lending a reference").await;

    let next = ws.message().await;
    assert_eq!(next["type"], "next", "{next}");
    assert_eq!(next["id"], "s");
    let live = &next["payload"]["data"]["notifications"];
    assert_eq!(live["kind"], "COMMENT_REPLY", "{next}");
    assert_eq!(live["title"], "Test Reader replied to your comment");
    assert_eq!(live["message"], "On “Ownership”: Borrowing is lending a reference");
    assert_eq!(live["link"], format!("/posts/{slug}#comment-{reply}"));
    assert_eq!(live["read"], false);

    let listed = list(&app, &ada, json!({})).await;
    assert_eq!(listed["totalCount"], 1, "{listed}");
    assert_eq!(listed["edges"][0]["node"]["id"], live["id"]);
    assert_eq!(unread(&app, &ada).await, 1);
    assert_eq!(unread(&app, &bob).await, 0, "the replier hears nothing");
    assert_eq!(unread(&app, &author).await, 4, "the post's author hears of each of the four comments");

    let marked = app.graphql_as(&ada, MARK, json!({ "ids": [live["id"]] })).await;
    assert_eq!(marked["data"]["markNotificationsRead"], 1, "{marked}");
    assert_eq!(unread(&app, &ada).await, 0);
    let again = app.graphql_as(&ada, MARK, json!({ "ids": [live["id"]] })).await;
    assert_eq!(again["data"]["markNotificationsRead"], 0, "already read: {again}");
    let node = &list(&app, &ada, json!({})).await["edges"][0]["node"];
    assert_eq!(node["read"], true);
    assert!(node["readAt"].is_string());
}

#[tokio::test]
async fn notifications_page_newest_first_and_are_marked_and_dismissed() {
    let app = TestApp::spawn().await;
    let ada = app.register_verified("ada@example.com").await;
    let first = system_notice(&app, &ada, "One").await;
    let second = system_notice(&app, &ada, "Two").await;
    let third = system_notice(&app, &ada, "Three").await;

    let page = list(&app, &ada, json!({ "first": 2 })).await;
    let titles: Vec<&str> =
        page["edges"].as_array().unwrap().iter().map(|e| e["node"]["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Three", "Two"], "{page}");
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let rest = list(&app, &ada, json!({ "first": 2, "after": page["pageInfo"]["endCursor"] })).await;
    assert_eq!(rest["edges"][0]["node"]["id"], first.as_str(), "{rest}");
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);

    let marked = app.graphql_as(&ada, MARK, json!({ "ids": [second, second] })).await;
    assert_eq!(marked["data"]["markNotificationsRead"], 1, "an id named twice counts once: {marked}");
    let unread_page = list(&app, &ada, json!({ "unread": true })).await;
    assert_eq!(unread_page["totalCount"], 2, "{unread_page}");
    assert_eq!(unread_page["edges"][0]["node"]["id"], third.as_str());

    let all = app.graphql_as(&ada, MARK_ALL, json!({})).await;
    assert_eq!(all["data"]["markAllNotificationsRead"], 2, "{all}");
    assert_eq!(unread(&app, &ada).await, 0);
    assert_eq!(app.graphql_as(&ada, MARK_ALL, json!({})).await["data"]["markAllNotificationsRead"], 0);
    assert_eq!(list(&app, &ada, json!({ "unread": true })).await["totalCount"], 0);

    let dismissed = app.graphql_as(&ada, DISMISS, json!({ "id": second })).await;
    assert_eq!(dismissed["data"]["dismissNotification"], true, "{dismissed}");
    assert_eq!(list(&app, &ada, json!({})).await["totalCount"], 2);
    let gone = app.graphql_as(&ada, DISMISS, json!({ "id": second })).await;
    assert_eq!(error_code(&gone), "NOT_FOUND", "{gone}");
}

#[tokio::test]
async fn another_users_notifications_are_not_found_and_stay_untouched() {
    let app = TestApp::spawn().await;
    let ada = app.register_verified("ada@example.com").await;
    let bob = app.register_verified("bob@example.com").await;
    let adas = system_notice(&app, &ada, "For Ada").await;
    let bobs = system_notice(&app, &bob, "For Bob").await;

    // One foreign id spoils the whole call: bob's own one stays unread too.
    let mark = app.graphql_as(&bob, MARK, json!({ "ids": [bobs, adas] })).await;
    assert_eq!(error_code(&mark), "NOT_FOUND", "NOT_FOUND, not FORBIDDEN: {mark}");
    assert!(mark["data"].is_null(), "{mark}");
    assert_eq!(unread(&app, &bob).await, 1);
    assert_eq!(unread(&app, &ada).await, 1);
    let unknown = app.graphql_as(&bob, MARK, json!({ "ids": [uuid::Uuid::now_v7().to_string()] })).await;
    assert_eq!(error_code(&unknown), "NOT_FOUND");

    let dismiss = app.graphql_as(&bob, DISMISS, json!({ "id": adas })).await;
    assert_eq!(error_code(&dismiss), "NOT_FOUND", "{dismiss}");
    assert_eq!(list(&app, &ada, json!({})).await["totalCount"], 1, "ada's notification is still there");

    // Bob's list and count never show ada's.
    let bobs_list = list(&app, &bob, json!({})).await;
    assert_eq!(bobs_list["totalCount"], 1);
    assert_eq!(bobs_list["edges"][0]["node"]["id"], bobs.as_str());

    // Everything needs a signed-in viewer.
    for (query, variables) in [
        (LIST, json!({})),
        (COUNT, json!({})),
        (MARK, json!({ "ids": [adas] })),
        (MARK_ALL, json!({})),
        (DISMISS, json!({ "id": adas })),
    ] {
        let anonymous = app.graphql(query, variables).await;
        assert_eq!(error_code(&anonymous), "UNAUTHENTICATED", "{query}: {anonymous}");
    }
    assert_eq!(unread(&app, &ada).await, 1);
}

#[tokio::test]
async fn bad_inputs_name_their_field() {
    let app = TestApp::spawn().await;
    let ada = app.register_verified("ada@example.com").await;
    system_notice(&app, &ada, "Hello").await;

    let malformed = app.graphql_as(&ada, MARK, json!({ "ids": ["not-an-id"] })).await;
    assert_eq!(error_code(&malformed), "BAD_USER_INPUT", "{malformed}");
    assert_eq!(error_field(&malformed), "ids");
    let too_many: Vec<String> = (0..101).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    let many = app.graphql_as(&ada, MARK, json!({ "ids": too_many })).await;
    assert_eq!(error_field(&many), "ids", "{many}");
    let dismiss = app.graphql_as(&ada, DISMISS, json!({ "id": "42" })).await;
    assert_eq!(error_code(&dismiss), "BAD_USER_INPUT", "{dismiss}");
    assert_eq!(error_field(&dismiss), "id");

    let cursor = app.graphql_as(&ada, LIST, json!({ "after": "not a cursor" })).await;
    assert_eq!(error_code(&cursor), "BAD_USER_INPUT", "{cursor}");
    assert_eq!(error_field(&cursor), "after");
    let big = app.graphql_as(&ada, LIST, json!({ "first": 101 })).await;
    assert_eq!(error_code(&big), "BAD_USER_INPUT", "{big}");
    assert_eq!(error_field(&big), "first");
    assert_eq!(unread(&app, &ada).await, 1, "nothing changed");
}

#[tokio::test]
async fn anonymous_notification_subscribers_are_refused_with_4403() {
    let app = TestApp::spawn().await;
    let mut ws = app.ws("graphql-transport-ws").await;
    ws.init(None).await;
    // A query over the socket gets an ordinary error; the connection stays open.
    ws.send(json!({ "id": "q", "type": "subscribe", "payload": { "query": COUNT } })).await;
    let answer = ws.message().await;
    assert_eq!(answer["type"], "next", "{answer}");
    assert_eq!(answer["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    assert_eq!(ws.message().await, json!({ "type": "complete", "id": "q" }));

    ws.send(json!({ "id": "s", "type": "subscribe", "payload": { "query": "subscription { notifications { id } }" } }))
        .await;
    assert_eq!(ws.close_code().await, 4403);
}

#[tokio::test]
async fn comment_added_reaches_open_post_pages() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let ada = app.register_verified("ada@example.com").await;
    let (post, _) = app.published_post(&author, "Traits").await;
    const ADDED: &str =
        "subscription($post: ID!) { commentAdded(postId: $post) { id postId parentId body author { id } } }";
    // Anonymous readers follow public posts too.
    let mut ws = subscribed(&app, None, ADDED, json!({ "post": post })).await;

    let id = comment(&app, &ada, &post, None, "  Traits are interfaces, roughly  ").await;
    let next = ws.message().await;
    assert_eq!(next["type"], "next", "{next}");
    let added = &next["payload"]["data"]["commentAdded"];
    assert_eq!(added["id"], id.as_str(), "{next}");
    assert_eq!(added["postId"], post.as_str());
    assert!(added["parentId"].is_null());
    assert_eq!(added["body"], "Traits are interfaces, roughly");
    assert_eq!(added["author"]["id"], ada.id.as_str());

    // A draft is NOT_FOUND for others, and a malformed id is BAD_USER_INPUT; the connection stays.
    let draft = app.draft_post(&author, "Draft").await;
    for (id, variables, code) in [
        ("d", json!({ "post": draft.id.to_string() }), "NOT_FOUND"),
        ("m", json!({ "post": "nope" }), "BAD_USER_INPUT"),
    ] {
        ws.send(json!({ "id": id, "type": "subscribe", "payload": { "query": ADDED, "variables": variables } })).await;
        let refused = ws.message().await;
        assert_eq!(refused["type"], "next", "{refused}");
        assert_eq!(refused["payload"]["errors"][0]["extensions"]["code"], code, "{refused}");
        assert_eq!(ws.message().await, json!({ "type": "complete", "id": id }));
    }

    // The first subscription still runs.
    let reply = comment(&app, &author, &post, Some(&id), "Close enough").await;
    let next = ws.message().await;
    assert_eq!(next["payload"]["data"]["commentAdded"]["id"], reply.as_str(), "{next}");
    assert_eq!(next["payload"]["data"]["commentAdded"]["parentId"], id.as_str());

    // The post is unpublished while pages follow it: each event is checked
    // again, so the anonymous page misses what its author writes meanwhile,
    // while the author's own page (who may read the draft) sees it.
    let mut own = subscribed(&app, Some(&author), ADDED, json!({ "post": post })).await;
    let toggle = |state: &str| format!("mutation($id: ID!) {{ {state}Post(id: $id) {{ id }} }}");
    let body = app.graphql_as(&author, &toggle("unpublish"), json!({ "id": post })).await;
    assert!(body["errors"].is_null(), "{body}");
    let unseen = comment(&app, &author, &post, None, "Notes while it is a draft").await;
    assert_eq!(own.message().await["payload"]["data"]["commentAdded"]["id"], unseen.as_str());
    let body = app.graphql_as(&author, &toggle("publish"), json!({ "id": post })).await;
    assert!(body["errors"].is_null(), "{body}");
    let seen = comment(&app, &ada, &post, None, "Back again").await;
    let next = ws.message().await;
    assert_eq!(
        next["payload"]["data"]["commentAdded"]["id"],
        seen.as_str(),
        "the draft-time comment was skipped: {next}"
    );
}

#[tokio::test]
async fn a_new_post_in_a_series_reaches_its_readers() {
    // No worker: badge checks (BADGE_EARNED notices) wait, so only the notices under test arrive.
    let app = TestApp::spawn_with(&[("IN_PROCESS_WORKER", "false")]).await;
    let author = app.user_with_role("AUTHOR").await;
    let reader = app.register_verified("reader@example.com").await;
    let stranger = app.register_verified("stranger@example.com").await;
    let series = app
        .graphql_as(&author, "mutation { createSeries(input: {title: \"Rust from scratch\"}) { id } }", json!({}))
        .await;
    let series = series["data"]["createSeries"]["id"].as_str().unwrap_or_else(|| panic!("{series}")).to_owned();
    let add_to_series =
        "mutation($series: ID!, $post: ID!) { addPostToSeries(seriesId: $series, postId: $post) { id } }";
    let (first, _) = app.published_post(&author, "Part one").await;
    let added = app.graphql_as(&author, add_to_series, json!({ "series": series, "post": first })).await;
    assert!(added["data"]["addPostToSeries"].is_object(), "{added}");
    let read = "mutation($post: ID!) { markPostRead(postId: $post, secondsSpent: 60) { secondsSpent } }";
    for user in [&reader, &author] {
        let out = app.graphql_as(user, read, json!({ "post": first })).await;
        assert!(out["data"]["markPostRead"].is_object(), "{out}");
    }

    let create = "mutation($title: String!) { createPost(input: {title: $title, body: \"More\"}) { id slug } }";
    let draft = app.graphql_as(&author, create, json!({ "title": "Part two" })).await;
    let (second, slug) = (
        draft["data"]["createPost"]["id"].as_str().unwrap_or_else(|| panic!("{draft}")).to_owned(),
        draft["data"]["createPost"]["slug"].as_str().unwrap().to_owned(),
    );
    app.graphql_as(&author, add_to_series, json!({ "series": series, "post": second })).await;
    let mut ws = subscribed(&app, Some(&reader), LIVE, json!({})).await;

    let publish = "mutation($id: ID!) { publishPost(id: $id) { id } }";
    let published = app.graphql_as(&author, publish, json!({ "id": second })).await;
    assert_eq!(published["data"]["publishPost"]["id"], second.as_str(), "{published}");
    let next = ws.message().await;
    let live = &next["payload"]["data"]["notifications"];
    assert_eq!(live["kind"], "NEW_POST_IN_SERIES", "{next}");
    assert_eq!(live["title"], "New in “Rust from scratch”");
    assert_eq!(live["message"], "Part two");
    assert_eq!(live["link"], format!("/posts/{slug}"));
    assert_eq!(unread(&app, &reader).await, 1);
    assert_eq!(unread(&app, &stranger).await, 0, "no progress in the series");
    assert_eq!(unread(&app, &author).await, 0, "not the author");

    // Publishing again is not news.
    app.graphql_as(&author, publish, json!({ "id": second })).await;
    assert_eq!(unread(&app, &reader).await, 1);

    // The scheduled-publish job notifies once, however often it runs.
    let draft = app.graphql_as(&author, create, json!({ "title": "Part three" })).await;
    let third = draft["data"]["createPost"]["id"].as_str().unwrap().to_owned();
    app.graphql_as(&author, add_to_series, json!({ "series": series, "post": third })).await;
    let at = (chrono::Utc::now() + chrono::Duration::milliseconds(1200)).to_rfc3339();
    let scheduled = app
        .graphql_as(
            &author,
            "mutation($id: ID!, $at: DateTime!) { schedulePost(id: $id, at: $at) { id } }",
            json!({ "id": third, "at": at }),
        )
        .await;
    assert!(scheduled["data"]["schedulePost"].is_object(), "{scheduled}");
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let flipped = lectern::domains::posts::service::publish_due(&app.state).await.unwrap();
    assert_eq!(flipped.len(), 1);
    assert!(lectern::domains::posts::service::publish_due(&app.state).await.unwrap().is_empty());
    let next = ws.message().await;
    assert_eq!(next["payload"]["data"]["notifications"]["message"], "Part three", "{next}");
    assert_eq!(unread(&app, &reader).await, 2);
}

#[tokio::test]
async fn notifications_cross_instances_through_redis() {
    if std::env::var("TEST_REDIS_URL").is_err() {
        eprintln!("skipped: needs TEST_REDIS_URL (runs in the PostgreSQL+Redis pass)");
        return;
    }
    // No workers: badge checks (BADGE_EARNED notices) wait, so only the reply's notice arrives.
    let app = TestApp::spawn_with(&[("IN_PROCESS_WORKER", "false")]).await;
    let sibling = app.sibling().await;
    let author = app.user_with_role("AUTHOR").await;
    let ada = app.register_verified("ada@example.com").await;
    let bob = app.register_verified("bob@example.com").await;
    let (post, _) = app.published_post(&author, "Scaling out").await;
    let question = comment(&app, &ada, &post, None, "Does it scale?").await;
    let mut ws = subscribed(&app, Some(&ada), LIVE, json!({})).await;

    // Raised on the sibling instance, received on the first.
    comment(&sibling, &bob, &post, Some(&question), "Horizontally").await;
    let next = ws.message().await;
    assert_eq!(next["payload"]["data"]["notifications"]["kind"], "COMMENT_REPLY", "{next}");
    assert_eq!(unread(&app, &ada).await, 1);
}
