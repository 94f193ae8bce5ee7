//! Study notes, reading history and learning statistics, as a reader meets
//! them, and the edges: other readers' notes, quotes that are not in the post
//! (or in a post the reader cannot read in full), hostile text, the reader's
//! own day boundary.

use chrono::{Datelike, Utc};
use lectern::domains::{
    posts::service::{self as posts, PostInput},
    series::service::{self as series, SeriesInput},
};
use serde_json::{Value, json};

use crate::harness::{TestApp, TestUser, error_code, error_field};

const CREATE: &str = "mutation($p: ID!, $b: String!, $q: String) {
    createStudyNote(input: { postId: $p, body: $b, quote: $q }) { id body bodyHtml quote post { id } }
}";
const UPDATE: &str =
    "mutation($id: ID!, $b: String!) { updateStudyNote(id: $id, input: { body: $b }) { id body quote } }";
const REANCHOR: &str =
    "mutation($id: ID!, $q: String) { updateStudyNote(id: $id, input: { quote: $q }) { id body quote } }";
const DELETE: &str = "mutation($id: ID!) { deleteStudyNote(id: $id) }";
const LIST: &str = "query($s: String, $first: Int, $after: String) {
    studyNotes(search: $s, first: $first, after: $after) {
        totalCount nodes { id body quote post { title } } pageInfo { hasNextPage endCursor }
    }
}";
const MARK: &str = "mutation($p: ID!, $s: Int!) { markPostRead(postId: $p, secondsSpent: $s) { secondsSpent } }";
const STATS: &str = "query($d: Int) { learningStats(days: $d) {
    timeZone postsFinished seriesFinished totalMinutes currentStreak longestStreak
    days { day minutes seconds active frozen } weeks { weekStart minutes } topics { tag { slug } minutes }
} }";

async fn note_count(app: &TestApp, user: &TestUser) -> i64 {
    let body = app.graphql_as(user, LIST, json!({})).await;
    ok(&body)["studyNotes"]["totalCount"].as_i64().unwrap()
}

fn ok(body: &Value) -> &Value {
    assert!(body["errors"].is_null(), "{body}");
    &body["data"]
}

/// A published post by `author` with this body and tags (made when missing), through the
/// posts service; its id.
async fn post_with(app: &TestApp, author: &TestUser, title: &str, body: &str, tags: &[&str], premium: bool) -> String {
    let viewer = app.viewer_of(author).await;
    for tag in tags {
        if lectern::domains::tags::service::find_by_slug(&app.state.db, tag).await.unwrap().is_none() {
            lectern::domains::tags::service::create(&app.state, tag).await.unwrap();
        }
    }
    let input = PostInput {
        title: Some(title.into()),
        body: Some(body.into()),
        is_premium: Some(premium),
        tag_slugs: Some(tags.iter().map(|t| t.to_string()).collect()),
        ..Default::default()
    };
    let post = posts::create(&app.state, &viewer, input).await.expect("create post");
    posts::publish(&app.state, &viewer, post.id).await.expect("publish post").id.to_string()
}

const BODY: &str = "# Ownership\n\nEvery value has a single *owner*, and the value is dropped\nwhen the owner goes out of scope.\n\n## Borrowing\n\nReferences borrow without taking ownership.";

