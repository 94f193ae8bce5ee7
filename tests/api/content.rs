//! Posts, series and tags: writing, publishing, reading, and every bad input.

use serde_json::{Value, json};

use crate::harness::{TestApp, TestUser, error_code, error_field};

const CREATE: &str = "mutation($input: CreatePostInput!) { createPost(input: $input) { id slug status excerpt readingMinutes bodyHtml } }";
const PUBLISH: &str = "mutation($id: ID!) { publishPost(id: $id) { status publishedAt } }";
const BY_SLUG: &str = "query($slug: String!) { post(slug: $slug) { id slug title body bodyHtml isLocked requiredPlan author { displayName } tags { slug } } }";

async fn create(app: &TestApp, author: &TestUser, input: Value) -> Value {
    app.graphql_as(author, CREATE, json!({ "input": input })).await
}

async fn create_published(app: &TestApp, author: &TestUser, title: &str, extra: Value) -> (String, String) {
    let mut input = json!({ "title": title, "body": format!("## {title}\n\nBody of {title}.") });
    for (k, v) in extra.as_object().unwrap() {
        input[k] = v.clone();
    }
    let created = create(app, author, input).await;
    let id = created["data"]["createPost"]["id"].as_str().unwrap_or_else(|| panic!("{created}")).to_owned();
    let published = app.graphql_as(author, PUBLISH, json!({ "id": id })).await;
    assert_eq!(published["data"]["publishPost"]["status"], "PUBLISHED", "{published}");
    (id, created["data"]["createPost"]["slug"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn authors_write_publish_and_readers_read() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let reader = app.register("reader@example.com").await;
    let admin = app.user_with_role("ADMIN").await;
    app.graphql_as(
        &admin,
        "mutation { a: createTag(name: \"Rust\") { slug } b: createTag(name: \"Async I/O\") { slug } }",
        json!({}),
    )
    .await;

    let body = "# Ownership\n\nRust's *ownership* keeps memory safe.\n\n<script>alert('x')</script>\n\n<a href=\"https://ok.example\" onmouseover=\"steal()\">link</a>";
    let created =
        create(&app, &author, json!({ "title": "Ownership in Rust", "body": body, "tagSlugs": ["rust", "async-i-o"] }))
            .await;
    let post = &created["data"]["createPost"];
    assert_eq!(post["slug"], "ownership-in-rust", "{created}");
    assert_eq!(post["status"], "DRAFT");
    assert_eq!(post["readingMinutes"], 1);
    let html = post["bodyHtml"].as_str().unwrap();
    assert!(html.contains("<em>ownership</em>"));
    assert!(!html.contains("<script") && !html.contains("onmouseover"), "{html}");
    let id = post["id"].as_str().unwrap().to_owned();

    // A draft is invisible to readers and to anonymous visitors, visible to its author.
    let slug = json!({ "slug": "ownership-in-rust" });
    for hidden in [app.graphql_as(&reader, BY_SLUG, slug.clone()).await, app.graphql(BY_SLUG, slug.clone()).await] {
        assert!(hidden["data"]["post"].is_null());
        assert_eq!(error_code(&hidden), "NOT_FOUND");
    }
    assert_eq!(error_code(&app.graphql(BY_SLUG, json!({ "slug": "no-such-post" })).await), "NOT_FOUND");
    assert_eq!(app.graphql_as(&author, BY_SLUG, slug.clone()).await["data"]["post"]["id"], id.as_str());
    let feed = app.graphql("{ posts { totalCount } }", json!({})).await;
    assert_eq!(feed["data"]["posts"]["totalCount"], 0);

    app.graphql_as(&author, PUBLISH, json!({ "id": id })).await;
    let read = app.graphql(BY_SLUG, slug).await;
    let post = &read["data"]["post"];
    assert_eq!(post["author"]["displayName"], "Test Reader");
    assert_eq!(post["tags"], json!([{ "slug": "async-i-o" }, { "slug": "rust" }]));
    assert_eq!(post["isLocked"], false);
    assert!(post["requiredPlan"].is_null());

    // Unpublishing hides it again.
    app.graphql_as(&author, "mutation($id: ID!) { unpublishPost(id: $id) { status } }", json!({ "id": id })).await;
    assert!(app.graphql(BY_SLUG, json!({ "slug": "ownership-in-rust" })).await["data"]["post"].is_null());
}

#[tokio::test]
async fn a_new_slug_keeps_the_old_one_as_a_redirect() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let (id, _) = create_published(&app, &author, "First Name", json!({})).await;
    let updated = app
        .graphql_as(
            &author,
            "mutation($id: ID!, $input: UpdatePostInput!) { updatePost(id: $id, input: $input) { slug title } }",
            json!({ "id": id, "input": { "slug": "second-name", "title": "Second Name" } }),
        )
        .await;
    assert_eq!(updated["data"]["updatePost"]["slug"], "second-name", "{updated}");
    let old = app.graphql(BY_SLUG, json!({ "slug": "first-name" })).await;
    assert_eq!(old["data"]["post"]["slug"], "second-name", "the old slug resolves to the current post");

    // A new post may take over the old slug; the redirect gives way.
    let (_, taken) = create_published(&app, &author, "First Name", json!({})).await;
    assert_eq!(taken, "first-name");
    let now = app.graphql(BY_SLUG, json!({ "slug": "first-name" })).await;
    assert_eq!(now["data"]["post"]["title"], "First Name");
}

#[tokio::test]
async fn bad_post_input_is_refused_with_the_field() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let reader = app.register("reader@example.com").await;
    create_published(&app, &author, "Taken", json!({})).await;

    let duplicate = create(&app, &author, json!({ "title": "Taken", "body": "x" })).await;
    assert_eq!(error_code(&duplicate), "CONFLICT");
    assert_eq!(error_field(&duplicate), "slug");

    for (input, field) in [
        (json!({ "title": "", "body": "x" }), "title"),
        (json!({ "title": "   ", "body": "x" }), "title"),
        (json!({ "title": "t".repeat(201), "body": "x" }), "title"),
        (json!({ "title": "Ok", "body": "  " }), "body"),
        (json!({ "title": "Ok", "body": "b".repeat(200_001) }), "body"),
        (json!({ "title": "Ok", "body": "x", "slug": "Not A Slug" }), "slug"),
        (json!({ "title": "Ok", "body": "x", "slug": "double--dash" }), "slug"),
        (json!({ "title": "Ok", "body": "x", "excerpt": "e".repeat(501) }), "excerpt"),
        (json!({ "title": "Ok", "body": "x", "coverImageUrl": "javascript:alert(1)" }), "coverImageUrl"),
        (json!({ "title": "Ok", "body": "x", "tagSlugs": ["no-such-tag"] }), "tagSlugs"),
        (
            json!({ "title": "Ok", "body": "x", "tagSlugs": (0..11).map(|i| format!("t{i}")).collect::<Vec<_>>() }),
            "tagSlugs",
        ),
        (json!({ "title": "!!!", "body": "x" }), "slug"),
    ] {
        let body = create(&app, &author, input.clone()).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{input}: {body}");
        assert_eq!(error_field(&body), field, "{input}: {body}");
    }

    let as_reader = create(&app, &reader, json!({ "title": "Mine", "body": "x" })).await;
    assert_eq!(error_code(&as_reader), "FORBIDDEN");
    let anonymous = app.graphql(CREATE, json!({ "input": { "title": "Mine", "body": "x" } })).await;
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED");

    let past = app
        .graphql_as(
            &author,
            "mutation($id: ID!) { schedulePost(id: $id, at: \"2099-01-01T00:00:00Z\") { id } }",
            json!({ "id": uuid::Uuid::now_v7() }),
        )
        .await;
    assert_eq!(error_code(&past), "NOT_FOUND", "{past}");
    let bad_id = app.graphql_as(&author, PUBLISH, json!({ "id": "nope" })).await;
    assert_eq!(error_field(&bad_id), "id");

    // Nothing was half-written: only the first post exists.
    let all = app.graphql_as(&author, "{ posts(filter: {status: DRAFT}) { totalCount } }", json!({})).await;
    assert_eq!(all["data"]["posts"]["totalCount"], 0, "{all}");
}

