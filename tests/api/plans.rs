//! Plans that must not depend on the database's statistics.
//!
//! The feed's page (live posts, newest first, 21 rows) must walk the
//! `(published_at, id, status)` index and stop after a page. SQLite 3.51 chose instead to
//! read every live post through the status index and sort them all, with no
//! statistics at all, with `sqlite_stat1` alone, or not, depending on the
//! samples: ~50× slower at 10,000 posts (121 ms against 0.7 ms for the
//! ids-only feed). `posts::live` keeps the status terms from driving the
//! query on SQLite; this test fails if a change lets them again. PostgreSQL's
//! plans are measured at 10,000 posts in BENCHMARKS.md ("Plans"), not here: a
//! test database of a few rows is planned as the small table it is.

use lectern::domains::posts::service as posts;
use sea_orm::{
    ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
    Statement, TransactionTrait,
};

use crate::harness::TestApp;

/// SQLite's `EXPLAIN QUERY PLAN` of the feed's page query, one line per step.
async fn feed_page_plan(txn: &DatabaseTransaction) -> String {
    use entity::post::Column;
    let select = posts::without_bodies(entity::post::Entity::find())
        .filter(posts::live(DbBackend::Sqlite))
        .order_by_desc(Column::PublishedAt)
        .order_by_desc(Column::Id)
        .limit(21);
    explain(txn, select.build(DbBackend::Sqlite)).await
}

/// SQLite's `EXPLAIN QUERY PLAN` of a statement, one line per step.
async fn explain(txn: &DatabaseTransaction, statement: Statement) -> String {
    let explain = Statement::from_sql_and_values(
        DbBackend::Sqlite,
        format!("EXPLAIN QUERY PLAN {}", statement.sql),
        statement.values.expect("the statement has values"),
    );
    let rows = txn.query_all_raw(explain).await.unwrap();
    rows.iter().map(|row| row.try_get::<String>("", "detail").unwrap()).collect::<Vec<_>>().join("\n")
}

fn assert_walks_the_date_index(plan: &str, statistics: &str) {
    assert!(
        plan.contains("USING INDEX idx_posts_published_order") && !plan.contains("TEMP B-TREE"),
        "with {statistics}, the feed's page must walk idx_posts_published_order and sort nothing; the plan:\n{plan}"
    );
}

#[tokio::test]
async fn the_feed_page_walks_the_date_index_whatever_sqlites_statistics() {
    let app = TestApp::spawn().await;
    let db = &app.state.db;
    if db.get_database_backend() != DbBackend::Sqlite {
        return;
    }
    let author = app.user_with_role("AUTHOR").await;
    for n in 0..12 {
        app.published_post(&author, &format!("Planned post {n}")).await;
    }
    app.draft_post(&author, "A draft").await;

    // One connection throughout: statistics are loaded per connection.
    let txn = db.begin().await.unwrap();
    txn.execute_unprepared(
        "DROP TABLE IF EXISTS sqlite_stat1; DROP TABLE IF EXISTS sqlite_stat4; ANALYZE sqlite_schema",
    )
    .await
    .unwrap();
    assert_walks_the_date_index(&feed_page_plan(&txn).await, "no statistics");

    txn.execute_unprepared("ANALYZE").await.unwrap();
    assert_walks_the_date_index(&feed_page_plan(&txn).await, "ANALYZE's statistics of these rows");

    // The statistics `ANALYZE` wrote at 10,000 posts (9,713 live), by hand:
    // SQLite reads `sqlite_stat1` as it finds it.
    txn.execute_unprepared(
        "DELETE FROM sqlite_stat4;
         DELETE FROM sqlite_stat1 WHERE tbl = 'posts';
         INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
           ('posts', 'idx_posts_published_order', '10012 1 1 1'),
           ('posts', 'idx_posts_status_published', '10012 5006 1'),
           ('posts', 'idx_posts_author', '10012 456'),
           ('posts', 'idx_posts_series', '10012 189 30');
         ANALYZE sqlite_schema",
    )
    .await
    .unwrap();
    assert_walks_the_date_index(&feed_page_plan(&txn).await, "the statistics of 10,000 posts");
    // The feed's total reads the kept row and finds the due scheduled posts by index.
    let total = explain(&txn, DbBackend::Sqlite.build(&posts::live_total_statement())).await;
    assert!(
        total.contains("USING COVERING INDEX idx_posts_status_published") && !total.contains("SCAN posts"),
        "the feed's total must count no live post; the plan:\n{total}"
    );
    txn.rollback().await.unwrap();

    // And the query is the feed's: the newest live posts, the draft left out.
    let body = app.graphql("{ posts(first: 20) { totalCount edges { node { title } } } }", serde_json::json!({})).await;
    assert_eq!(body["data"]["posts"]["totalCount"], 12, "{body}");
    assert_eq!(body["data"]["posts"]["edges"][0]["node"]["title"], "Planned post 11", "{body}");
}

