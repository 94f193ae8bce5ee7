//! Each post's counters (`post_counts`: visible comments, reactions of each
//! kind) are kept by database triggers. After every kind of change that can
//! move them (a comment written, hidden, shown again, deleted with or without
//! replies; a reaction added, repeated, taken back; an account or a post
//! deleted, whose rows go by foreign-key cascade) they equal a fresh count,
//! on both backends, and the API shows them. So does the number of published
//! posts (`post_totals`), from which the home feed's `totalCount` comes.

use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use serde_json::{Value, json};

use crate::harness::{TestApp, TestUser};

/// Posts whose counters differ from a fresh count of their rows, plus counter
/// rows left without a post; 0 when every counter is right.
const MISCOUNTED: &str = r#"
SELECT
  (SELECT count(*) FROM posts p LEFT JOIN post_counts pc ON pc.post_id = p.id
   WHERE pc.post_id IS NULL
      OR pc.comments <> (SELECT count(*) FROM comments c WHERE c.post_id = p.id AND c.status = 'VISIBLE')
      OR pc.reactions_like <> (SELECT count(*) FROM reactions r WHERE r.post_id = p.id AND r.kind = 'LIKE')
      OR pc.reactions_insightful <> (SELECT count(*) FROM reactions r WHERE r.post_id = p.id AND r.kind = 'INSIGHTFUL')
      OR pc.reactions_confused <> (SELECT count(*) FROM reactions r WHERE r.post_id = p.id AND r.kind = 'CONFUSED')
      OR pc.reactions_celebrate <> (SELECT count(*) FROM reactions r WHERE r.post_id = p.id AND r.kind = 'CELEBRATE'))
  + (SELECT count(*) FROM post_counts pc WHERE NOT EXISTS (SELECT 1 FROM posts p WHERE p.id = pc.post_id))
  AS miscounted
"#;

async fn miscounted(app: &TestApp) -> i64 {
    let db = &app.state.db;
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), MISCOUNTED)).await.unwrap().unwrap();
    row.try_get::<i64>("", "miscounted").unwrap()
}

async fn assert_counted(app: &TestApp, after: &str) {
    assert_eq!(miscounted(app).await, 0, "the counters equal a fresh count after {after}");
}

const COUNTS: &str = "query($slug: String!) { post(slug: $slug) { commentCount reactions { kind count } } }";

