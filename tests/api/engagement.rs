//! Engagement, as a reader meets it: bookmarks, reading progress through posts
//! and series, reactions, and view counts that never store an address.

use serde_json::{Value, json};

use crate::harness::{TestApp, TestUser, error_code, error_field};

const BOOKMARK: &str = "mutation($id: ID!) { bookmarkPost(postId: $id) { id viewerHasBookmarked } }";
const UNBOOKMARK: &str = "mutation($id: ID!) { unbookmarkPost(postId: $id) { id viewerHasBookmarked } }";
const BOOKMARKS: &str = "query($first: Int, $after: String, $last: Int, $before: String) {
    bookmarks(first: $first, after: $after, last: $last, before: $before) {
        totalCount
        edges { cursor node { id title viewerHasBookmarked } }
        pageInfo { hasNextPage hasPreviousPage endCursor }
    }
}";
const MARK_READ: &str = "mutation($id: ID!, $seconds: Int!) {
    markPostRead(postId: $id, secondsSpent: $seconds) { post { id } secondsSpent completedAt }
}";
const POST_PROGRESS: &str =
    "query($slug: String!) { post(slug: $slug) { viewerProgress { secondsSpent completedAt } } }";
const SERIES_PROGRESS: &str = "query($slug: String!) {
    series(slug: $slug) { viewerProgress { completedCount totalCount percent nextPost { id } completedAt } }
}";
const REACT: &str = "mutation($id: ID!, $kind: ReactionKind!) { react(postId: $id, kind: $kind) { id } }";
const UNREACT: &str = "mutation($id: ID!, $kind: ReactionKind!) { unreact(postId: $id, kind: $kind) { id } }";
const REACTIONS: &str = "query($slug: String!) { post(slug: $slug) { reactions { kind count } viewerReactions } }";
const RECORD_VIEW: &str = "mutation($id: ID!) { recordPostView(postId: $id) }";
const VIEW_COUNT: &str = "query($slug: String!) { post(slug: $slug) { viewCount } }";

/// An author with `titles.len()` published posts, and a reader. Returns (author, reader, [(id, slug)]).
async fn author_reader_and_posts(app: &TestApp, titles: &[&str]) -> (TestUser, TestUser, Vec<(String, String)>) {
    let author = app.user_with_role("AUTHOR").await;
    let reader = app.user_with_role("READER").await;
    let mut posts = Vec::new();
    for title in titles {
        posts.push(app.published_post(&author, title).await);
    }
    (author, reader, posts)
}

/// A draft by `author`, made through the posts service and never published. Returns its id.
async fn draft(app: &TestApp, author: &TestUser, title: &str) -> String {
    use lectern::domains::posts::service as posts;
    let viewer = app.viewer_of(author).await;
    let input = posts::PostInput {
        title: Some(title.to_owned()),
        body: Some(format!("{title}, unfinished.")),
        ..Default::default()
    };
    posts::create(&app.state, &viewer, input).await.expect("create draft").id.to_string()
}

