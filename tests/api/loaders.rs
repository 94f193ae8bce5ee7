//! A page of posts with every per-post field costs the same small number of
//! SQL statements whether it holds 20 posts or 100: DataLoaders batch each
//! kind of lookup into one query, and comment trees are assembled in memory.

use std::sync::atomic::Ordering;

use serde_json::json;

use crate::harness::{TestApp, TestUser};

/// The home-feed / post-page shape with every per-parent field, comment trees included.
const PAGE: &str = r#"query($first: Int!) {
  posts(first: $first) {
    totalCount
    edges { node {
      id slug title excerpt bodyHtml readingMinutes difficulty publishedAt isPremium isLocked requiredPlan
      author { id displayName }
      tags { slug }
      series { title postCount viewerProgress { completedCount totalCount percent nextPost { slug } } }
      viewerHasBookmarked viewerProgress { secondsSpent completedAt } reactions { kind count } viewerReactions viewCount
      viewerReviewCard { id state due }
      seriesPosition previousInSeries { slug } nextInSeries { slug }
      commentCount
      comments { id body author { displayName } replies { id body author { displayName } replies { id body author { displayName } replies { id } } } }
    } }
  }
}"#;

async fn seed(app: &TestApp, author: &TestUser, reader: &TestUser, posts: usize) {
    use lectern::domains::{
        bookmarks::service as bookmarks, comments::service as comments, posts::service as post_service,
        progress::service as progress, reactions::service as reactions, reviews::service as reviews,
        series::service as series, tags::service as tags, views::service as views,
    };
    let db = &app.state.db;
    let author_viewer = app.viewer_of(author).await;
    let reader_viewer = app.viewer_of(reader).await;
    for name in ["Rust", "Databases", "Testing"] {
        tags::create(&app.state, name).await.unwrap();
    }
    let mut series_ids = Vec::new();
    for i in 0..5 {
        let input = series::SeriesInput { title: Some(format!("Series {i}")), ..Default::default() };
        series_ids.push(series::create(&app.state, &author_viewer, input).await.unwrap().id);
    }
    for i in 0..posts {
        let input = post_service::PostInput {
            title: Some(format!("Post number {i}")),
            body: Some(format!("# Post {i}\n\nSome words about topic {i}.")),
            is_premium: Some(i % 7 == 0),
            tag_slugs: Some(vec!["rust".into(), if i % 2 == 0 { "databases".into() } else { "testing".into() }]),
            ..Default::default()
        };
        let post = post_service::create(&app.state, &author_viewer, input).await.unwrap();
        post_service::publish(&app.state, &author_viewer, post.id).await.unwrap();
        if i % 3 == 0 {
            series::add_post(&app.state, &author_viewer, series_ids[i % 5], post.id, None).await.unwrap();
        }
        // A thread three levels deep, by two people, on every post.
        let root = comments::add(&app.state, &reader_viewer, post.id, None, "First!").await.unwrap();
        let reply = comments::add(&app.state, &author_viewer, post.id, Some(root.id), "Thanks").await.unwrap();
        comments::add(&app.state, &reader_viewer, post.id, Some(reply.id), "You are welcome").await.unwrap();
        comments::add(&app.state, &author_viewer, post.id, None, "Errata: none yet").await.unwrap();
        // The reader's own traces on some posts, and everyone's reactions and views.
        if i % 2 == 0 {
            bookmarks::bookmark(db, &reader_viewer, post.id).await.unwrap();
            progress::mark_post_read(&app.state, &reader_viewer, post.id, 120).await.unwrap();
        }
        if i % 2 == 1 && i % 7 != 0 {
            reviews::add(&app.state, &reader_viewer, reviews::AddTarget::Post(post.id)).await.unwrap();
        }
        reactions::react(&app.state, &reader_viewer, post.id, entity::reaction::Kind::Like).await.unwrap();
        reactions::react(&app.state, &author_viewer, post.id, entity::reaction::Kind::Insightful).await.unwrap();
        let secret = &app.state.config.jwt_secret;
        views::record_view(db, secret, &reader_viewer, [127, 0, 0, 1].into(), post.id).await.unwrap();
    }
}