#[tokio::test]
async fn writers_preview_markdown_as_it_will_publish() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let admin = app.user_with_role("ADMIN").await;
    let reader = app.register("reader@example.com").await;
    let preview = "query($markdown: String!) { previewMarkdown(markdown: $markdown) }";

    let markdown = "## Title\n\nSome *text*.\n\n<script>alert('x')</script>\n\n<img src=\"https://img.example/a.png\" onerror=\"steal()\">";
    let body = app.graphql_as(&author, preview, json!({ "markdown": markdown })).await;
    let html = body["data"]["previewMarkdown"].as_str().unwrap_or_else(|| panic!("{body}"));
    assert!(html.contains("<h2>") && html.contains("Title</h2>") && html.contains("<em>text</em>"), "{html}");
    assert!(!html.contains("<script") && !html.contains("alert("), "scripts are removed: {html}");
    assert!(html.contains("<img") && !html.contains("onerror") && !html.contains("steal()"), "{html}");

    // The same renderer and sanitiser as a post's bodyHtml, and admins may preview too.
    let draft = create(&app, &author, json!({ "title": "Preview me", "body": markdown })).await;
    assert_eq!(draft["data"]["createPost"]["bodyHtml"], html, "{draft}");
    let by_admin = app.graphql_as(&admin, preview, json!({ "markdown": markdown })).await;
    assert_eq!(by_admin["data"]["previewMarkdown"], html, "{by_admin}");

    let as_reader = app.graphql_as(&reader, preview, json!({ "markdown": "## Title" })).await;
    assert_eq!(error_code(&as_reader), "FORBIDDEN", "{as_reader}");
    assert!(as_reader["data"].is_null(), "{as_reader}");
    let anonymous = app.graphql(preview, json!({ "markdown": "## Title" })).await;
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED", "{anonymous}");

    // The body's size limit: 200,000 bytes.
    let at_limit = app.graphql_as(&author, preview, json!({ "markdown": "b".repeat(200_000) })).await;
    assert!(at_limit["data"]["previewMarkdown"].is_string(), "{}", at_limit["errors"]);
    let too_long = app.graphql_as(&author, preview, json!({ "markdown": "b".repeat(200_001) })).await;
    assert_eq!(error_code(&too_long), "BAD_USER_INPUT", "{}", too_long["errors"]);
    assert_eq!(error_field(&too_long), "markdown");
}

