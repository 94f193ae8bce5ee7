//! Every foreign key leads an index. Deleting a row makes the database look
//! for the rows that point at it (to cascade, to set null, or to refuse);
//! without an index on the pointing column, each deleted row costs a scan of
//! the whole pointing table (a post with 20 comments took 389 ms to delete at
//! 97,568 comments, migration `m20261207_000018`). A new table's foreign key
//! fails this test until its index is added.

use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::harness::TestApp;

/// Foreign keys (`table(column)`) whose column is not the first of any index on its table.
async fn unindexed_foreign_keys(app: &TestApp) -> Vec<String> {
    let db = &app.state.db;
    let backend = db.get_database_backend();
    let rows = |sql: String| async move { db.query_all_raw(Statement::from_string(backend, sql)).await.unwrap() };
    let mut missing = Vec::new();
    if backend == DbBackend::Postgres {
        let sql = "SELECT c.conrelid::regclass::text AS tbl, a.attname::text AS col
            FROM pg_constraint c
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
            WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace AND NOT EXISTS (
              SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])
            ORDER BY 1, 2";
        for row in rows(sql.into()).await {
            missing.push(format!(
                "{}({})",
                row.try_get::<String>("", "tbl").unwrap(),
                row.try_get::<String>("", "col").unwrap()
            ));
        }
        return missing;
    }
    let tables = rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'".into()).await;
    for table in tables {
        let table: String = table.try_get("", "name").unwrap();
        let mut leading = Vec::new();
        for index in rows(format!("PRAGMA index_list('{table}')")).await {
            let index: String = index.try_get("", "name").unwrap();
            for column in rows(format!("PRAGMA index_info('{index}')")).await {
                if column.try_get::<i64>("", "seqno").unwrap() == 0 {
                    leading.push(column.try_get::<String>("", "name").unwrap());
                }
            }
        }
        for key in rows(format!("PRAGMA foreign_key_list('{table}')")).await {
            let from: String = key.try_get("", "from").unwrap();
            if key.try_get::<i64>("", "seq").unwrap() == 0 && !leading.contains(&from) {
                missing.push(format!("{table}({from})"));
            }
        }
    }
    missing.sort();
    missing
}

#[tokio::test]
async fn every_foreign_key_leads_an_index() {
    let app = TestApp::spawn().await;
    let missing = unindexed_foreign_keys(&app).await;
    assert!(missing.is_empty(), "foreign keys without an index (add one in a migration): {missing:?}");
}