/// A server whose statement count is a request's alone: no worker (its polling
/// would add statements), no response cache or feed-count memo, comments unlimited.
async fn counting_app() -> TestApp {
    TestApp::spawn_with(&[
        ("IN_PROCESS_WORKER", "false"),
        ("RESPONSE_CACHE_TTL_SECS", "0"),
        ("COMMENT_BURST", "100000"),
    ])
    .await
}

async fn statements_for(app: &TestApp, viewer: &TestUser, first: usize) -> u64 {
    let before = app.state.sql_statements.load(Ordering::SeqCst);
    let body = app.graphql_as(viewer, PAGE, json!({ "first": first })).await;
    let after = app.state.sql_statements.load(Ordering::SeqCst);
    let edges = body["data"]["posts"]["edges"].as_array().unwrap_or_else(|| panic!("{body}"));
    assert_eq!(edges.len(), first, "{body}");
    let node = &edges[0]["node"];
    assert_eq!(node["comments"][0]["replies"][0]["replies"][0]["body"], "You are welcome", "trees are whole: {node}");
    assert_eq!(node["commentCount"], 4);
    assert_eq!(node["tags"].as_array().unwrap().len(), 2);
    assert_eq!(node["reactions"].as_array().unwrap().len(), 2, "{node}");
    assert_eq!(node["viewCount"], 1);
    let cards = edges.iter().filter(|e| e["node"]["viewerReviewCard"]["state"] == "NEW").count();
    assert!(cards > 0, "the reader's review cards show: {body}");
    after - before
}

#[tokio::test]
async fn a_page_of_20_and_a_page_of_100_cost_the_same_statements() {
    // No worker (its polling would add statements to the count), no response
    // cache or feed-count memo (the statements counted are the ones a request needs).
    let app = TestApp::spawn_with(&[
        ("IN_PROCESS_WORKER", "false"),
        ("RESPONSE_CACHE_TTL_SECS", "0"),
        ("COMMENT_BURST", "100000"),
        // A page of 100 whole posts with their comment trees is far above the default limit.
        ("GRAPHQL_MAX_COMPLEXITY", "100000"),
    ])
    .await;
    let author = app.user_with_role("AUTHOR").await;
    let reader = app.register_verified("reader@example.com").await;
    seed(&app, &author, &reader, 100).await;

    let twenty = statements_for(&app, &reader, 20).await;
    let hundred = statements_for(&app, &reader, 100).await;
    println!("SQL statements per page: 20 posts -> {twenty}, 100 posts -> {hundred}");
    assert_eq!(twenty, hundred, "per-post fields are batched, not run per post");
    // One statement per kind of lookup (about 18 kinds here), never one per post.
    assert!(twenty <= 20, "a page costs a small, fixed number of statements (got {twenty})");
}

/// The benchmark's home feed (`bench/content.sh`): every field a feed card shows.
const HOME_FEED: &str = "query HomeFeed { posts(first: 20) { totalCount edges { cursor node { id slug title excerpt \
    readingMinutes difficulty publishedAt isPremium isLocked author { displayName } tags { slug } series { title } \
    commentCount reactions { kind count } viewerReactions viewerHasBookmarked viewerProgress { completedAt } } } \
    pageInfo { hasNextPage endCursor } } }";