#[tokio::test]
async fn study_notes_are_private_anchored_searchable_and_exported() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let reader = app.register_verified("reader@example.com").await;
    let other = app.register_verified("other@example.com").await;
    let post = post_with(&app, &author, "Ownership explained", BODY, &[], false).await;

    // A quote as shown on the page: the emphasis is text, the line break a space.
    let quote = "the value is dropped when the owner goes out of scope";
    let made = app
        .graphql_as(&reader, CREATE, json!({ "p": post, "b": "Drop = **end of scope**", "q": format!("  {quote} ") }))
        .await;
    let note = ok(&made)["createStudyNote"].clone();
    assert_eq!(note["quote"], quote);
    assert_eq!(note["post"]["id"], post);
    assert!(note["bodyHtml"].as_str().unwrap().contains("<strong>end of scope</strong>"), "{note}");
    let id = note["id"].as_str().unwrap().to_owned();
    let second = app.graphql_as(&reader, CREATE, json!({ "p": post, "b": "Borrowing 50% of the time" })).await;
    let second_id = ok(&second)["createStudyNote"]["id"].as_str().unwrap().to_owned();

    // On the post, for the reader only.
    let on_post = "query($slug: String!) { post(slug: $slug) { viewerNotes { id quote } } }";
    let slug = json!({ "slug": "ownership-explained" });
    let mine = app.graphql_as(&reader, on_post, slug.clone()).await;
    let ids: Vec<&str> =
        ok(&mine)["post"]["viewerNotes"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [id.as_str(), second_id.as_str()]);
    let theirs = app.graphql_as(&other, on_post, slug.clone()).await;
    assert_eq!(ok(&theirs)["post"]["viewerNotes"], json!([]));
    let anonymous = app.graphql(on_post, slug).await;
    assert_eq!(ok(&anonymous)["post"]["viewerNotes"], json!([]));

    // Another reader's note does not exist for them.
    for (query, vars) in [(UPDATE, json!({ "id": id, "b": "mine now" })), (DELETE, json!({ "id": id }))] {
        let refused = app.graphql_as(&other, query, vars).await;
        assert_eq!(error_code(&refused), "NOT_FOUND", "{refused}");
    }
    assert_eq!(note_count(&app, &other).await, 0);

    // Search: any case, and `%` is a character, not a wildcard.
    let found = app.graphql_as(&reader, LIST, json!({ "s": "END OF" })).await;
    assert_eq!(ok(&found)["studyNotes"]["nodes"][0]["id"], id.as_str());
    assert_eq!(ok(&found)["studyNotes"]["totalCount"], 1);
    let by_quote = app.graphql_as(&reader, LIST, json!({ "s": "out of scope" })).await;
    assert_eq!(ok(&by_quote)["studyNotes"]["totalCount"], 1);
    let percent = app.graphql_as(&reader, LIST, json!({ "s": "50%" })).await;
    assert_eq!(ok(&percent)["studyNotes"]["nodes"][0]["id"], second_id.as_str());
    let literal = app.graphql_as(&reader, LIST, json!({ "s": "%" })).await;
    assert_eq!(ok(&literal)["studyNotes"]["totalCount"], 1, "{literal}");
    // Paging: latest change first.
    let page = app.graphql_as(&reader, LIST, json!({ "first": 1 })).await;
    assert_eq!(ok(&page)["studyNotes"]["nodes"][0]["id"], second_id.as_str());
    let after = ok(&page)["studyNotes"]["pageInfo"]["endCursor"].clone();
    let next = app.graphql_as(&reader, LIST, json!({ "first": 1, "after": after })).await;
    assert_eq!(ok(&next)["studyNotes"]["nodes"][0]["id"], id.as_str());

    // Updates: the body alone, then the quote removed.
    let updated = app.graphql_as(&reader, UPDATE, json!({ "id": id, "b": "Dropped at the end of scope" })).await;
    assert_eq!(ok(&updated)["updateStudyNote"]["quote"], quote);
    let unanchored = app.graphql_as(&reader, REANCHOR, json!({ "id": id, "q": null })).await;
    assert_eq!(ok(&unanchored)["updateStudyNote"]["quote"], Value::Null);
    assert_eq!(ok(&unanchored)["updateStudyNote"]["body"], "Dropped at the end of scope");

    let bad = app.graphql_as(&reader, REANCHOR, json!({ "id": id, "q": "not in the post" })).await;
    assert_eq!((error_code(&bad), error_field(&bad)), ("BAD_USER_INPUT", "quote"), "{bad}");
    let anchored = app.graphql_as(&reader, REANCHOR, json!({ "id": id, "q": "References borrow" })).await;
    assert_eq!(ok(&anchored)["updateStudyNote"]["quote"], "References borrow");
    ok(&app.graphql_as(&reader, REANCHOR, json!({ "id": id, "q": null })).await);

    // The export: one markdown document, a section per post.
    let export = app.graphql_as(&reader, "{ studyNotesMarkdown }", json!({})).await;
    let doc = ok(&export)["studyNotesMarkdown"].as_str().unwrap().to_owned();
    assert!(doc.starts_with("# Study notes\n"), "{doc}");
    assert!(doc.contains("## [Ownership explained]("), "{doc}");
    assert!(doc.contains("Dropped at the end of scope") && doc.contains("Borrowing 50% of the time"), "{doc}");
    let empty = app.graphql_as(&other, "{ studyNotesMarkdown }", json!({})).await;
    assert!(ok(&empty)["studyNotesMarkdown"].as_str().unwrap().contains("No notes yet."));

    // Deleted, then gone for good.
    let deleted = app.graphql_as(&reader, DELETE, json!({ "id": id })).await;
    assert_eq!(ok(&deleted)["deleteStudyNote"], id.as_str());
    let again = app.graphql_as(&reader, DELETE, json!({ "id": id })).await;
    assert_eq!(error_code(&again), "NOT_FOUND");
    assert_eq!(note_count(&app, &reader).await, 1);
}