#[tokio::test]
async fn only_the_author_or_an_admin_edits_a_post() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let other = app.user_with_role("AUTHOR").await;
    let admin = app.user_with_role("ADMIN").await;
    let reader = app.register("reader@example.com").await;
    let (id, _) = app.published_post(&author, "Mine").await;
    let edit = "mutation($id: ID!) { updatePost(id: $id, input: { title: \"Changed\" }) { title } }";

    assert_eq!(error_code(&app.graphql_as(&other, edit, json!({ "id": id })).await), "FORBIDDEN");
    assert_eq!(error_code(&app.graphql_as(&reader, edit, json!({ "id": id })).await), "FORBIDDEN");
    assert_eq!(error_code(&app.graphql(edit, json!({ "id": id })).await), "UNAUTHENTICATED");
    for mutation in ["unpublishPost(id: $id) { id }", "deletePost(id: $id)"] {
        let body = app.graphql_as(&other, &format!("mutation($id: ID!) {{ {mutation} }}"), json!({ "id": id })).await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{mutation}");
    }
    let by_admin = app.graphql_as(&admin, edit, json!({ "id": id })).await;
    assert_eq!(by_admin["data"]["updatePost"]["title"], "Changed");

    // Someone else's draft does not even exist for other authors.
    let draft = create(&app, &author, json!({ "title": "Secret draft", "body": "x" })).await;
    let draft_id = draft["data"]["createPost"]["id"].as_str().unwrap();
    assert_eq!(error_code(&app.graphql_as(&other, edit, json!({ "id": draft_id })).await), "NOT_FOUND");

    let deleted = app.graphql_as(&author, "mutation($id: ID!) { deletePost(id: $id) }", json!({ "id": id })).await;
    assert_eq!(deleted["data"]["deletePost"], true);
    assert_eq!(error_code(&app.graphql_as(&author, edit, json!({ "id": id })).await), "NOT_FOUND");
}

#[tokio::test]
async fn scheduled_posts_appear_when_due() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let created = create(&app, &author, json!({ "title": "Later", "body": "x" })).await;
    let id = created["data"]["createPost"]["id"].as_str().unwrap().to_owned();
    let at = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    let scheduled = app
        .graphql_as(
            &author,
            "mutation($id: ID!, $at: DateTime!) { schedulePost(id: $id, at: $at) { status publishedAt } }",
            json!({ "id": id, "at": at }),
        )
        .await;
    assert_eq!(scheduled["data"]["schedulePost"]["status"], "SCHEDULED", "{scheduled}");
    assert!(app.graphql(BY_SLUG, json!({ "slug": "later" })).await["data"]["post"].is_null());
    let mine =
        app.graphql_as(&author, "{ posts(filter: {status: SCHEDULED}) { edges { node { slug } } } }", json!({})).await;
    assert_eq!(mine["data"]["posts"]["edges"][0]["node"]["slug"], "later");

    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_eq!(
        app.graphql(BY_SLUG, json!({ "slug": "later" })).await["data"]["post"]["slug"],
        "later",
        "visible once due"
    );
    let published = lectern::domains::posts::service::publish_due(&app.state).await.unwrap();
    assert_eq!(published.len(), 1, "the job flips it to PUBLISHED");

    let past = app
        .graphql_as(
            &author,
            "mutation($id: ID!) { schedulePost(id: $id, at: \"2020-01-01T00:00:00Z\") { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_field(&past), "at");
}

#[tokio::test]
async fn premium_bodies_are_withheld_until_entitled() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let admin = app.user_with_role("ADMIN").await;
    let reader = app.register("reader@example.com").await;
    let (_, slug) =
        create_published(&app, &author, "Deep Dive", json!({ "isPremium": true, "excerpt": "A teaser." })).await;
    let vars = json!({ "slug": slug });

    for viewer in [None, Some(&reader)] {
        let body = match viewer {
            Some(user) => app.graphql_as(user, BY_SLUG, vars.clone()).await,
            None => app.graphql(BY_SLUG, vars.clone()).await,
        };
        let post = &body["data"]["post"];
        assert_eq!(post["isLocked"], true, "{body}");
        assert!(post["body"].is_null() && post["bodyHtml"].is_null());
        assert_eq!(post["requiredPlan"], "PREMIUM");
    }
    let own = app.graphql_as(&author, BY_SLUG, vars.clone()).await;
    assert_eq!(own["data"]["post"]["isLocked"], false);

    let grant = "mutation($id: ID!, $g: Boolean!) { setPremiumAccess(userId: $id, granted: $g) { hasPremiumAccess } }";
    assert_eq!(error_code(&app.graphql_as(&reader, grant, json!({ "id": reader.id, "g": true })).await), "FORBIDDEN");
    let granted = app.graphql_as(&admin, grant, json!({ "id": reader.id, "g": true })).await;
    assert_eq!(granted["data"]["setPremiumAccess"]["hasPremiumAccess"], true);
    let unlocked = app.graphql_as(&reader, BY_SLUG, vars).await;
    assert_eq!(unlocked["data"]["post"]["isLocked"], false);
    assert!(unlocked["data"]["post"]["body"].as_str().unwrap().contains("Deep Dive"));
}