/// (commentCount, [(kind, count)]) of the post with this slug, as the API shows them.
async fn shown(app: &TestApp, slug: &str) -> (i64, Vec<(String, i64)>) {
    let body = app.graphql(COUNTS, json!({ "slug": slug })).await;
    let post = &body["data"]["post"];
    let count = post["commentCount"].as_i64().unwrap_or_else(|| panic!("{body}"));
    let reactions = post["reactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["kind"].as_str().unwrap().to_owned(), r["count"].as_i64().unwrap()))
        .collect();
    (count, reactions)
}

async fn ok(app: &TestApp, user: &TestUser, query: &str, variables: Value) -> Value {
    let body = app.graphql_as(user, query, variables).await;
    assert!(body["errors"].is_null(), "{query}: {body}");
    body["data"].clone()
}

async fn comment(app: &TestApp, user: &TestUser, post: &str, parent: Option<&str>) -> String {
    let data = ok(
        app,
        user,
        "mutation($p: ID!, $r: ID, $b: String!) { addComment(postId: $p, parentId: $r, body: $b) { id } }",
        json!({ "p": post, "r": parent, "b": "A thought" }),
    )
    .await;
    data["addComment"]["id"].as_str().unwrap().to_owned()
}

async fn react(app: &TestApp, user: &TestUser, post: &str, kind: &str, undo: bool) {
    let mutation = if undo { "unreact" } else { "react" };
    let query = format!("mutation($p: ID!, $k: ReactionKind!) {{ {mutation}(postId: $p, kind: $k) {{ id }} }}");
    ok(app, user, &query, json!({ "p": post, "k": kind })).await;
}

fn pair(kind: &str, count: i64) -> (String, i64) {
    (kind.to_owned(), count)
}

#[tokio::test]
async fn counters_follow_every_change_and_equal_a_fresh_count() {
    let app = TestApp::spawn_with(&[("COMMENT_BURST", "1000"), ("RESPONSE_CACHE_TTL_SECS", "0")]).await;
    let author = app.user_with_role("AUTHOR").await;
    let admin = app.user_with_role("ADMIN").await;
    let ada = app.register_verified("ada@example.com").await;
    let bob = app.register_verified("bob@example.com").await;
    let (post, slug) = app.published_post(&author, "Counted").await;
    let (other, _) = app.published_post(&author, "Other").await;
    assert_counted(&app, "publishing").await;
    assert_eq!(shown(&app, &slug).await, (0, vec![]), "a new post has nothing yet");

    // Comments: written, replied to, hidden and shown again by a moderator.
    let root = comment(&app, &ada, &post, None).await;
    let reply = comment(&app, &bob, &post, Some(&root)).await;
    let lone = comment(&app, &bob, &post, None).await;
    let hidden = comment(&app, &ada, &post, None).await;
    comment(&app, &ada, &other, None).await;
    assert_counted(&app, "comments").await;
    assert_eq!(shown(&app, &slug).await.0, 4);
    let moderate = "mutation($id: ID!, $s: CommentStatus!) { moderateComment(id: $id, status: $s) { id } }";
    ok(&app, &admin, moderate, json!({ "id": hidden, "s": "HIDDEN" })).await;
    assert_eq!(shown(&app, &slug).await.0, 3, "a hidden comment is not counted");
    ok(&app, &admin, moderate, json!({ "id": hidden, "s": "VISIBLE" })).await;
    assert_eq!(shown(&app, &slug).await.0, 4, "shown again, it counts again");
    ok(&app, &admin, moderate, json!({ "id": hidden, "s": "HIDDEN" })).await;
    assert_counted(&app, "moderation").await;

    // Deleted by their authors: one with a reply stays as a placeholder, one without goes.
    let delete = "mutation($id: ID!) { deleteComment(id: $id) }";
    ok(&app, &ada, delete, json!({ "id": root })).await;
    ok(&app, &bob, delete, json!({ "id": lone })).await;
    assert_counted(&app, "deletions").await;
    assert_eq!(shown(&app, &slug).await.0, 1, "only the reply is left visible ({reply})");

    // Reactions: added, repeated (no change), of several kinds, taken back.
    react(&app, &ada, &post, "LIKE", false).await;
    react(&app, &ada, &post, "LIKE", false).await;
    react(&app, &bob, &post, "LIKE", false).await;
    react(&app, &bob, &post, "CELEBRATE", false).await;
    react(&app, &ada, &post, "CONFUSED", false).await;
    react(&app, &ada, &other, "INSIGHTFUL", false).await;
    assert_counted(&app, "reactions").await;
    assert_eq!(shown(&app, &slug).await.1, vec![pair("LIKE", 2), pair("CONFUSED", 1), pair("CELEBRATE", 1)]);
    react(&app, &ada, &post, "CONFUSED", true).await;
    react(&app, &ada, &post, "CONFUSED", true).await;
    react(&app, &bob, &post, "INSIGHTFUL", true).await;
    assert_counted(&app, "reactions taken back").await;
    assert_eq!(shown(&app, &slug).await.1, vec![pair("LIKE", 2), pair("CELEBRATE", 1)]);

    // An account deleted in the database: its comments and reactions go by cascade.
    let bob_id = uuid::Uuid::parse_str(&bob.id).unwrap();
    execute(&app, "DELETE FROM users WHERE id = $1", [bob_id.into()]).await;
    assert_counted(&app, "an account's deletion").await;
    assert_eq!(shown(&app, &slug).await, (0, vec![pair("LIKE", 1)]), "bob's reply and reactions went with him");

    // A deleted post takes its counters with it.
    ok(&app, &author, "mutation($id: ID!) { deletePost(id: $id) }", json!({ "id": other })).await;
    assert_counted(&app, "a post's deletion").await;
}

#[tokio::test]
async fn the_migration_counts_existing_posts() {
    let app = TestApp::spawn_with(&[("COMMENT_BURST", "1000")]).await;
    let author = app.user_with_role("AUTHOR").await;
    let ada = app.register_verified("ada@example.com").await;
    let (post, slug) = app.published_post(&author, "Before counters").await;
    let (_, quiet) = app.published_post(&author, "Quiet").await;
    let root = comment(&app, &ada, &post, None).await;
    comment(&app, &author, &post, Some(&root)).await;
    react(&app, &ada, &post, "INSIGHTFUL", false).await;
    react(&app, &author, &post, "INSIGHTFUL", false).await;
    let before = (shown(&app, &slug).await, shown(&app, &quiet).await);
    assert_eq!(before.0, (2, vec![pair("INSIGHTFUL", 2)]));

    // As if the posts were written before the counters existed: the backfill counts them again.
    let db = &app.state.db;
    db.execute_unprepared("DELETE FROM post_counts").await.unwrap();
    assert!(miscounted(&app).await > 0, "the check sees missing counters");
    db.execute_unprepared(migration::POST_COUNTS_BACKFILL).await.unwrap();
    assert_counted(&app, "the backfill").await;
    assert_eq!((shown(&app, &slug).await, shown(&app, &quiet).await), before);
}

/// 0 when `post_totals` holds the number of published posts with a publish time.
const MISTOTALED: &str = r#"
SELECT (SELECT published FROM post_totals WHERE id = 1)
     - (SELECT count(*) FROM posts WHERE status = 'PUBLISHED' AND published_at IS NOT NULL) AS off
"#;

async fn assert_totaled(app: &TestApp, after: &str) {
    let db = &app.state.db;
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), MISTOTALED)).await.unwrap().unwrap();
    assert_eq!(row.try_get::<i64>("", "off").unwrap(), 0, "post_totals equals a fresh count after {after}");
}

