//! The embedded database's process-wide settings (`infra::sqlite`): SQLite
//! allocates from mimalloc, the process allocator, and keeps no global
//! memory statistics. Every other test of the embedded pass runs SQLite this
//! way too, so the suite is also the allocator's correctness test.

use sea_orm::DbBackend;

use crate::harness::TestApp;

#[tokio::test]
async fn sqlite_allocates_from_mimalloc_without_memory_statistics() {
    let app = TestApp::spawn().await;
    if app.state.db.get_database_backend() != DbBackend::Sqlite {
        return; // the PostgreSQL pass opens no SQLite connection
    }
    assert_eq!(lectern::infra::sqlite::configure(), Ok(()), "configured before the first connection");

    // The app has migrated and answers, on connections opened after the settings.
    let body = app.graphql("{ posts(first: 1) { totalCount } }", serde_json::json!({})).await;
    assert!(body["data"]["posts"]["totalCount"].is_number(), "{body}");

    // SAFETY: plain SQLite and mimalloc C calls on a block allocated here and freed once.
    unsafe {
        let block = libsqlite3_sys::sqlite3_malloc(4096);
        assert!(!block.is_null());
        assert!(libmimalloc_sys::mi_is_in_heap_region(block), "SQLite's allocation is mimalloc's");
        assert!(libsqlite3_sys::sqlite3_msize(block) >= 4096);
        libsqlite3_sys::sqlite3_free(block);
        // With statistics on, the open connections' caches and statements would count here.
        assert_eq!(libsqlite3_sys::sqlite3_memory_used(), 0, "no memory statistics");
    }
}