#[tokio::test]
async fn admins_have_premium_access_whether_they_ask_or_another_admin_does() {
    let app = TestApp::spawn().await;
    let admin = app.user_with_role("ADMIN").await;
    let other_admin = app.user_with_role("ADMIN").await;
    let reader = app.register_verified("plain@example.com").await;
    // Their own: the role their token carries.
    let own = app.graphql_as(&admin, "{ me { hasPremiumAccess } }", json!({})).await;
    assert_eq!(own["data"]["me"]["hasPremiumAccess"], true, "{own}");
    // Anyone's, through the admin's user list: the role in each row, in one lookup for the page.
    let query = "query($s: String) { users(first: 10, search: $s) { nodes { id hasPremiumAccess } } }";
    let listed = app.graphql_as(&admin, query, json!({ "s": "example.com" })).await;
    let access: std::collections::HashMap<String, bool> = listed["data"]["users"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{listed}"))
        .iter()
        .map(|u| (u["id"].as_str().unwrap().to_owned(), u["hasPremiumAccess"].as_bool().unwrap()))
        .collect();
    assert_eq!(access.get(&admin.id), Some(&true), "{listed}");
    assert_eq!(access.get(&other_admin.id), Some(&true), "{listed}");
    assert_eq!(access.get(&reader.id), Some(&false), "{listed}");
}

#[tokio::test]
async fn feeds_filter_order_and_page() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let admin = app.user_with_role("ADMIN").await;
    app.graphql_as(&admin, "mutation { createTag(name: \"Rust\") { slug } }", json!({})).await;
    for (title, extra) in [
        ("Alpha", json!({ "tagSlugs": ["rust"], "difficulty": "ADVANCED" })),
        ("Bravo", json!({ "isPremium": true })),
        ("Charlie", json!({ "tagSlugs": ["rust"] })),
        ("Delta", json!({})),
    ] {
        create_published(&app, &author, title, extra).await;
    }
    let titles = |body: &Value| -> Vec<String> {
        body["data"]["posts"]["edges"]
            .as_array()
            .unwrap_or_else(|| panic!("{body}"))
            .iter()
            .map(|e| e["node"]["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let query = "query($f: PostFilterInput, $o: PostOrder, $first: Int, $after: String, $last: Int, $before: String) { posts(filter: $f, orderBy: $o, first: $first, after: $after, last: $last, before: $before) { totalCount edges { cursor node { title } } pageInfo { hasNextPage hasPreviousPage endCursor startCursor } } }";

    let newest = app.graphql(query, json!({})).await;
    assert_eq!(titles(&newest), ["Delta", "Charlie", "Bravo", "Alpha"]);
    assert_eq!(titles(&app.graphql(query, json!({ "o": "OLDEST" })).await), ["Alpha", "Bravo", "Charlie", "Delta"]);
    assert_eq!(titles(&app.graphql(query, json!({ "o": "TITLE", "first": 2 })).await), ["Alpha", "Bravo"]);
    assert_eq!(titles(&app.graphql(query, json!({ "f": { "tag": "rust" } })).await), ["Charlie", "Alpha"]);
    assert_eq!(titles(&app.graphql(query, json!({ "f": { "premium": true } })).await), ["Bravo"]);
    assert_eq!(titles(&app.graphql(query, json!({ "f": { "difficulty": "ADVANCED" } })).await), ["Alpha"]);
    assert_eq!(titles(&app.graphql(query, json!({ "f": { "authorId": author.id } })).await).len(), 4);
    assert_eq!(titles(&app.graphql(query, json!({ "f": { "tag": "unknown" } })).await).len(), 0);

    // Walk forward two at a time, then back.
    let page1 = app.graphql(query, json!({ "first": 2 })).await;
    let end = page1["data"]["posts"]["pageInfo"]["endCursor"].as_str().unwrap();
    let page2 = app.graphql(query, json!({ "first": 2, "after": end })).await;
    assert_eq!(titles(&page2), ["Bravo", "Alpha"]);
    assert_eq!(page2["data"]["posts"]["pageInfo"]["hasNextPage"], false);
    let start = page2["data"]["posts"]["pageInfo"]["startCursor"].as_str().unwrap();
    let back = app.graphql(query, json!({ "last": 1, "before": start })).await;
    assert_eq!(titles(&back), ["Charlie"]);
    let title_page = app.graphql(query, json!({ "o": "TITLE", "first": 2 })).await;
    let title_end = title_page["data"]["posts"]["pageInfo"]["endCursor"].as_str().unwrap();
    assert_eq!(
        titles(&app.graphql(query, json!({ "o": "TITLE", "first": 5, "after": title_end })).await),
        ["Charlie", "Delta"]
    );

    // Bad paging and filters.
    for (vars, field) in [
        (json!({ "first": 101 }), "first"),
        (json!({ "first": 1, "after": "garbage" }), "after"),
        (json!({ "o": "TITLE", "first": 1, "after": end }), "after"),
    ] {
        let body = app.graphql(query, vars.clone()).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{vars}: {body}");
        assert_eq!(error_field(&body), field);
    }
    let drafts_as_reader = app.graphql(query, json!({ "f": { "status": "DRAFT" } })).await;
    assert_eq!(error_code(&drafts_as_reader), "UNAUTHENTICATED");
    let reader = app.register("reader@example.com").await;
    assert_eq!(error_code(&app.graphql_as(&reader, query, json!({ "f": { "status": "DRAFT" } })).await), "FORBIDDEN");
}

/// A service lists without GraphQL (as a job or the CLI would), and its cursors are the API's.
#[tokio::test]
async fn a_service_pages_without_graphql() {
    use lectern::{
        auth::Viewer,
        domains::posts::service::{self as posts, PostFilter, PostOrder},
        pagination::PageArgs,
    };
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    for title in ["Alpha", "Bravo", "Charlie"] {
        create_published(&app, &author, title, json!({})).await;
    }
    let args = PageArgs { first: Some(2), count_total: true, ..Default::default() };
    let page = posts::list(&app.state, &Viewer::Anonymous, &PostFilter::default(), PostOrder::Newest, &args, true)
        .await
        .expect("a page of posts");
    let titles: Vec<&str> = page.edges.iter().map(|edge| edge.node.0.title.as_str()).collect();
    assert_eq!(titles, ["Charlie", "Bravo"]);
    assert!(page.edges.iter().all(|edge| edge.node.1.as_ref().is_some_and(|counts| counts.comments == 0)));
    assert_eq!((page.has_previous_page, page.has_next_page, page.total_count), (false, true, 3));

    let end = &page.edges.last().unwrap().cursor;
    let rest = app
        .graphql("query($after: String) { posts(after: $after) { edges { node { title } } } }", json!({ "after": end }))
        .await;
    assert_eq!(rest["data"]["posts"]["edges"], json!([{ "node": { "title": "Alpha" } }]), "{rest}");
}

#[tokio::test]
async fn series_are_curated_in_order() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let other = app.user_with_role("AUTHOR").await;
    let series = app
        .graphql_as(
            &author,
            "mutation { createSeries(input: { title: \"Learn Rust\", description: \"From zero\" }) { id slug } }",
            json!({}),
        )
        .await;
    let series_id = series["data"]["createSeries"]["id"].as_str().unwrap_or_else(|| panic!("{series}")).to_owned();
    assert_eq!(series["data"]["createSeries"]["slug"], "learn-rust");
    let mut ids = Vec::new();
    for title in ["Part One", "Part Two", "Part Three"] {
        let (id, _) = create_published(&app, &author, title, json!({})).await;
        let added = app
            .graphql_as(
                &author,
                "mutation($s: ID!, $p: ID!) { addPostToSeries(seriesId: $s, postId: $p) { postCount } }",
                json!({ "s": series_id, "p": id }),
            )
            .await;
        assert!(added["data"]["addPostToSeries"]["postCount"].is_number(), "{added}");
        ids.push(id);
    }
    let read = "{ series(slug: \"learn-rust\") { postCount posts { title seriesPosition previousInSeries { title } nextInSeries { title } } } }";
    let body = app.graphql(read, json!({})).await;
    let posts = body["data"]["series"]["posts"].as_array().unwrap();
    assert_eq!(
        posts.iter().map(|p| p["title"].as_str().unwrap()).collect::<Vec<_>>(),
        ["Part One", "Part Two", "Part Three"]
    );
    assert_eq!(posts[1]["previousInSeries"]["title"], "Part One");
    assert_eq!(posts[1]["nextInSeries"]["title"], "Part Three");
    assert!(posts[0]["previousInSeries"].is_null() && posts[2]["nextInSeries"].is_null());

    let reorder = "mutation($s: ID!, $ids: [ID!]!) { reorderSeries(seriesId: $s, postIds: $ids) { posts { title seriesPosition } } }";
    let reordered = app.graphql_as(&author, reorder, json!({ "s": series_id, "ids": [ids[2], ids[0], ids[1]] })).await;
    let order: Vec<&str> = reordered["data"]["reorderSeries"]["posts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["Part Three", "Part One", "Part Two"]);

    let too_many: Vec<String> = (0..501).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    for ids in [
        json!([ids[0], ids[1]]),
        json!([ids[0], ids[0], ids[1]]),
        json!([ids[0], ids[1], uuid::Uuid::now_v7()]),
        json!(too_many),
    ] {
        let body = app.graphql_as(&author, reorder, json!({ "s": series_id, "ids": ids })).await;
        assert_eq!(error_field(&body), "postIds", "{body}");
    }
    assert_eq!(
        error_code(&app.graphql_as(&other, reorder, json!({ "s": series_id, "ids": [ids[0], ids[1], ids[2]] })).await),
        "FORBIDDEN"
    );
    let bad_position = app
        .graphql_as(
            &author,
            "mutation($s: ID!, $p: ID!) { addPostToSeries(seriesId: $s, postId: $p, position: 9) { id } }",
            json!({ "s": series_id, "p": ids[0] }),
        )
        .await;
    assert_eq!(error_field(&bad_position), "position");
    let duplicate =
        app.graphql_as(&author, "mutation { createSeries(input: { title: \"Learn Rust\" }) { id } }", json!({})).await;
    assert_eq!(error_code(&duplicate), "CONFLICT");
    assert_eq!(error_field(&duplicate), "slug");

    // A post taken back to draft leaves the series for everyone but its author
    // (and admins): in the list, in previous/next and on the post page.
    app.graphql_as(&author, "mutation($id: ID!) { unpublishPost(id: $id) { id } }", json!({ "id": ids[0] })).await;
    let page = "query($slug: String!) { post(slug: $slug) { previousInSeries { title } nextInSeries { title } \
        series { posts { title } } } }";
    let titles = |body: &serde_json::Value| -> Vec<String> {
        let posts = body["data"]["post"]["series"]["posts"].as_array().unwrap_or_else(|| panic!("{body}"));
        posts.iter().map(|p| p["title"].as_str().unwrap().to_owned()).collect()
    };
    let admin = app.user_with_role("ADMIN").await;
    for (viewer, sees_draft) in [(None, false), (Some(&other), false), (Some(&author), true), (Some(&admin), true)] {
        let body = match viewer {
            Some(user) => app.graphql_as(user, page, json!({ "slug": "part-two" })).await,
            None => app.graphql(page, json!({ "slug": "part-two" })).await,
        };
        let post = &body["data"]["post"];
        if sees_draft {
            assert_eq!(titles(&body), ["Part Three", "Part One", "Part Two"], "{body}");
            assert_eq!(post["previousInSeries"]["title"], "Part One", "{body}");
        } else {
            assert_eq!(titles(&body), ["Part Three", "Part Two"], "{body}");
            assert_eq!(post["previousInSeries"]["title"], "Part Three", "{body}");
        }
        assert!(post["nextInSeries"].is_null(), "{body}");
    }

    let deleted =
        app.graphql_as(&author, "mutation($s: ID!) { deleteSeries(id: $s) }", json!({ "s": series_id })).await;
    assert_eq!(deleted["data"]["deleteSeries"], true);
    let orphan = app.graphql(BY_SLUG, json!({ "slug": "part-two" })).await;
    assert!(orphan["data"]["post"]["id"].is_string(), "posts outlive their series");
}

#[tokio::test]
async fn tags_are_merged_by_admins() {
    let app = TestApp::spawn().await;
    let admin = app.user_with_role("ADMIN").await;
    let author = app.user_with_role("AUTHOR").await;
    let tags = app
        .graphql_as(
            &admin,
            "mutation { a: createTag(name: \"JS\") { id } b: createTag(name: \"JavaScript\") { id } }",
            json!({}),
        )
        .await;
    let (js, javascript) = (tags["data"]["a"]["id"].as_str().unwrap(), tags["data"]["b"]["id"].as_str().unwrap());
    create_published(&app, &author, "One", json!({ "tagSlugs": ["js"] })).await;
    create_published(&app, &author, "Two", json!({ "tagSlugs": ["js", "javascript"] })).await;

    let merge = "mutation($f: ID!, $i: ID!) { mergeTags(from: $f, into: $i) { slug posts { totalCount } } }";
    assert_eq!(error_code(&app.graphql_as(&author, merge, json!({ "f": js, "i": javascript })).await), "FORBIDDEN");
    let merged = app.graphql_as(&admin, merge, json!({ "f": js, "i": javascript })).await;
    assert_eq!(merged["data"]["mergeTags"]["posts"]["totalCount"], 2, "{merged}");
    let gone = app.graphql("{ tag(slug: \"js\") { id } }", json!({})).await;
    assert!(gone["data"]["tag"].is_null());
    assert_eq!(error_field(&app.graphql_as(&admin, merge, json!({ "f": javascript, "i": javascript })).await), "from");
    let duplicate = app.graphql_as(&admin, "mutation { createTag(name: \"JavaScript\") { id } }", json!({})).await;
    assert_eq!(error_code(&duplicate), "CONFLICT");
    // Another name with the same slug would be the same tag to readers.
    let same_slug = app.graphql_as(&admin, "mutation { createTag(name: \"javascript!\") { id } }", json!({})).await;
    assert_eq!((error_code(&same_slug), error_field(&same_slug)), ("CONFLICT", "name"), "{same_slug}");
    let empty = app.graphql_as(&admin, "mutation { createTag(name: \"  \") { id } }", json!({})).await;
    assert_eq!(error_field(&empty), "name");
}

#[tokio::test]
async fn rss_atom_and_sitemap_list_published_posts_only() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    create_published(&app, &author, "Public Post", json!({ "excerpt": "Public & <safe> teaser" })).await;
    create_published(&app, &author, "Paid Post", json!({ "isPremium": true, "excerpt": "Paid teaser" })).await;
    create(&app, &author, json!({ "title": "Draft Post", "body": "secret draft" })).await;

    let get = |path: &'static str| {
        let app = &app;
        async move {
            let response = app.client.get(app.url(path)).send().await.unwrap();
            assert_eq!(response.status(), 200, "{path}");
            let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
            (content_type, response.bytes().await.unwrap())
        }
    };

    let (content_type, body) = get("/feed.xml").await;
    assert!(content_type.starts_with("application/rss+xml"));
    let channel = rss::Channel::read_from(&body[..]).expect("valid RSS 2.0");
    let titles: Vec<_> = channel.items().iter().map(|i| i.title().unwrap().to_owned()).collect();
    assert_eq!(titles, ["Paid Post", "Public Post"]);
    // HTML-escaped: readers render RSS descriptions as HTML (see browser_surface.rs).
    assert_eq!(channel.items()[1].description(), Some("Public &amp; &lt;safe&gt; teaser"));
    assert_eq!(channel.items()[1].link(), Some("http://lectern.test/posts/public-post"));
    assert!(!String::from_utf8_lossy(&body).contains("Body of Paid Post"), "premium bodies never leave through feeds");

    let (content_type, body) = get("/atom.xml").await;
    assert!(content_type.starts_with("application/atom+xml"));
    let feed = atom_syndication::Feed::read_from(&body[..]).expect("valid Atom");
    assert_eq!(feed.entries().len(), 2);
    assert_eq!(feed.entries()[0].title().as_str(), "Paid Post");
    assert!(feed.entries()[0].id().starts_with("urn:uuid:"));

    // The sitemap is rebuilt by a job after each publish: wait for the one after the last.
    // The bound (10 minutes) is far beyond any run: how soon the job runs is up to the
    // machine's load (the whole suite shares two cores with the model's embedding).
    let mut sitemap = String::new();
    for _ in 0..6_000 {
        let (content_type, body) = get("/sitemap.xml").await;
        assert!(content_type.starts_with("application/xml"));
        sitemap = String::from_utf8(body.to_vec()).unwrap();
        if sitemap.contains("paid-post") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(sitemap.contains("<loc>http://lectern.test/posts/public-post</loc>"));
    assert!(sitemap.contains("<loc>http://lectern.test/posts/paid-post</loc>"));
    assert!(!sitemap.contains("draft-post"));
    let mut reader = quick_xml::Reader::from_str(&sitemap);
    let mut urls = 0;
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Start(tag) if tag.name().as_ref() == b"url" => urls += 1,
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(urls, 3, "home and two posts");
}

/// Waits for the one `rerender_posts` job to end (its bound is far beyond any run).
async fn rerender_job(app: &TestApp) -> entity::job::Model {
    use entity::job;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    for _ in 0..1_200 {
        let jobs = job::Entity::find().filter(job::Column::Kind.eq("rerender_posts")).all(&app.state.db).await.unwrap();
        assert!(jobs.len() <= 1, "one re-render job per renderer version: {jobs:?}");
        if let Some(job) = jobs.into_iter().next().filter(|j| j.status == job::Status::Done || j.last_error.is_some()) {
            return job;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the re-render job did not end within 2 minutes");
}

#[tokio::test]
async fn posts_rendered_by_an_older_renderer_are_rerendered_once_when_a_worker_starts() {
    use entity::post;
    use lectern::domains::posts::{markdown::RENDERER_VERSION, rerender};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

    // No worker yet: the "old" posts are made first, as an older release left them.
    // No response cache: in the embedded pass the siblings below share the SQLite
    // file but not an in-process cache (embedded mode runs one process), and this
    // instance reads what a sibling's job wrote.
    let app = TestApp::spawn_with(&[("IN_PROCESS_WORKER", "false"), ("RESPONSE_CACHE_TTL_SECS", "0")]).await;
    let author = app.user_with_role("AUTHOR").await;
    let body = "# Setup {#setup}\n\nSee [the setup](#setup) and [a comment](#comment-1).";
    let (old_id, old_slug) = create_published(&app, &author, "Old render", json!({ "body": body })).await;
    let (new_id, new_slug) = create_published(&app, &author, "New render", json!({ "body": body })).await;
    assert!(!rerender::any_outdated(&app.state.db).await.unwrap(), "new posts carry the current renderer");
    let old_uuid = uuid::Uuid::parse_str(&old_id).unwrap();
    let version_1_html = "<h1 id=\"setup\">Setup</h1>\n<p>See <a href=\"#setup\">the setup</a></p>\n";
    post::Entity::update_many()
        .col_expr(post::Column::BodyHtml, Expr::value(version_1_html))
        .col_expr(post::Column::HtmlVersion, Expr::value(1i16))
        // Saved with a blank excerpt by a release that kept it blank.
        .col_expr(post::Column::Excerpt, Expr::value(""))
        .filter(post::Column::Id.eq(old_uuid))
        .exec(&app.state.db)
        .await
        .unwrap();
    let stored = |id: uuid::Uuid| {
        let db = app.state.db.clone();
        async move { post::Entity::find_by_id(id).one(&db).await.unwrap().unwrap() }
    };
    let before = stored(old_uuid).await;
    let untouched = stored(uuid::Uuid::parse_str(&new_id).unwrap()).await;
    let read = |slug: String| {
        let app = &app;
        async move {
            let body = app.graphql(BY_SLUG, json!({ "slug": slug })).await;
            body["data"]["post"]["bodyHtml"].as_str().unwrap_or_else(|| panic!("{body}")).to_owned()
        }
    };
    assert_eq!(read(old_slug.clone()).await, version_1_html, "served as stored until re-rendered");

    // Two processes start their workers on the same database: one job runs.
    let first = app.sibling_with(&[("IN_PROCESS_WORKER", "true")]).await;
    let second = app.sibling_with(&[("IN_PROCESS_WORKER", "true")]).await;
    let job = rerender_job(&first).await;
    assert_eq!(job.status, entity::job::Status::Done, "{:?}", job.last_error);
    assert_eq!(job.dedupe_key.as_deref(), Some(format!("renderer-v{RENDERER_VERSION}").as_str()));

    let after = stored(old_uuid).await;
    assert_eq!(after.html_version, RENDERER_VERSION);
    assert_eq!(after.body_html, untouched.body_html, "the same HTML a fresh render makes");
    assert!(after.body_html.contains("<h1 id=\"user-content-setup\">"), "{}", after.body_html);
    assert!(after.body_html.contains("href=\"#user-content-setup\""), "{}", after.body_html);
    assert!(after.body_html.contains("href=\"#comment-1\""), "app anchors stay: {}", after.body_html);
    assert_eq!(after.excerpt, "Setup See the setup and a comment.", "a blank excerpt is taken from the body");
    assert_eq!(after.updated_at, before.updated_at, "a re-render is not an edit");
    assert_eq!(after.body, before.body);
    assert_eq!(read(old_slug).await, after.body_html);
    assert_eq!(stored(untouched.id).await, untouched, "a current post is not rewritten");
    assert_eq!(read(new_slug).await, untouched.body_html);

    // Nothing left to do: a later start enqueues nothing.
    assert!(!rerender::any_outdated(&app.state.db).await.unwrap());
    assert!(!rerender::schedule(&app.state).await.unwrap());
    drop((first, second));
}

#[tokio::test]
async fn a_rerender_job_from_a_newer_release_is_left_for_that_release() {
    use lectern::jobs::{self, Job};

    let app = TestApp::spawn_with(&[("JOB_RETRY_BASE_MS", "10")]).await;
    let newer = lectern::domains::posts::markdown::RENDERER_VERSION + 1;
    let options = jobs::Enqueue { max_attempts: Some(1), ..Default::default() };
    let write = lectern::write::Write::begin(&app.state).await.unwrap();
    write.enqueue_with(&Job::RerenderPosts { version: newer }, options).await.unwrap();
    write.commit().await.unwrap();
    let job = rerender_job(&app).await;
    assert_eq!(job.status, entity::job::Status::Failed);
    let error = job.last_error.unwrap_or_default();
    assert!(error.contains(&format!("renderer version {newer} is newer")), "{error}");
}

#[tokio::test]
async fn a_blank_excerpt_is_taken_from_the_body_and_follows_it() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    const UPDATE: &str =
        "mutation($id: ID!, $input: UpdatePostInput!) { updatePost(id: $id, input: $input) { excerpt } }";
    let update = |id: String, input: Value| {
        let (app, author) = (&app, &author);
        async move {
            let body = app.graphql_as(author, UPDATE, json!({ "id": id, "input": input })).await;
            body["data"]["updatePost"]["excerpt"].as_str().unwrap_or_else(|| panic!("{body}")).to_owned()
        }
    };

    let created =
        create(&app, &author, json!({ "title": "Blank", "excerpt": "   ", "body": "# Heading\n\nFirst words here." }))
            .await;
    let post = &created["data"]["createPost"];
    assert_eq!(post["excerpt"], "Heading First words here.", "{created}");
    let id = post["id"].as_str().unwrap().to_owned();

    // Taken from the body, it follows the body.
    assert_eq!(update(id.clone(), json!({ "body": "New opening." })).await, "New opening.");
    // Written by the author, it stays through body edits…
    assert_eq!(update(id.clone(), json!({ "excerpt": "My own summary." })).await, "My own summary.");
    assert_eq!(update(id.clone(), json!({ "body": "Another opening." })).await, "My own summary.");
    // …until the author blanks it.
    assert_eq!(update(id.clone(), json!({ "excerpt": "" })).await, "Another opening.");

    // A long body gives a cut excerpt ending at a word.
    let long = create(&app, &author, json!({ "title": "Long", "body": "word ".repeat(200) })).await;
    let excerpt = long["data"]["createPost"]["excerpt"].as_str().unwrap().to_owned();
    assert!(excerpt.ends_with("word…") && excerpt.chars().count() <= 241, "{excerpt}");
}

#[tokio::test]
async fn code_blocks_are_highlighted_when_published() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let body = "```sql\nSELECT id FROM posts WHERE slug = 'x'; -- one row\n```\n\n```\nno language\n```";
    let created = create(&app, &author, json!({ "title": "Queries", "body": body })).await;
    let html = created["data"]["createPost"]["bodyHtml"].as_str().unwrap_or_else(|| panic!("{created}")).to_owned();
    assert!(html.contains("<pre><code class=\"language-sql\"><span class=\"hl-source hl-sql\">"), "{html}");
    assert!(html.contains("hl-keyword"), "{html}");
    assert!(html.contains("hl-string") && html.contains("hl-comment"), "{html}");
    assert!(html.contains("<pre><code>no language\n</code></pre>"), "{html}");
    // The preview renders the same.
    let preview =
        app.graphql_as(&author, "query($m: String!) { previewMarkdown(markdown: $m) }", json!({ "m": body })).await;
    assert_eq!(preview["data"]["previewMarkdown"], html.as_str(), "{preview}");
}