fn ids_of(list: &Value) -> Vec<String> {
    list["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].as_str().unwrap().to_owned()).collect()
}

/// Runs `query` as `user` (anonymously when None) and asserts the first error's code and, when given, field.
async fn assert_error(
    app: &TestApp,
    user: Option<&TestUser>,
    query: &str,
    vars: Value,
    code: &str,
    field: Option<&str>,
) {
    let body = match user {
        Some(user) => app.graphql_as(user, query, vars).await,
        None => app.graphql(query, vars).await,
    };
    assert_eq!(error_code(&body), code, "{query}: {body}");
    if let Some(field) = field {
        assert_eq!(error_field(&body), field, "{query}: {body}");
    }
}

#[tokio::test]
async fn bookmarks_are_idempotent_and_listed_most_recent_first() {
    let app = TestApp::spawn().await;
    let (author, reader, posts) = author_reader_and_posts(&app, &["Alpha", "Beta", "Gamma"]).await;
    let [(a, _), (b, _), (c, _)] = [posts[0].clone(), posts[1].clone(), posts[2].clone()];

    for id in [&a, &b, &c, &a] {
        let saved = app.graphql_as(&reader, BOOKMARK, json!({ "id": id })).await;
        assert_eq!(saved["data"]["bookmarkPost"]["viewerHasBookmarked"], true, "{saved}");
    }

    // Bookmarking Alpha again kept its first bookmark: it stays the oldest.
    let all = app.graphql_as(&reader, BOOKMARKS, json!({})).await;
    assert_eq!(all["data"]["bookmarks"]["totalCount"], 3, "{all}");
    assert_eq!(ids_of(&all["data"]["bookmarks"]), [c.as_str(), b.as_str(), a.as_str()]);

    let first = app.graphql_as(&reader, BOOKMARKS, json!({ "first": 2 })).await;
    let page = &first["data"]["bookmarks"];
    assert_eq!(ids_of(page), [c.as_str(), b.as_str()]);
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    assert_eq!(page["pageInfo"]["hasPreviousPage"], false);
    assert_eq!(page["edges"][0]["node"]["viewerHasBookmarked"], true);
    let second =
        app.graphql_as(&reader, BOOKMARKS, json!({ "first": 2, "after": page["pageInfo"]["endCursor"] })).await;
    assert_eq!(ids_of(&second["data"]["bookmarks"]), [a.as_str()], "{second}");
    assert_eq!(second["data"]["bookmarks"]["pageInfo"]["hasNextPage"], false);
    assert_eq!(second["data"]["bookmarks"]["pageInfo"]["hasPreviousPage"], true);

    let before_alpha = second["data"]["bookmarks"]["edges"][0]["cursor"].clone();
    let backward = app.graphql_as(&reader, BOOKMARKS, json!({ "last": 1, "before": before_alpha })).await;
    assert_eq!(ids_of(&backward["data"]["bookmarks"]), [b.as_str()], "{backward}");

    // The flag on posts, for the reader, for someone else and for anonymous readers.
    let feed = "{ posts { edges { node { id viewerHasBookmarked } } } }";
    let flags = |body: Value| -> Vec<bool> {
        body["data"]["posts"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["viewerHasBookmarked"] == true)
            .collect()
    };
    assert_eq!(flags(app.graphql_as(&reader, feed, json!({})).await), [true, true, true]);
    assert_eq!(flags(app.graphql_as(&author, feed, json!({})).await), [false, false, false]);
    assert_eq!(flags(app.graphql(feed, json!({})).await), [false, false, false]);

    for _ in 0..2 {
        let removed = app.graphql_as(&reader, UNBOOKMARK, json!({ "id": b })).await;
        assert_eq!(removed["data"]["unbookmarkPost"]["viewerHasBookmarked"], false, "{removed}");
    }
    let after_removal = app.graphql_as(&reader, BOOKMARKS, json!({})).await;
    assert_eq!(ids_of(&after_removal["data"]["bookmarks"]), [c.as_str(), a.as_str()]);

    // A post the reader can no longer read leaves their list (the bookmark stays for when it returns).
    let unpublish = "mutation($id: ID!) { unpublishPost(id: $id) { id } }";
    app.graphql_as(&author, unpublish, json!({ "id": c })).await;
    let hidden = app.graphql_as(&reader, BOOKMARKS, json!({})).await;
    assert_eq!(hidden["data"]["bookmarks"]["totalCount"], 1, "{hidden}");
    assert_eq!(ids_of(&hidden["data"]["bookmarks"]), [a.as_str()]);
    app.graphql_as(&author, "mutation($id: ID!) { publishPost(id: $id) { id } }", json!({ "id": c })).await;
    let back = app.graphql_as(&reader, BOOKMARKS, json!({})).await;
    assert_eq!(ids_of(&back["data"]["bookmarks"]), [c.as_str(), a.as_str()]);

    let other = app.graphql_as(&author, BOOKMARKS, json!({})).await;
    assert_eq!(other["data"]["bookmarks"]["totalCount"], 0, "bookmarks are per reader: {other}");
}

#[tokio::test]
async fn bookmarks_reject_bad_requests_with_the_code() {
    let app = TestApp::spawn().await;
    let (author, reader, posts) = author_reader_and_posts(&app, &["Public"]).await;
    let draft = draft(&app, &author, "Secret draft").await;
    let unknown = uuid::Uuid::now_v7().to_string();
    let public = &posts[0].0;

    for query in [BOOKMARK, UNBOOKMARK] {
        assert_error(&app, None, query, json!({ "id": public }), "UNAUTHENTICATED", None).await;
        assert_error(&app, Some(&reader), query, json!({ "id": unknown }), "NOT_FOUND", None).await;
        assert_error(&app, Some(&reader), query, json!({ "id": draft }), "NOT_FOUND", None).await;
        assert_error(&app, Some(&reader), query, json!({ "id": "not-a-uuid" }), "BAD_USER_INPUT", Some("postId")).await;
    }
    assert_error(&app, None, BOOKMARKS, json!({}), "UNAUTHENTICATED", None).await;
    assert_error(&app, Some(&reader), BOOKMARKS, json!({ "after": "garbage!" }), "BAD_USER_INPUT", Some("after")).await;
    assert_error(&app, Some(&reader), BOOKMARKS, json!({ "before": "e30" }), "BAD_USER_INPUT", Some("before")).await;
    assert_error(&app, Some(&reader), BOOKMARKS, json!({ "first": 101 }), "BAD_USER_INPUT", Some("first")).await;
    // A cursor from the feed (ordered by publication) is not a bookmark cursor.
    let feed = app.graphql("{ posts(first: 1) { edges { cursor } } }", json!({})).await;
    let foreign = feed["data"]["posts"]["edges"][0]["cursor"].as_str().expect("a feed cursor").to_owned();
    assert_error(&app, Some(&reader), BOOKMARKS, json!({ "after": foreign }), "BAD_USER_INPUT", Some("after")).await;

    // The author bookmarks their own draft: they may read it.
    let own = app.graphql_as(&author, BOOKMARK, json!({ "id": draft })).await;
    assert_eq!(own["data"]["bookmarkPost"]["viewerHasBookmarked"], true, "{own}");
}

#[tokio::test]
async fn reading_progress_accumulates_and_completes_once() {
    let app = TestApp::spawn().await;
    let (author, reader, posts) = author_reader_and_posts(&app, &["Long read"]).await;
    let (id, slug) = posts[0].clone();

    let first = app.graphql_as(&reader, MARK_READ, json!({ "id": id, "seconds": 120 })).await;
    let progress = &first["data"]["markPostRead"];
    assert_eq!(progress["post"]["id"], id.as_str(), "{first}");
    assert_eq!(progress["secondsSpent"], 120);
    let completed_at = progress["completedAt"].as_str().expect("completed").to_owned();

    let second = app.graphql_as(&reader, MARK_READ, json!({ "id": id, "seconds": 30 })).await;
    assert_eq!(second["data"]["markPostRead"]["secondsSpent"], 150, "{second}");
    assert_eq!(second["data"]["markPostRead"]["completedAt"], completed_at.as_str(), "completed the first time only");
    let edges = app.graphql_as(&reader, MARK_READ, json!({ "id": id, "seconds": 0 })).await;
    assert_eq!(edges["data"]["markPostRead"]["secondsSpent"], 150, "{edges}");
    let most = app.graphql_as(&reader, MARK_READ, json!({ "id": id, "seconds": 86_400 })).await;
    assert_eq!(most["data"]["markPostRead"]["secondsSpent"], 86_550, "{most}");

    let seen = app.graphql_as(&reader, POST_PROGRESS, json!({ "slug": slug })).await;
    assert_eq!(seen["data"]["post"]["viewerProgress"]["secondsSpent"], 86_550, "{seen}");
    assert_eq!(seen["data"]["post"]["viewerProgress"]["completedAt"], completed_at.as_str());
    let others = app.graphql_as(&author, POST_PROGRESS, json!({ "slug": slug })).await;
    assert!(others["data"]["post"]["viewerProgress"].is_null(), "progress is per reader: {others}");
    let anonymous = app.graphql(POST_PROGRESS, json!({ "slug": slug })).await;
    assert!(anonymous["data"]["post"]["viewerProgress"].is_null(), "{anonymous}");
    assert!(anonymous.get("errors").is_none(), "{anonymous}");

    // Years of reading later, the total stops at the column's limit instead of failing.
    use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
    let row = entity::reading_progress::Entity::find().one(&app.state.db).await.unwrap().expect("a progress row");
    let mut row = row.into_active_model();
    row.seconds_spent = Set(i32::MAX - 10);
    row.update(&app.state.db).await.unwrap();
    let capped = app.graphql_as(&reader, MARK_READ, json!({ "id": id, "seconds": 86_400 })).await;
    assert_eq!(capped["data"]["markPostRead"]["secondsSpent"], i32::MAX, "{capped}");
}

#[tokio::test]
async fn reading_progress_rejects_bad_requests_with_the_code() {
    let app = TestApp::spawn().await;
    let (author, reader, posts) = author_reader_and_posts(&app, &["Readable"]).await;
    let draft = draft(&app, &author, "Not yet").await;
    let id = &posts[0].0;

    for seconds in [-1, 86_401, 1_000_000_000] {
        let vars = json!({ "id": id, "seconds": seconds });
        assert_error(&app, Some(&reader), MARK_READ, vars, "BAD_USER_INPUT", Some("secondsSpent")).await;
    }
    assert_error(&app, None, MARK_READ, json!({ "id": id, "seconds": 10 }), "UNAUTHENTICATED", None).await;
    let unknown = uuid::Uuid::now_v7().to_string();
    assert_error(&app, Some(&reader), MARK_READ, json!({ "id": unknown, "seconds": 10 }), "NOT_FOUND", None).await;
    assert_error(&app, Some(&reader), MARK_READ, json!({ "id": draft, "seconds": 10 }), "NOT_FOUND", None).await;
    let malformed = json!({ "id": "42", "seconds": 10 });
    assert_error(&app, Some(&reader), MARK_READ, malformed, "BAD_USER_INPUT", Some("postId")).await;

    // Nothing was recorded by the rejected calls.
    let seen = app.graphql_as(&reader, POST_PROGRESS, json!({ "slug": posts[0].1 })).await;
    assert!(seen["data"]["post"]["viewerProgress"].is_null(), "{seen}");
}

#[tokio::test]
async fn series_progress_moves_from_the_first_post_to_the_last() {
    let app = TestApp::spawn().await;
    let (author, reader, posts) = author_reader_and_posts(&app, &["Part one", "Part two", "Part three"]).await;
    let series = app
        .graphql_as(&author, "mutation { createSeries(input: { title: \"Rust from zero\" }) { id slug } }", json!({}))
        .await;
    let series_id = series["data"]["createSeries"]["id"].as_str().expect("series created").to_owned();
    let series_slug = series["data"]["createSeries"]["slug"].as_str().unwrap().to_owned();
    for (post_id, _) in &posts {
        let added = app
            .graphql_as(
                &author,
                "mutation($s: ID!, $p: ID!) { addPostToSeries(seriesId: $s, postId: $p) { id } }",
                json!({ "s": series_id, "p": post_id }),
            )
            .await;
        assert!(added.get("errors").is_none(), "{added}");
    }
    let progress = |user: &TestUser| {
        let (app, user, slug) = (&app, user.clone(), series_slug.clone());
        async move {
            let body = app.graphql_as(&user, SERIES_PROGRESS, json!({ "slug": slug })).await;
            body["data"]["series"]["viewerProgress"].clone()
        }
    };
    let read = |id: &str| {
        let (app, reader, id) = (&app, reader.clone(), id.to_owned());
        async move {
            let body = app.graphql_as(&reader, MARK_READ, json!({ "id": id, "seconds": 60 })).await;
            body["data"]["markPostRead"]["completedAt"].as_str().expect("marked read").to_owned()
        }
    };

    let start = progress(&reader).await;
    assert_eq!(start["completedCount"], 0, "{start}");
    assert_eq!(start["totalCount"], 3);
    assert_eq!(start["percent"], 0.0);
    assert_eq!(start["nextPost"]["id"], posts[0].0.as_str());
    assert!(start["completedAt"].is_null());

    read(&posts[0].0).await;
    let one = progress(&reader).await;
    assert_eq!(one["completedCount"], 1, "{one}");
    assert_eq!(one["nextPost"]["id"], posts[1].0.as_str());
    let percent = one["percent"].as_f64().unwrap();
    assert!((percent - 100.0 / 3.0).abs() < 1e-9, "{percent}");

    // Reading out of order: the next post is still the first one not finished.
    read(&posts[2].0).await;
    let two = progress(&reader).await;
    assert_eq!(two["completedCount"], 2, "{two}");
    assert_eq!(two["nextPost"]["id"], posts[1].0.as_str());
    assert!(two["completedAt"].is_null(), "not finished yet: {two}");

    let last = read(&posts[1].0).await;
    let done = progress(&reader).await;
    assert_eq!(done["completedCount"], 3, "{done}");
    assert_eq!(done["totalCount"], 3);
    assert_eq!(done["percent"], 100.0);
    assert!(done["nextPost"].is_null(), "{done}");
    assert_eq!(done["completedAt"], last.as_str(), "finished when the last post was");

    let others = progress(&author).await;
    assert_eq!(others["completedCount"], 0, "progress is per reader: {others}");
    let anonymous = app.graphql(SERIES_PROGRESS, json!({ "slug": series_slug })).await;
    assert!(anonymous["data"]["series"]["viewerProgress"].is_null(), "{anonymous}");
    assert!(anonymous.get("errors").is_none(), "{anonymous}");

    // Every series on a page gets its progress, an empty one too.
    app.graphql_as(&author, "mutation { createSeries(input: { title: \"Empty\" }) { id } }", json!({})).await;
    let list = app
        .graphql_as(
            &reader,
            "{ seriesList { edges { node { title viewerProgress { completedCount totalCount percent } } } } }",
            json!({}),
        )
        .await;
    let nodes: Vec<(String, Value)> = list["data"]["seriesList"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{list}"))
        .iter()
        .map(|e| (e["node"]["title"].as_str().unwrap().to_owned(), e["node"]["viewerProgress"].clone()))
        .collect();
    assert_eq!(nodes.len(), 2, "{list}");
    assert_eq!(nodes[0].0, "Empty");
    assert_eq!(nodes[0].1, json!({ "completedCount": 0, "totalCount": 0, "percent": 0.0 }));
    assert_eq!(nodes[1].1, json!({ "completedCount": 3, "totalCount": 3, "percent": 100.0 }));

    // Through the post too, the same way.
    let through_post = app
        .graphql_as(
            &reader,
            "query($slug: String!) { post(slug: $slug) { series { viewerProgress { completedCount } } } }",
            json!({ "slug": posts[0].1 }),
        )
        .await;
    assert_eq!(through_post["data"]["post"]["series"]["viewerProgress"]["completedCount"], 3, "{through_post}");
}

#[tokio::test]
async fn reactions_are_idempotent_and_counted_across_readers() {
    let app = TestApp::spawn().await;
    let (author, first, posts) = author_reader_and_posts(&app, &["Reactive"]).await;
    let second = app.user_with_role("READER").await;
    let (id, slug) = posts[0].clone();

    for (user, kind) in
        [(&first, "LIKE"), (&first, "LIKE"), (&first, "INSIGHTFUL"), (&second, "CELEBRATE"), (&second, "LIKE")]
    {
        let body = app.graphql_as(user, REACT, json!({ "id": id, "kind": kind })).await;
        assert_eq!(body["data"]["react"]["id"], id.as_str(), "{body}");
    }
    let seen = app.graphql_as(&first, REACTIONS, json!({ "slug": slug })).await;
    assert_eq!(
        seen["data"]["post"]["reactions"],
        json!([{ "kind": "LIKE", "count": 2 }, { "kind": "INSIGHTFUL", "count": 1 }, { "kind": "CELEBRATE", "count": 1 }]),
        "every kind used, in kind order: {seen}"
    );
    assert_eq!(seen["data"]["post"]["viewerReactions"], json!(["LIKE", "INSIGHTFUL"]));
    let theirs = app.graphql_as(&second, REACTIONS, json!({ "slug": slug })).await;
    assert_eq!(theirs["data"]["post"]["viewerReactions"], json!(["LIKE", "CELEBRATE"]), "{theirs}");
    let anonymous = app.graphql(REACTIONS, json!({ "slug": slug })).await;
    assert_eq!(anonymous["data"]["post"]["viewerReactions"], json!([]), "{anonymous}");
    assert_eq!(anonymous["data"]["post"]["reactions"][0]["count"], 2);
    let authors = app.graphql_as(&author, REACTIONS, json!({ "slug": slug })).await;
    assert_eq!(authors["data"]["post"]["viewerReactions"], json!([]), "{authors}");

    for _ in 0..2 {
        let body = app.graphql_as(&first, UNREACT, json!({ "id": id, "kind": "LIKE" })).await;
        assert!(body.get("errors").is_none(), "{body}");
    }
    app.graphql_as(&second, UNREACT, json!({ "id": id, "kind": "CELEBRATE" })).await;
    app.graphql_as(&second, UNREACT, json!({ "id": id, "kind": "CONFUSED" })).await;
    let after = app.graphql_as(&first, REACTIONS, json!({ "slug": slug })).await;
    assert_eq!(
        after["data"]["post"]["reactions"],
        json!([{ "kind": "LIKE", "count": 1 }, { "kind": "INSIGHTFUL", "count": 1 }]),
        "{after}"
    );
    assert_eq!(after["data"]["post"]["viewerReactions"], json!(["INSIGHTFUL"]));
}

#[tokio::test]
async fn reactions_reject_bad_requests_with_the_code() {
    let app = TestApp::spawn().await;
    let (author, reader, posts) = author_reader_and_posts(&app, &["Open"]).await;
    let draft = draft(&app, &author, "Closed").await;
    let id = &posts[0].0;
    let unknown = uuid::Uuid::now_v7().to_string();

    for query in [REACT, UNREACT] {
        assert_error(&app, None, query, json!({ "id": id, "kind": "LIKE" }), "UNAUTHENTICATED", None).await;
        assert_error(&app, Some(&reader), query, json!({ "id": unknown, "kind": "LIKE" }), "NOT_FOUND", None).await;
        assert_error(&app, Some(&reader), query, json!({ "id": draft, "kind": "LIKE" }), "NOT_FOUND", None).await;
        let malformed = json!({ "id": "nope", "kind": "LIKE" });
        assert_error(&app, Some(&reader), query, malformed, "BAD_USER_INPUT", Some("postId")).await;
        let body = app.graphql_as(&reader, query, json!({ "id": id, "kind": "LOVE" })).await;
        assert!(body["errors"].is_array() && body.get("data").is_none_or(Value::is_null), "unknown kind: {body}");
    }
    let untouched = app.graphql(REACTIONS, json!({ "slug": posts[0].1 })).await;
    assert_eq!(untouched["data"]["post"]["reactions"], json!([]), "{untouched}");
}

#[tokio::test]
async fn views_count_each_viewer_once_a_day() {
    let app = TestApp::spawn().await;
    let (author, reader, posts) = author_reader_and_posts(&app, &["Popular"]).await;
    let (id, slug) = posts[0].clone();
    let other = app.user_with_role("READER").await;

    let view = |user: Option<&TestUser>| {
        let (app, user, id) = (&app, user.cloned(), id.clone());
        async move {
            let body = match &user {
                Some(user) => app.graphql_as(user, RECORD_VIEW, json!({ "id": id })).await,
                None => app.graphql(RECORD_VIEW, json!({ "id": id })).await,
            };
            body["data"]["recordPostView"].as_bool().unwrap_or_else(|| panic!("{body}"))
        }
    };
    assert!(view(Some(&reader)).await, "the first view of the day counts");
    assert!(!view(Some(&reader)).await, "the same reader again that day does not");
    assert!(view(Some(&other)).await);
    assert!(view(None).await, "an anonymous viewer counts once");
    assert!(!view(None).await, "the same anonymous viewer (same address) does not count twice");

    let count = app.graphql(VIEW_COUNT, json!({ "slug": slug })).await;
    assert_eq!(count["data"]["post"]["viewCount"], 3, "{count}");
    let none = app.published_post(&author, "Unseen").await;
    let zero = app.graphql(VIEW_COUNT, json!({ "slug": none.1 })).await;
    assert_eq!(zero["data"]["post"]["viewCount"], 0, "{zero}");

    let draft = draft(&app, &author, "Hidden").await;
    let unknown = uuid::Uuid::now_v7().to_string();
    assert_error(&app, Some(&reader), RECORD_VIEW, json!({ "id": draft }), "NOT_FOUND", None).await;
    assert_error(&app, None, RECORD_VIEW, json!({ "id": draft }), "NOT_FOUND", None).await;
    assert_error(&app, None, RECORD_VIEW, json!({ "id": unknown }), "NOT_FOUND", None).await;
    assert_error(&app, Some(&reader), RECORD_VIEW, json!({ "id": "x" }), "BAD_USER_INPUT", Some("postId")).await;
    let own = app.graphql_as(&author, RECORD_VIEW, json!({ "id": draft })).await;
    assert_eq!(own["data"]["recordPostView"], true, "authors may view their drafts: {own}");
}

#[tokio::test]
async fn anonymous_viewers_at_different_addresses_count_separately() {
    // Behind a trusted proxy the client address comes from X-Forwarded-For.
    let app = TestApp::spawn_with(&[("TRUST_PROXY_HEADERS", "true")]).await;
    let (_, _, posts) = author_reader_and_posts(&app, &["Shared link"]).await;
    let (id, slug) = posts[0].clone();
    let view_from = |ip: &'static str| {
        let (app, id) = (&app, id.clone());
        async move {
            let body: Value = app
                .client
                .post(app.url("/graphql"))
                .header("X-Forwarded-For", ip)
                .json(&json!({ "query": RECORD_VIEW, "variables": { "id": id } }))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            body["data"]["recordPostView"].as_bool().unwrap_or_else(|| panic!("{body}"))
        }
    };
    assert!(view_from("203.0.113.7").await);
    assert!(view_from("198.51.100.23").await);
    assert!(!view_from("203.0.113.7").await);
    let count = app.graphql(VIEW_COUNT, json!({ "slug": slug })).await;
    assert_eq!(count["data"]["post"]["viewCount"], 2, "{count}");
}

#[tokio::test]
async fn no_raw_address_or_user_id_reaches_the_post_views_table() {
    use sea_orm::EntityTrait;

    let app = TestApp::spawn().await;
    let (_, reader, posts) = author_reader_and_posts(&app, &["Private"]).await;
    let id = &posts[0].0;
    app.graphql(RECORD_VIEW, json!({ "id": id })).await;
    app.graphql_as(&reader, RECORD_VIEW, json!({ "id": id })).await;

    let rows = entity::post_view::Entity::find().all(&app.state.db).await.expect("read post_views");
    assert_eq!(rows.len(), 2, "{rows:?}");
    for row in &rows {
        assert_eq!(row.viewer_key.len(), 64, "{row:?}");
        assert!(row.viewer_key.chars().all(|c| c.is_ascii_hexdigit()), "{row:?}");
        assert!(!row.viewer_key.contains("127.0.0.1"), "{row:?}");
        assert!(!row.viewer_key.contains(&reader.id), "{row:?}");
    }
    assert_ne!(rows[0].viewer_key, rows[1].viewer_key);
}

#[tokio::test]
async fn a_page_of_posts_carries_every_engagement_field() {
    let app = TestApp::spawn().await;
    let (_, reader, posts) = author_reader_and_posts(&app, &["One", "Two", "Three"]).await;
    app.graphql_as(&reader, BOOKMARK, json!({ "id": posts[1].0 })).await;
    app.graphql_as(&reader, MARK_READ, json!({ "id": posts[1].0, "seconds": 42 })).await;
    app.graphql_as(&reader, REACT, json!({ "id": posts[1].0, "kind": "CONFUSED" })).await;
    app.graphql_as(&reader, RECORD_VIEW, json!({ "id": posts[1].0 })).await;

    let page = "{ posts(first: 100, orderBy: TITLE) { edges { node { title viewerHasBookmarked
        viewerProgress { secondsSpent post { title } } reactions { kind count } viewerReactions viewCount } } } }";
    let body = app.graphql_as(&reader, page, json!({})).await;
    let nodes: Vec<Value> = body["data"]["posts"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    assert_eq!(nodes.len(), 3);
    // By title: One, Three, Two.
    assert_eq!(
        nodes[2],
        json!({
            "title": "Two",
            "viewerHasBookmarked": true,
            "viewerProgress": { "secondsSpent": 42, "post": { "title": "Two" } },
            "reactions": [{ "kind": "CONFUSED", "count": 1 }],
            "viewerReactions": ["CONFUSED"],
            "viewCount": 1
        })
    );
    for quiet in [&nodes[0], &nodes[1]] {
        assert_eq!(quiet["viewerHasBookmarked"], false);
        assert!(quiet["viewerProgress"].is_null());
        assert_eq!(quiet["reactions"], json!([]));
        assert_eq!(quiet["viewCount"], 0);
    }

    let anonymous = app.graphql(page, json!({})).await;
    assert!(anonymous.get("errors").is_none(), "{anonymous}");
    let two = &anonymous["data"]["posts"]["edges"][2]["node"];
    assert_eq!(two["viewerHasBookmarked"], false);
    assert!(two["viewerProgress"].is_null());
    assert_eq!(two["viewerReactions"], json!([]));
    assert_eq!(two["reactions"], json!([{ "kind": "CONFUSED", "count": 1 }]));
    assert_eq!(two["viewCount"], 1);
}