#[tokio::test]
async fn bad_notes_are_refused_with_the_field_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let reader = app.register_verified("reader@example.com").await;
    let post = post_with(&app, &author, "Ownership explained", BODY, &[], false).await;
    let premium = post_with(&app, &author, "Premium ownership", BODY, &[], true).await;
    let draft = app.draft_post(&author, "Not yet").await;

    let long = "x".repeat(20_001);
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({ "p": post, "b": "   " }), "BAD_USER_INPUT", "body"),
        (json!({ "p": post, "b": long }), "BAD_USER_INPUT", "body"),
        // NUL is refused for every variable before any resolver runs (the field is the variable).
        (json!({ "p": post, "b": "nul \u{0} byte" }), "BAD_USER_INPUT", "b"),
        (json!({ "p": post, "b": "ok", "q": "a passage that is nowhere in the post" }), "BAD_USER_INPUT", "quote"),
        (json!({ "p": post, "b": "ok", "q": "x".repeat(1_001) }), "BAD_USER_INPUT", "quote"),
        (json!({ "p": post, "b": "ok", "q": "bell \u{7}" }), "BAD_USER_INPUT", "quote"),
        // A locked post cannot be quoted: checking the quote would reveal the body a guess at a time.
        (json!({ "p": premium, "b": "ok", "q": "Every value has a single owner" }), "BAD_USER_INPUT", "quote"),
        (json!({ "p": draft.id.to_string(), "b": "ok" }), "NOT_FOUND", ""),
        (json!({ "p": "not-a-uuid", "b": "ok" }), "BAD_USER_INPUT", "postId"),
    ];
    for (vars, code, field) in cases {
        let refused = app.graphql_as(&reader, CREATE, vars.clone()).await;
        assert_eq!(error_code(&refused), code, "{vars}: {refused}");
        if !field.is_empty() {
            assert_eq!(error_field(&refused), field, "{vars}: {refused}");
        }
    }
    // A note on a locked post without a quote is the reader's own business.
    let on_premium = app.graphql_as(&reader, CREATE, json!({ "p": premium, "b": "read later" })).await;
    let premium_note = ok(&on_premium)["createStudyNote"]["id"].as_str().unwrap().to_owned();
    let nothing = "mutation($id: ID!) { updateStudyNote(id: $id, input: {}) { id } }";
    let update = app.graphql_as(&reader, nothing, json!({ "id": premium_note })).await;
    assert_eq!((error_code(&update), error_field(&update)), ("BAD_USER_INPUT", "input"), "{update}");
    let list = app.graphql_as(&reader, LIST, json!({ "first": 101 })).await;
    assert_eq!((error_code(&list), error_field(&list)), ("BAD_USER_INPUT", "first"), "{list}");
    let search = app.graphql_as(&reader, LIST, json!({ "s": "s".repeat(201) })).await;
    assert_eq!((error_code(&search), error_field(&search)), ("BAD_USER_INPUT", "search"), "{search}");
    for query in [LIST, "{ studyNotesMarkdown }"] {
        assert_eq!(error_code(&app.graphql(query, json!({})).await), "UNAUTHENTICATED");
    }
    let anonymous = app.graphql(CREATE, json!({ "p": post, "b": "hello" })).await;
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED");
    // Only the one good note was stored.
    assert_eq!(note_count(&app, &reader).await, 1);
}