#[tokio::test]
async fn the_home_feed_costs_five_statements_anonymous_and_seven_signed_in() {
    let app = counting_app().await;
    let author = app.user_with_role("AUTHOR").await;
    let reader = app.register_verified("reader@example.com").await;
    seed(&app, &author, &reader, 30).await;
    let statements = |token: Option<String>| {
        let app = &app;
        async move {
            let before = app.state.sql_statements.load(Ordering::SeqCst);
            let body = app.graphql_with(token.as_deref(), HOME_FEED, json!({})).await;
            assert!(body["errors"].is_null(), "{body}");
            (body, app.state.sql_statements.load(Ordering::SeqCst) - before)
        }
    };
    // The page with the posts' counters, and its total; then one wave: authors, tags, series.
    let (anonymous, anonymous_statements) = statements(None).await;
    assert_eq!(anonymous_statements, 5, "{anonymous}");
    // Signed in, the same wave also reads the viewer's marks (reactions, bookmark,
    // progress: one statement) and their plan (premium posts are on the page).
    let (signed_in, signed_in_statements) = statements(Some(reader.access_token.clone())).await;
    assert_eq!(signed_in_statements, 7, "{signed_in}");

    let nodes = |body: &serde_json::Value| body["data"]["posts"]["edges"].as_array().unwrap().clone();
    let (anonymous, signed_in) = (nodes(&anonymous), nodes(&signed_in));
    assert_eq!(signed_in.len(), 20);
    for (a, s) in anonymous.iter().zip(&signed_in) {
        let (a, s) = (&a["node"], &s["node"]);
        assert_eq!(a["id"], s["id"]);
        assert_eq!((&a["commentCount"], &a["reactions"]), (&s["commentCount"], &s["reactions"]));
        assert_eq!(a["commentCount"], 4, "{a}");
        assert_eq!(a["reactions"], json!([{ "kind": "LIKE", "count": 1 }, { "kind": "INSIGHTFUL", "count": 1 }]));
        assert_eq!(
            (&a["viewerReactions"], &a["viewerHasBookmarked"], &a["viewerProgress"]),
            (&json!([]), &json!(false), &json!(null))
        );
        // The reader liked every post, and bookmarked and finished the even ones (`seed`).
        assert_eq!(s["viewerReactions"], json!(["LIKE"]), "{s}");
        let number: usize = s["title"].as_str().unwrap().trim_start_matches("Post number ").parse().unwrap();
        // Every third post is in series `number % 5` (`seed`).
        let series =
            if number.is_multiple_of(3) { json!({ "title": format!("Series {}", number % 5) }) } else { json!(null) };
        assert_eq!((&a["series"], &s["series"]), (&series, &series), "{s}");
        assert_eq!((&a["author"], &s["author"]), (&json!({ "displayName": "Test Reader" }), &a["author"]), "{s}");
        assert_eq!(s["viewerHasBookmarked"], number.is_multiple_of(2), "{s}");
        assert_eq!(s["viewerProgress"]["completedAt"].is_string(), number.is_multiple_of(2), "{s}");
        // Premium posts are locked for a reader without a plan, and only those.
        assert_eq!(s["isLocked"], s["isPremium"], "{s}");
    }
}

/// The benchmark's post page (`bench/content.sh`), signed in.
const POST_PAGE: &str = "query PostPage($slug: String!) { post(slug: $slug) { title bodyHtml isLocked requiredPlan \
    readingMinutes author { displayName } tags { slug } series { title postCount viewerProgress { completedCount \
    totalCount percent } } previousInSeries { slug title } nextInSeries { slug title } commentCount \
    reactions { kind count } viewerReactions viewerHasBookmarked viewerProgress { completedAt } \
    comments { id body createdAt author { displayName } replies { id body createdAt author { displayName } \
    replies { id body createdAt author { displayName } replies { id body createdAt author { displayName } } } } } } }";