/// The home feed's `totalCount` as an anonymous reader sees it.
async fn feed_total(app: &TestApp) -> i64 {
    let body = app.graphql("{ posts(first: 1) { totalCount } }", json!({})).await;
    body["data"]["posts"]["totalCount"].as_i64().unwrap_or_else(|| panic!("{body}"))
}

/// Runs `sql` with its parameters, written `$1`, `$2` (PostgreSQL's way; `?` on SQLite).
async fn execute<const N: usize>(app: &TestApp, sql: &str, values: [sea_orm::Value; N]) {
    let db = &app.state.db;
    let backend = db.get_database_backend();
    let mut sql = sql.to_owned();
    if backend != DatabaseBackend::Postgres {
        for n in 1..=N {
            sql = sql.replace(&format!("${n}"), "?");
        }
    }
    db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await.unwrap();
}

#[tokio::test]
async fn the_feed_total_follows_every_change_of_status() {
    let app = TestApp::spawn_with(&[("RESPONSE_CACHE_TTL_SECS", "0")]).await;
    let author = app.user_with_role("AUTHOR").await;
    let guest = app.user_with_role("AUTHOR").await;
    assert_eq!(feed_total(&app).await, 0);
    let (first, _) = app.published_post(&author, "First").await;
    let (second, _) = app.published_post(&author, "Second").await;
    app.published_post(&guest, "The guest's").await;
    let draft = app.draft_post(&author, "Draft").await.id.to_string();
    let later = app.draft_post(&author, "Later").await.id.to_string();
    assert_totaled(&app, "publishing").await;
    assert_eq!(feed_total(&app).await, 3, "drafts are not counted");

    // Scheduled: not counted until due, counted once due (before and after the job flips it).
    let at = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let schedule = "mutation($id: ID!, $at: DateTime!) { schedulePost(id: $id, at: $at) { status } }";
    ok(&app, &author, schedule, json!({ "id": later, "at": at })).await;
    assert_totaled(&app, "scheduling").await;
    assert_eq!(feed_total(&app).await, 3, "a post scheduled for later is not live yet");
    let due = chrono::Utc::now() - chrono::Duration::seconds(1);
    let later_id = uuid::Uuid::parse_str(&later).unwrap();
    execute(&app, "UPDATE posts SET published_at = $1 WHERE id = $2", [due.into(), later_id.into()]).await;
    assert_totaled(&app, "a schedule coming due").await;
    assert_eq!(feed_total(&app).await, 4, "a scheduled post counts once its time has come");
    lectern::domains::posts::service::publish_due(&app.state).await.unwrap();
    assert_totaled(&app, "the publishing job").await;
    assert_eq!(feed_total(&app).await, 4, "and once the job has published it");

    // Unpublished, edited, published again, deleted.
    ok(&app, &author, "mutation($id: ID!) { unpublishPost(id: $id) { status } }", json!({ "id": first })).await;
    assert_totaled(&app, "unpublishing").await;
    assert_eq!(feed_total(&app).await, 3);
    let edit = "mutation($id: ID!, $t: String!) { updatePost(id: $id, input: {title: $t}) { id } }";
    ok(&app, &author, edit, json!({ "id": second, "t": "Second, edited" })).await;
    ok(&app, &author, edit, json!({ "id": draft, "t": "Draft, edited" })).await;
    assert_eq!(feed_total(&app).await, 3, "editing moves nothing");
    ok(&app, &author, "mutation($id: ID!) { publishPost(id: $id) { status } }", json!({ "id": first })).await;
    ok(&app, &author, "mutation($id: ID!) { publishPost(id: $id) { status } }", json!({ "id": draft })).await;
    assert_totaled(&app, "publishing again").await;
    assert_eq!(feed_total(&app).await, 5);
    ok(&app, &author, "mutation($id: ID!) { deletePost(id: $id) }", json!({ "id": second })).await;
    assert_totaled(&app, "a deletion").await;
    assert_eq!(feed_total(&app).await, 4);

    // An account deleted in the database: its posts go by cascade.
    let guest_id = uuid::Uuid::parse_str(&guest.id).unwrap();
    execute(&app, "DELETE FROM users WHERE id = $1", [guest_id.into()]).await;
    assert_totaled(&app, "an account's deletion").await;
    assert_eq!(feed_total(&app).await, 3);

    // The migration's backfill counts them again from nothing.
    app.state.db.execute_unprepared("UPDATE post_totals SET published = 0").await.unwrap();
    assert_eq!(feed_total(&app).await, 0, "the total is read from post_totals, not counted");
    app.state.db.execute_unprepared(migration::POST_TOTALS_BACKFILL).await.unwrap();
    assert_totaled(&app, "the backfill").await;
    assert_eq!(feed_total(&app).await, 3);
}