#[tokio::test]
async fn history_and_stats_follow_reading_in_the_readers_own_day() {
    let app = TestApp::spawn_with(&[("IN_PROCESS_WORKER", "false")]).await;
    let author = app.user_with_role("AUTHOR").await;
    let reader = app.register_verified("reader@example.com").await;
    // UTC+14: for ten hours of every UTC day, the reader's date is already tomorrow.
    let zone =
        "mutation { updateProfile(input: { displayName: \"Reader\", timeZone: \"Pacific/Kiritimati\" }) { timeZone } }";
    ok(&app.graphql_as(&reader, zone, json!({})).await);
    let rust = post_with(&app, &author, "Ownership explained", BODY, &["rust"], false).await;
    let sql = post_with(
        &app,
        &author,
        "Indexes",
        "# Indexes\n\nA B-tree keeps keys in order.",
        &["databases", "rust"],
        false,
    )
    .await;
    let unread = post_with(&app, &author, "Joins", "# Joins\n\nHash joins build a table.", &["databases"], false).await;

    // A series of two posts, both read: one series finished.
    let viewer = app.viewer_of(&author).await;
    let input = SeriesInput { title: Some("Rust from zero".into()), ..Default::default() };
    let made = series::create(&app.state, &viewer, input).await.unwrap();
    for post in [&rust, &sql] {
        series::add_post(&app.state, &viewer, made.id, post.parse().unwrap(), None).await.unwrap();
    }

    ok(&app.graphql_as(&reader, MARK, json!({ "p": rust, "s": 600 })).await);
    ok(&app.graphql_as(&reader, MARK, json!({ "p": sql, "s": 120 })).await);
    ok(&app.graphql_as(&reader, MARK, json!({ "p": rust, "s": 60 })).await);

    // History: most recently read first (the re-read moved Ownership up).
    let history = app
        .graphql_as(
            &reader,
            "{ readingHistory(first: 10) { totalCount nodes { post { id } secondsSpent completedAt lastReadAt } } }",
            json!({}),
        )
        .await;
    let nodes = ok(&history)["readingHistory"]["nodes"].as_array().unwrap().clone();
    assert_eq!(
        nodes.iter().map(|n| n["post"]["id"].as_str().unwrap()).collect::<Vec<_>>(),
        [rust.as_str(), sql.as_str()]
    );
    assert_eq!(nodes[0]["secondsSpent"], 660);
    assert!(!nodes.iter().any(|n| n["post"]["id"] == unread.as_str()));

    let stats = app.graphql_as(&reader, STATS, json!({ "d": 7 })).await;
    let stats = ok(&stats)["learningStats"].clone();
    assert_eq!(stats["timeZone"], "Pacific/Kiritimati");
    assert_eq!(stats["postsFinished"], 2);
    assert_eq!(stats["seriesFinished"], 1);
    assert_eq!(stats["totalMinutes"], 13);
    let days = stats["days"].as_array().unwrap();
    assert_eq!(days.len(), 7);
    // Today is the reader's today, not the server's.
    let today = Utc::now().with_timezone(&chrono_tz::Pacific::Kiritimati).date_naive();
    assert_eq!(days[6]["day"], today.to_string(), "{stats}");
    assert_eq!(days[6]["seconds"], 780);
    assert_eq!(days[6]["minutes"], 13);
    assert_eq!(days[6]["active"], true);
    assert!(days[..6].iter().all(|d| d["seconds"] == 0 && d["active"] == false), "{stats}");
    let weeks = stats["weeks"].as_array().unwrap();
    assert_eq!(weeks.len(), 12);
    let monday = today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday()));
    assert_eq!(weeks[11]["weekStart"], monday.to_string());
    assert_eq!(weeks[11]["minutes"], 13);
    // Topics by time: rust has both posts (11 + 2 min), databases one (2 min).
    let topics: Vec<(String, i64)> = stats["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["tag"]["slug"].as_str().unwrap().to_owned(), t["minutes"].as_i64().unwrap()))
        .collect();
    assert_eq!(topics, [("rust".to_owned(), 13), ("databases".to_owned(), 2)]);
    assert_eq!(stats["currentStreak"], 1);

    for bad in [0, 367, -1] {
        let refused = app.graphql_as(&reader, STATS, json!({ "d": bad })).await;
        assert_eq!((error_code(&refused), error_field(&refused)), ("BAD_USER_INPUT", "days"), "{refused}");
    }
    let default = app.graphql_as(&reader, "{ learningStats { days { day } } }", json!({})).await;
    assert_eq!(ok(&default)["learningStats"]["days"].as_array().unwrap().len(), 30);
    let year = app.graphql_as(&reader, STATS, json!({ "d": 366 })).await;
    assert_eq!(ok(&year)["learningStats"]["days"].as_array().unwrap().len(), 366);
    for query in [STATS, "{ readingHistory { totalCount } }"] {
        assert_eq!(error_code(&app.graphql(query, json!({})).await), "UNAUTHENTICATED");
    }
    // A newcomer has empty statistics, not errors.
    let newcomer = app.register_verified("new@example.com").await;
    let empty = app.graphql_as(&newcomer, STATS, json!({})).await;
    let empty = ok(&empty)["learningStats"].clone();
    assert_eq!(
        (empty["postsFinished"].clone(), empty["seriesFinished"].clone(), empty["topics"].clone()),
        (json!(0), json!(0), json!([]))
    );
}
