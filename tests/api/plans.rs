//! Plans that must not depend on the database's statistics.
//!
//! The feed's page (live posts, newest first, 21 rows) must walk the
//! `published_at` index and stop after a page. SQLite 3.51 chose instead to
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
    let statement = select.build(DbBackend::Sqlite);
    let explain = Statement::from_sql_and_values(
        DbBackend::Sqlite,
        format!("EXPLAIN QUERY PLAN {}", statement.sql),
        statement.values.expect("the page query has values"),
    );
    let rows = txn.query_all_raw(explain).await.unwrap();
    rows.iter().map(|row| row.try_get::<String>("", "detail").unwrap()).collect::<Vec<_>>().join("\n")
}

fn assert_walks_the_date_index(plan: &str, statistics: &str) {
    assert!(
        plan.contains("USING INDEX idx_posts_published") && !plan.contains("TEMP B-TREE FOR ORDER BY"),
        "with {statistics}, the feed's page must walk idx_posts_published and sort no more than ties; the plan:\n{plan}"
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
           ('posts', 'idx_posts_published', '10012 1'),
           ('posts', 'idx_posts_status_published', '10012 5006 1'),
           ('posts', 'idx_posts_author', '10012 456'),
           ('posts', 'idx_posts_series', '10012 189 30');
         ANALYZE sqlite_schema",
    )
    .await
    .unwrap();
    assert_walks_the_date_index(&feed_page_plan(&txn).await, "the statistics of 10,000 posts");
    txn.rollback().await.unwrap();

    // And the query is the feed's: the newest live posts, the draft left out.
    let body = app.graphql("{ posts(first: 20) { totalCount edges { node { title } } } }", serde_json::json!({})).await;
    assert_eq!(body["data"]["posts"]["totalCount"], 12, "{body}");
    assert_eq!(body["data"]["posts"]["edges"][0]["node"]["title"], "Planned post 11", "{body}");
}