/// SQLite's `EXPLAIN QUERY PLAN` of a keyword search's query over every live post.
async fn keyword_plan(txn: &DatabaseTransaction) -> String {
    use lectern::domains::search::store::{Scope, SqliteStore};
    let scope = Scope {
        posts: posts::live_ids(txn, &posts::PostFilter::default()).await.unwrap(),
        premium: false,
        exclude_post: None,
    };
    let statement = SqliteStore::keyword_statement("\"rust\" \"17\"", Some(false), &scope, 50);
    explain(txn, DbBackend::Sqlite.build(&statement)).await
}

/// A keyword search must start from the full-text match and look up each
/// match's post: SQLite 3.51, left to order the joins, walked every readable
/// post and ran the match once per post (129 against 11 ms at 2,000 posts).
#[tokio::test]
async fn a_keyword_search_starts_from_the_full_text_match() {
    let app = TestApp::spawn().await;
    let db = &app.state.db;
    if db.get_database_backend() != DbBackend::Sqlite {
        return;
    }
    let author = app.user_with_role("AUTHOR").await;
    for n in 0..12 {
        app.published_post(&author, &format!("Rust post {n}")).await;
    }
    let txn = db.begin().await.unwrap();
    let starts_from_the_match = |plan: String, statistics: &str| {
        assert!(
            plan.lines().next().is_some_and(|first| first.starts_with("SCAN posts_fts VIRTUAL TABLE")),
            "with {statistics}, the search must start from the full-text match; the plan:\n{plan}"
        );
        // The candidates (every live post) come from the index alone, not from every post's row.
        assert!(
            plan.contains("COVERING INDEX idx_posts_published_order") && !plan.lines().any(|step| step == "SCAN posts"),
            "with {statistics}, the live posts' ids must be read off idx_posts_published_order; the plan:\n{plan}"
        );
    };
    txn.execute_unprepared(
        "DROP TABLE IF EXISTS sqlite_stat1; DROP TABLE IF EXISTS sqlite_stat4; ANALYZE sqlite_schema",
    )
    .await
    .unwrap();
    starts_from_the_match(keyword_plan(&txn).await, "no statistics");
    txn.execute_unprepared("ANALYZE").await.unwrap();
    starts_from_the_match(keyword_plan(&txn).await, "ANALYZE's statistics of these rows");
    // The statistics the seed's `ANALYZE` wrote at 2,000 posts, by hand.
    txn.execute_unprepared(
        "DELETE FROM sqlite_stat4;
         DELETE FROM sqlite_stat1 WHERE tbl IN ('posts', 'post_search_keys');
         INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
           ('posts', 'idx_posts_published_order', '2012 1 1 1'),
           ('posts', 'idx_posts_status_published', '2012 1006 1'),
           ('posts', 'idx_posts_author', '2012 92'),
           ('posts', 'idx_posts_series', '2012 155 27'),
           ('posts', 'sqlite_autoindex_posts_1', '2012 1'),
           ('posts', 'sqlite_autoindex_posts_2', '2012 1'),
           ('post_search_keys', 'sqlite_autoindex_post_search_keys_1', '2012 1');
         ANALYZE sqlite_schema",
    )
    .await
    .unwrap();
    starts_from_the_match(keyword_plan(&txn).await, "the statistics of 2,000 posts");
    txn.rollback().await.unwrap();

    let search = "{ search(query: \"rust post\", mode: KEYWORD, first: 20) { hits { post { title } } } }";
    let body = app.graphql(search, serde_json::json!({})).await;
    assert_eq!(body["data"]["search"]["hits"].as_array().map(Vec::len), Some(12), "{body}");
}