#[tokio::test]
async fn a_post_page_costs_five_statements() {
    let app = counting_app().await;
    let author = app.user_with_role("AUTHOR").await;
    let reader = app.register_verified("reader@example.com").await;
    // Series 0 holds posts 0, 15 and 30, in that order; the reader finished
    // (and bookmarked) post 0 and 30, and liked every post.
    seed(&app, &author, &reader, 31).await;
    let list = app.graphql("{ posts(first: 100) { edges { node { slug title } } } }", json!({})).await;
    let slug_of = |title: &str| {
        list["data"]["posts"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["node"]["title"] == title)
            .map(|e| e["node"]["slug"].as_str().unwrap().to_owned())
            .unwrap_or_else(|| panic!("{list}"))
    };
    let before = app.state.sql_statements.load(Ordering::SeqCst);
    let body = app.graphql_as(&reader, POST_PAGE, json!({ "slug": slug_of("Post number 15") })).await;
    let statements = app.state.sql_statements.load(Ordering::SeqCst) - before;
    assert!(body["errors"].is_null(), "{body}");
    let post = &body["data"]["post"];
    assert_eq!(post["series"]["postCount"], 3, "{post}");
    assert_eq!(post["series"]["viewerProgress"]["completedCount"], 2, "{post}");
    assert_eq!(post["series"]["viewerProgress"]["totalCount"], 3, "{post}");
    assert_eq!(
        (&post["previousInSeries"]["title"], &post["nextInSeries"]["title"]),
        (&json!("Post number 0"), &json!("Post number 30"))
    );
    assert_eq!(post["comments"][0]["replies"][0]["replies"][0]["body"], "You are welcome", "{post}");
    assert_eq!(post["commentCount"], 4, "{post}");
    assert_eq!(post["reactions"], json!([{ "kind": "LIKE", "count": 1 }, { "kind": "INSIGHTFUL", "count": 1 }]));
    // The viewer's marks on this post, read with those on the series' posts.
    assert_eq!(
        (&post["viewerReactions"], &post["viewerHasBookmarked"], &post["viewerProgress"]),
        (&json!(["LIKE"]), &json!(false), &json!(null)),
        "{post}"
    );
    // The authors, read with the post and with the comments: the reader wrote
    // the first comment and the reply to the reply, the post's author the rest.
    let reader_id = app.viewer_of(&reader).await.id().unwrap().to_string();
    let author_id = app.viewer_of(&author).await.id().unwrap().to_string();
    let authors = app
        .graphql_as(
            &reader,
            "query($slug: String!) { post(slug: $slug) { author { id } comments { author { id } \
             replies { author { id } replies { author { id } } } } } }",
            json!({ "slug": slug_of("Post number 15") }),
        )
        .await;
    let comments = &authors["data"]["post"]["comments"];
    assert_eq!(
        [
            &authors["data"]["post"]["author"]["id"],
            &comments[0]["author"]["id"],
            &comments[0]["replies"][0]["author"]["id"],
            &comments[0]["replies"][0]["replies"][0]["author"]["id"],
            &comments[1]["author"]["id"],
        ],
        [&author_id, &reader_id, &author_id, &reader_id, &author_id].map(|id| json!(id)).each_ref(),
        "{authors}"
    );
    // The post with its counters, author and series; then its tags, the
    // series' posts (shared with previous/next) and the comments with their
    // authors; then the viewer's marks on the post and the series' posts at once.
    assert_eq!(statements, 5, "{body}");

    // The last post of the series, which the reader bookmarked and finished.
    let body = app.graphql_as(&reader, POST_PAGE, json!({ "slug": slug_of("Post number 30") })).await;
    let post = &body["data"]["post"];
    assert_eq!(post["viewerHasBookmarked"], true, "{body}");
    assert!(post["viewerProgress"]["completedAt"].is_string(), "{body}");
    assert_eq!((&post["previousInSeries"]["title"], &post["nextInSeries"]), (&json!("Post number 15"), &json!(null)));
    // A post in no series: nothing waits for a series.
    let before = app.state.sql_statements.load(Ordering::SeqCst);
    let body = app.graphql_as(&reader, POST_PAGE, json!({ "slug": slug_of("Post number 2") })).await;
    let statements = app.state.sql_statements.load(Ordering::SeqCst) - before;
    let post = &body["data"]["post"];
    assert_eq!((&post["series"], &post["viewerHasBookmarked"]), (&json!(null), &json!(true)), "{body}");
    assert_eq!(statements, 4, "the post, its tags, its comments and the viewer's marks: {body}");

    // Authors read by a join come without their password hashes, as every user lookup.
    use lectern::domains::{comments::service as comments_service, posts::service as posts_service};
    let viewer = app.viewer_of(&reader).await;
    let (page_post, _, page_author, page_series) =
        posts_service::find_post_page(&app.state.db, &viewer, &slug_of("Post number 15")).await.unwrap().unwrap();
    let page_author = page_author.expect("the post's author");
    assert_eq!((page_author.id, page_author.password_hash.as_str()), (page_post.author_id, ""));
    assert_eq!(page_series.map(|s| s.id), page_post.series_id);
    let threads = comments_service::comments_of_posts(&app.state.db, &[page_post.id]).await.unwrap();
    assert_eq!(threads.comments[&page_post.id].len(), 4);
    assert_eq!(threads.authors.len(), 2);
    assert!(threads.authors.values().all(|user| user.password_hash.is_empty() && !user.email.is_empty()));
}

#[tokio::test]
async fn total_count_is_only_counted_when_asked_for() {
    // No worker (its polling would add statements to the count), no response
    // cache or feed-count memo (the statements counted are the ones a request needs).
    let app = TestApp::spawn_with(&[
        ("IN_PROCESS_WORKER", "false"),
        ("RESPONSE_CACHE_TTL_SECS", "0"),
        ("COMMENT_BURST", "100000"),
        // A page of 100 whole posts with their comment trees is far above the default limit.
        ("GRAPHQL_MAX_COMPLEXITY", "100000"),
    ])
    .await;
    let author = app.user_with_role("AUTHOR").await;
    app.published_post(&author, "Counted").await;
    let count = |query: &'static str| {
        let app = &app;
        async move {
            let before = app.state.sql_statements.load(Ordering::SeqCst);
            let body = app.graphql(query, json!({})).await;
            assert!(body["data"]["posts"]["edges"].is_array(), "{body}");
            app.state.sql_statements.load(Ordering::SeqCst) - before
        }
    };
    let without = count("{ posts(first: 5) { edges { node { id } } } }").await;
    let with = count("{ posts(first: 5) { totalCount edges { node { id } } } }").await;
    assert_eq!(without, 1, "one page query");
    assert_eq!(with, 2, "the page and the count");
}

#[tokio::test]
async fn lists_read_bodies_only_when_asked_and_never_for_a_locked_post() {
    // No worker (its polling would add statements to the count), no response
    // cache or feed-count memo (the statements counted are the ones a request needs).
    let app = TestApp::spawn_with(&[("IN_PROCESS_WORKER", "false"), ("RESPONSE_CACHE_TTL_SECS", "0")]).await;
    let author = app.user_with_role("AUTHOR").await;
    let (_, free) = app.published_post(&author, "Free words").await;
    let (premium_id, _) = app.published_post(&author, "Paid words").await;
    let viewer = app.viewer_of(&author).await;
    let input = lectern::domains::posts::service::PostInput { is_premium: Some(true), ..Default::default() };
    let premium_id = uuid::Uuid::parse_str(&premium_id).unwrap();
    lectern::domains::posts::service::update(&app.state, &viewer, premium_id, input).await.unwrap();

    let statements = |query: &'static str, token: Option<String>| {
        let app = &app;
        async move {
            let before = app.state.sql_statements.load(Ordering::SeqCst);
            let body = app.graphql_with(token.as_deref(), query, json!({})).await;
            assert!(body["errors"].is_null(), "{body}");
            (body, app.state.sql_statements.load(Ordering::SeqCst) - before)
        }
    };
    let (_, without) = statements("{ posts(first: 5) { edges { node { id title } } } }", None).await;
    let (page, with) = statements("{ posts(first: 5) { edges { node { slug body bodyHtml isLocked } } } }", None).await;
    assert_eq!(without, 1, "the page query alone");
    assert_eq!(with, 2, "the page, then the bodies of the whole page in one statement");

    let nodes: Vec<&serde_json::Value> =
        page["data"]["posts"]["edges"].as_array().unwrap().iter().map(|e| &e["node"]).collect();
    let listed = nodes.iter().find(|n| n["slug"] == free.as_str()).unwrap();
    let single = app.graphql("query($s: String!) { post(slug: $s) { body bodyHtml } }", json!({ "s": free })).await;
    assert_eq!(listed["body"], "# Free words\n\nA post about Free words.");
    assert_eq!(listed["body"], single["data"]["post"]["body"], "a list shows the same body as the post page");
    assert_eq!(listed["bodyHtml"], single["data"]["post"]["bodyHtml"]);
    assert!(listed["bodyHtml"].as_str().unwrap().contains("<h1"), "{listed}");
    let locked = nodes.iter().find(|n| n["slug"] != free.as_str()).unwrap();
    assert_eq!(locked["isLocked"], true);
    assert!(locked["body"].is_null() && locked["bodyHtml"].is_null(), "{locked}");
    // The author reads their own premium post, body and all, from the list.
    let (own, _) =
        statements("{ posts(first: 5) { edges { node { title body isLocked } } } }", Some(author.access_token.clone()))
            .await;
    let own_premium = own["data"]["posts"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .find(|n| n["title"] == "Paid words")
        .unwrap();
    assert_eq!(own_premium["body"], "# Paid words\n\nA post about Paid words.", "{own_premium}");
}

#[tokio::test]
async fn users_are_batched_without_their_password_hashes() {
    use lectern::domains::accounts::service as accounts;
    use sea_orm::EntityTrait;
    let app = TestApp::spawn().await;
    let reader = app.register_verified("hashless@example.com").await;
    let id = uuid::Uuid::parse_str(&reader.id).unwrap();
    let stored = entity::user::Entity::find_by_id(id).one(&app.state.db).await.unwrap().unwrap();
    assert!(stored.password_hash.starts_with("$argon2"), "the row holds the hash");
    let batched = accounts::users_by_ids(&app.state.db, &[id]).await.unwrap();
    assert_eq!(batched.len(), 1);
    assert_eq!(batched[0].password_hash, "", "what every loader and page holds has no hash");
    assert_eq!((batched[0].email.as_str(), batched[0].role), (stored.email.as_str(), stored.role));
}

#[tokio::test]
async fn the_authors_and_series_read_with_posts_are_each_posts_own() {
    use lectern::domains::series::service as series;
    let app = counting_app().await;
    let (ada, bob) = (app.user_with_role("AUTHOR").await, app.user_with_role("AUTHOR").await);
    let (ada_post, ada_slug) = app.published_post(&ada, "By Ada").await;
    let (bob_post, bob_slug) = app.published_post(&bob, "By Bob").await;
    let bob_viewer = app.viewer_of(&bob).await;
    let input = series::SeriesInput { title: Some("Bob's series".into()), ..Default::default() };
    let bobs_series = series::create(&app.state, &bob_viewer, input).await.unwrap();
    let bob_post_id = uuid::Uuid::parse_str(&bob_post).unwrap();
    series::add_post(&app.state, &bob_viewer, bobs_series.id, bob_post_id, None).await.unwrap();

    let expected = |id: &str| {
        if id == ada_post {
            json!({ "author": { "id": ada.id }, "series": null })
        } else {
            assert_eq!(id, bob_post);
            json!({ "author": { "id": bob.id }, "series": { "title": "Bob's series" } })
        }
    };
    // A page of posts that reads its counters with it, and one that does not.
    for query in [
        "{ posts(first: 10) { edges { node { id author { id } series { title } commentCount } } } }",
        "{ posts(first: 10) { edges { node { id series { title } } } } }",
    ] {
        let body = app.graphql(query, json!({})).await;
        let edges = body["data"]["posts"]["edges"].as_array().unwrap_or_else(|| panic!("{body}"));
        assert_eq!(edges.len(), 2, "{body}");
        for node in edges.iter().map(|e| &e["node"]) {
            let mut want = expected(node["id"].as_str().unwrap());
            if node.get("author").is_none() {
                want.as_object_mut().unwrap().remove("author");
            } else {
                want["commentCount"] = json!(0);
            }
            want["id"] = node["id"].clone();
            assert_eq!(node, &want, "{body}");
        }
    }
    // The post page, for each post.
    for (id, slug) in [(&ada_post, &ada_slug), (&bob_post, &bob_slug)] {
        let body = app
            .graphql(
                "query($slug: String!) { post(slug: $slug) { author { id } series { title } } }",
                json!({ "slug": slug }),
            )
            .await;
        assert_eq!(body["data"]["post"], expected(id), "{body}");
    }
}
